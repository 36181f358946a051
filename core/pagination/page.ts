// pagination `page`: page number parameters (`page`, `per_page`), from `start` (default 1);
// stops when the records read reach `total_path` or the pages read reach `total_pages_path`.
import type { PaginationPage } from '../generated/connector';
import { getPath } from '../util/path';
import { countAt, placed, type PaginationStrategy } from './types';

export function pagePagination(spec: PaginationPage): PaginationStrategy {
  const pageParam = spec.page_param ?? 'page';
  const start = spec.start ?? 1;
  return {
    size: spec.size,
    first: () => ({ number: 1, offset: 0 }),
    params: (state) => {
      const values: Record<string, unknown> = { [pageParam]: start + state.number - 1 };
      if (spec.size_param !== undefined && spec.size !== undefined) values[spec.size_param] = spec.size;
      return placed(spec.in, values);
    },
    next: (state, page) => {
      const offset = state.offset + page.records.length;
      if (spec.total_path !== undefined) {
        const total = countAt(getPath(page.body, spec.total_path));
        if (total !== undefined && offset >= total) return undefined;
      }
      if (spec.total_pages_path !== undefined) {
        const pages = countAt(getPath(page.body, spec.total_pages_path));
        if (pages !== undefined && state.number >= pages) return undefined;
      }
      return { number: state.number + 1, offset };
    },
  };
}
