// pagination `offset`: offset and limit parameters (Pipedrive v1 `start`/`limit`, Mailchimp
// `offset`/`count`); the offset grows by `limit`; stops when it reaches `total_path`.
import type { PaginationOffset } from '../generated/connector';
import { getPath } from '../util/path';
import { countAt, placed, type PaginationStrategy } from './types';

export function offsetPagination(spec: PaginationOffset): PaginationStrategy {
  const limitParam = spec.limit_param ?? 'limit';
  const offsetParam = spec.offset_param ?? 'offset';
  return {
    size: spec.limit,
    first: () => ({ number: 1, offset: spec.start ?? 0 }),
    params: (state) => placed(spec.in, { [offsetParam]: state.offset, [limitParam]: spec.limit }),
    next: (state, page) => {
      const offset = state.offset + spec.limit;
      if (spec.total_path !== undefined) {
        const total = countAt(getPath(page.body, spec.total_path));
        if (total !== undefined && offset >= total) return undefined;
      }
      return { number: state.number + 1, offset };
    },
  };
}
