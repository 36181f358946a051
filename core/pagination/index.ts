// Pagination types by name (`pagination.type` -> strategy), and the rules every type shares:
// `done_path`, `has_more_path`, empty pages (offset and page, else `stop_on_empty_page`),
// `stop_on_short_page`, `max_pages`, and a repeated cursor or URL ending the read with
// SB_PAGINATION_LOOP instead of looping.
import type { Pagination } from '../generated/connector';
import { SwitchboardError } from '../errors';
import { getPath } from '../util/path';
import { cursorPagination } from './cursor';
import { linkHeaderPagination } from './link-header';
import { nextUrlPagination } from './next-url';
import { noPagination } from './none';
import { offsetPagination } from './offset';
import { pagePagination } from './page';
import type { FetchedPage, PageParams, PageState, PaginationStrategy } from './types';

export type { FetchedPage, PageParams, PageState, PaginationStrategy } from './types';
export { findLink, parseLinkHeader, type Link } from './link-header';

type Factories = { [K in Pagination['type']]: (spec: Extract<Pagination, { type: K }>) => PaginationStrategy };

export const PAGINATION_TYPES: Readonly<Factories> = {
  none: noPagination,
  offset: offsetPagination,
  page: pagePagination,
  cursor: cursorPagination,
  next_url: nextUrlPagination,
  link_header: linkHeaderPagination,
};

/** How many cursors or URLs a read remembers to detect a loop (memory stays bounded). */
const SEEN_LIMIT = 10_000;

/** A flag read from a body: `true`, `"true"`, non-zero numbers are true. */
function flag(value: unknown): boolean {
  if (typeof value === 'string') return value !== '' && value !== '0' && value.toLowerCase() !== 'false';
  return Boolean(value);
}

export interface Paginator {
  readonly type: Pagination['type'];
  /** Records asked for per page, when known (`page.size` in templates). */
  readonly size: number | undefined;
  first(): PageState;
  params(state: PageState): PageParams;
  /**
   * The next page's state after `page`, or undefined when the read is over. `seen` holds the
   * cursors and URLs of this read so far (the caller keeps one per read).
   */
  next(state: PageState, page: FetchedPage, seen: Set<string>): PageState | undefined;
}

/** The paginator of a stream's `pagination` (default `none`). */
export function createPaginator(spec: Pagination | undefined): Paginator {
  const def: Pagination = spec ?? { type: 'none' };
  const factory = (PAGINATION_TYPES as Record<string, ((s: Pagination) => PaginationStrategy) | undefined>)[def.type];
  if (factory === undefined) throw new SwitchboardError('SB_DEFINITION_INVALID', `unknown pagination type ${JSON.stringify(def.type)}`);
  const strategy = factory(def);
  const common = def as Partial<Record<'has_more_path' | 'done_path', string>> & { max_pages?: number; stop_on_short_page?: boolean; stop_on_empty_page?: boolean };
  // An empty page is the end of an offset or page read (nothing at this offset, nothing after);
  // a cursor or next URL says itself whether more follows, unless the API ends with empty pages.
  const emptyStops = def.type === 'offset' || def.type === 'page' || common.stop_on_empty_page === true;
  return {
    type: def.type,
    size: strategy.size,
    first: () => strategy.first(),
    params: (state) => strategy.params(state),
    next(state, page, seen) {
      if (def.type === 'none') return undefined;
      if (common.done_path !== undefined && flag(getPath(page.body, common.done_path))) return undefined;
      if (common.has_more_path !== undefined && !flag(getPath(page.body, common.has_more_path))) return undefined;
      if (emptyStops && page.records.length === 0) return undefined;
      if (common.stop_on_short_page === true && strategy.size !== undefined && page.records.length < strategy.size) return undefined;
      if (common.max_pages !== undefined && state.number >= common.max_pages) return undefined;
      const next = strategy.next(state, page);
      if (next === undefined) return undefined;
      const token = next.url ?? (next.cursor === undefined ? undefined : String(next.cursor));
      if (token !== undefined) {
        if (seen.has(token) || token === (state.url ?? (state.cursor === undefined ? undefined : String(state.cursor)))) {
          throw new SwitchboardError('SB_PAGINATION_LOOP', `page ${state.number} returned a ${next.url !== undefined ? 'next URL' : 'cursor'} already returned earlier in this read (${JSON.stringify(token.slice(0, 200))}); stopping instead of looping`, {
            details: { page: state.number, type: def.type },
          });
        }
        if (seen.size >= SEEN_LIMIT) seen.delete(seen.values().next().value as string);
        seen.add(token);
      }
      return next;
    },
  };
}
