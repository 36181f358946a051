// pagination `cursor`: an opaque cursor from the body (`cursor_path`, HubSpot `paging.next.after`)
// or from the last record (`cursor_from_last_record`, Stripe's `id` for `starting_after`), sent
// back in the query or the body; stops when it is missing, null or empty.
import type { PaginationCursor } from '../generated/connector';
import { SwitchboardError } from '../errors';
import { getPath } from '../util/path';
import { placed, type PaginationStrategy } from './types';

export function cursorPagination(spec: PaginationCursor): PaginationStrategy {
  const fromRecord = spec.cursor_from_last_record;
  const fromBody = spec.cursor_path;
  if ((fromRecord === undefined) === (fromBody === undefined)) {
    throw new SwitchboardError('SB_DEFINITION_INVALID', 'cursor pagination needs exactly one of cursor_path and cursor_from_last_record');
  }
  return {
    size: undefined,
    first: () => ({ number: 1, offset: 0 }),
    params: (state) => (state.cursor === undefined ? {} : placed(spec.in, { [spec.cursor_param]: state.cursor })),
    next: (state, page) => {
      const cursor = fromBody !== undefined ? getPath(page.body, fromBody) : getPath(page.records[page.records.length - 1], fromRecord ?? '');
      if (cursor === undefined || cursor === null || cursor === '') return undefined;
      if (typeof cursor !== 'string' && typeof cursor !== 'number') {
        throw new SwitchboardError('SB_HTTP_INVALID_RESPONSE', `the pagination cursor at "${fromBody ?? fromRecord}" is not a string or number`);
      }
      return { number: state.number + 1, offset: state.offset + page.records.length, cursor };
    },
  };
}
