// What a pagination type provides: the first page's state, the parameters that ask for a page,
// and the next page's state after one was read (or the end).
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Where a read stands: everything needed to ask for one page. Plain JSON, so it can be
 * saved in a checkpoint and a killed run can ask for the same page again.
 */
export interface PageState {
  /** 1-based ordinal of the page in the current read (counts toward `max_pages`). */
  number: number;
  /** The offset to send (`offset`); for other types, records read before this page. */
  offset: number;
  /** The cursor to send (`cursor`); absent on the first page. */
  cursor?: string | number;
  /** The URL to request exactly as given (`next_url`, `link_header`); absent on the first page. */
  url?: string;
}

/** What a pagination type adds to the stream's request to ask for one page. */
export interface PageParams {
  /** Query parameters to add (they replace parameters of the same name). */
  query?: Record<string, unknown>;
  /** Values to set in the JSON body, by dot path. */
  body?: Record<string, unknown>;
  /**
   * Request this URL instead of the stream's request, exactly as given (no query of the first
   * request added again); relative URLs resolve against the base URL.
   */
  url?: string;
}

/** A page as read: its response and the records extracted from it. */
export interface FetchedPage {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
  records: readonly unknown[];
}

export interface PaginationStrategy {
  /** Records asked for per page, when the type knows (`page.size` in templates, `stop_on_short_page`). */
  readonly size: number | undefined;
  /** The state of the first page. */
  first(): PageState;
  /** The parameters that ask for the page `state` describes. */
  params(state: PageState): PageParams;
  /** The state of the page after `page`, or undefined when the type's own stop rule says `page` was the last. */
  next(state: PageState, page: FetchedPage): PageState | undefined;
}

/** Parameters in the query or, with `in: body`, in the JSON body. */
export function placed(where: 'query' | 'body' | undefined, values: Record<string, unknown>): PageParams {
  return where === 'body' ? { body: values } : { query: values };
}

/** A count read from a body (a number or a numeric string), else undefined. */
export function countAt(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
