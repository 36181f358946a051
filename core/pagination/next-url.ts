// pagination `next_url`: the body holds the next page's URL (Salesforce `nextRecordsUrl`,
// relative), requested exactly as given; stops when it is missing or empty.
import type { PaginationNextUrl } from '../generated/connector';
import { SwitchboardError } from '../errors';
import { getPath } from '../util/path';
import type { PaginationStrategy } from './types';

export function nextUrlPagination(spec: PaginationNextUrl): PaginationStrategy {
  return {
    size: undefined,
    first: () => ({ number: 1, offset: 0 }),
    params: (state) => (state.url === undefined ? {} : { url: state.url }),
    next: (state, page) => {
      const url = getPath(page.body, spec.url_path);
      if (url === undefined || url === null || url === '') return undefined;
      if (typeof url !== 'string') {
        throw new SwitchboardError('SB_HTTP_INVALID_RESPONSE', `the next page URL at "${spec.url_path}" is not a string`);
      }
      return { number: state.number + 1, offset: state.offset + page.records.length, url };
    },
  };
}
