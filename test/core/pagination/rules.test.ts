// The stop rules every pagination type shares (FORMAT.md), link header parsing, and loops
// ending with SB_PAGINATION_LOOP instead of running forever.
import type { Pagination } from '../../../core/generated/connector';
import { isSwitchboardError } from '../../../core/errors';
import { createPaginator, findLink, parseLinkHeader, type FetchedPage, type PageState } from '../../../core/pagination';
import { startMockServer, type MockApi } from '../../../examples/mock-apis/server';
import { client, connector, readAll, recordsOf } from '../../helpers/http-connectors';

function page(records: number, body: Record<string, unknown> = {}, headers: Record<string, string> = {}): FetchedPage {
  return { status: 200, headers, body, records: Array.from({ length: records }, (_, i) => ({ id: i })) };
}

/** Walks a paginator over canned pages; returns the states it asked for. */
function walk(spec: Pagination, pages: FetchedPage[]): PageState[] {
  const p = createPaginator(spec);
  const seen = new Set<string>();
  const states: PageState[] = [];
  let state: PageState | undefined = p.first();
  for (const fetched of pages) {
    if (state === undefined) break;
    states.push(state);
    state = p.next(state, fetched, seen);
  }
  if (state !== undefined) states.push(state);
  return states;
}

describe('shared stop rules', () => {
  it('a short page is not a stop by default', () => {
    const states = walk({ type: 'offset', limit: 10 }, [page(10), page(3), page(10), page(0)]);
    expect(states.map((s) => s.offset)).toEqual([0, 10, 20, 30]);
  });

  it('a short page stops with stop_on_short_page', () => {
    const states = walk({ type: 'offset', limit: 10, stop_on_short_page: true }, [page(10), page(3), page(10)]);
    expect(states.map((s) => s.offset)).toEqual([0, 10]);
  });

  it('an empty page stops offset and page reads only', () => {
    for (const spec of [{ type: 'offset', limit: 5 }, { type: 'page', size: 5 }] as Pagination[]) {
      expect(walk(spec, [page(5, { next: 'x1' }), page(0, { next: 'x2' }), page(5)])).toHaveLength(2);
    }
  });

  // An empty page that names a next page ended cursor and next_url reads: the rest of a full
  // run was never read (and then swept). The API's own stop rule decides.
  it('an empty page with a next cursor or URL is read past, unless stop_on_empty_page', () => {
    for (const spec of [
      { type: 'cursor', cursor_path: 'next', cursor_param: 'c' },
      { type: 'next_url', url_path: 'next' },
    ] as Pagination[]) {
      expect(walk(spec, [page(5, { next: 'x1' }), page(0, { next: 'x2' }), page(5)])).toHaveLength(3);
      expect(walk({ ...spec, stop_on_empty_page: true } as Pagination, [page(5, { next: 'x1' }), page(0, { next: 'x2' }), page(5)])).toHaveLength(2);
    }
    const link = createPaginator({ type: 'link_header', stop_on_empty_page: true });
    expect(link.next(link.first(), page(0, {}, { link: '<https://x/?p=2>; rel="next"' }), new Set())).toBeUndefined();
    const linkOn = createPaginator({ type: 'link_header' });
    expect(linkOn.next(linkOn.first(), page(0, {}, { link: '<https://x/?p=2>; rel="next"' }), new Set())).toMatchObject({ url: 'https://x/?p=2' });
    // Stripe-style cursors come from the last record: an empty page has none, so it ends there.
    expect(walk({ type: 'cursor', cursor_from_last_record: 'id', cursor_param: 'starting_after' }, [page(5), page(0), page(5)])).toHaveLength(2);
  });

  it('max_pages stops after that many pages', () => {
    expect(walk({ type: 'page', size: 2, max_pages: 3 }, [page(2), page(2), page(2), page(2)])).toHaveLength(3);
  });

  it('has_more_path false and done_path true stop; "false" strings count as false', () => {
    expect(walk({ type: 'cursor', cursor_path: 'c', cursor_param: 'c', has_more_path: 'more' }, [page(1, { c: 'a', more: true }), page(1, { c: 'b', more: 'false' })])).toHaveLength(2);
    expect(walk({ type: 'cursor', cursor_path: 'c', cursor_param: 'c', done_path: 'end' }, [page(1, { c: 'a', end: false }), page(1, { c: 'b', end: true })])).toHaveLength(2);
  });

  it('offset stops when the next offset reaches total_path', () => {
    const states = walk({ type: 'offset', limit: 10, start: 0, total_path: 'total' }, [page(10, { total: 25 }), page(10, { total: 25 }), page(5, { total: 25 })]);
    expect(states.map((s) => s.offset)).toEqual([0, 10, 20]);
  });

  it('page numbers start at `start`; total_pages_path stops', () => {
    const p = createPaginator({ type: 'page', size: 50, size_param: 'per_page', start: 0, total_pages_path: 'pages' });
    const states = walk({ type: 'page', size: 50, size_param: 'per_page', start: 0, total_pages_path: 'pages' }, [page(50, { pages: 2 }), page(50, { pages: 2 }), page(50)]);
    expect(states.map((s) => p.params(s).query)).toEqual([
      { page: 0, per_page: 50 },
      { page: 1, per_page: 50 },
    ]);
  });

  it('a cursor that is missing, null or empty stops', () => {
    for (const c of [undefined, null, '']) {
      expect(walk({ type: 'cursor', cursor_path: 'c', cursor_param: 'c' }, [page(1, { c: 'a' }), page(1, { c })])).toHaveLength(2);
    }
  });

  it('a repeated cursor throws SB_PAGINATION_LOOP', () => {
    expect(() => walk({ type: 'cursor', cursor_path: 'c', cursor_param: 'c' }, [page(1, { c: 'a' }), page(1, { c: 'b' }), page(1, { c: 'a' })])).toThrow(
      expect.objectContaining({ code: 'SB_PAGINATION_LOOP' }),
    );
  });
});

describe('Link header', () => {
  it('parses quoted and unquoted rels, several rels, and several links', () => {
    const header = '<https://x/c.json?page_info=abc&limit=2>; rel="next", <https://x/c.json?page_info=prev>; rel=previous, <https://x/last>; rel="last next-archive"';
    expect(parseLinkHeader(header)).toEqual([
      { url: 'https://x/c.json?page_info=abc&limit=2', rels: ['next'] },
      { url: 'https://x/c.json?page_info=prev', rels: ['previous'] },
      { url: 'https://x/last', rels: ['last', 'next-archive'] },
    ]);
    expect(findLink(header, 'next')).toBe('https://x/c.json?page_info=abc&limit=2');
    expect(findLink(header, 'PREVIOUS')).toBe('https://x/c.json?page_info=prev');
    expect(findLink('<https://x/a>; title="a, b"; rel=next', 'next')).toBe('https://x/a');
    expect(findLink(undefined, 'next')).toBeUndefined();
    expect(findLink('<https://x/a>; rel="prev"', 'next')).toBeUndefined();
  });
});

describe('loops against a live server', () => {
  let api: MockApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('a server that returns the same cursor forever ends the read with SB_PAGINATION_LOOP after two pages', async () => {
    api = await startMockServer(() => ({ body: { items: [{ id: 1 }], next: 'same-cursor' } }));
    const def = connector('loop', { streams: { s: { request: { path: '/items' }, records: 'items', pagination: { type: 'cursor', cursor_path: 'next', cursor_param: 'after' } } } });
    const err = await readAll(client(def, { base_url: api.url }), 's').catch((e: unknown) => e);
    expect(isSwitchboardError(err, 'SB_PAGINATION_LOOP')).toBe(true);
    expect(api.requests).toHaveLength(2);
  });

  it('a next URL that comes back later (a cycle of three) is caught too', async () => {
    let n = 0;
    api = await startMockServer(() => ({ body: { items: [{ id: ++n }], next: `/items?p=${n % 3}` } }));
    const def = connector('cycle', { streams: { s: { request: { path: '/items' }, records: 'items', pagination: { type: 'next_url', url_path: 'next' } } } });
    const err = await readAll(client(def, { base_url: api.url }), 's', { prefetch: false }).catch((e: unknown) => e);
    expect(isSwitchboardError(err, 'SB_PAGINATION_LOOP')).toBe(true);
    expect(api.requests.length).toBeLessThanOrEqual(4);
  });

  it('a top-level array is read with records ""', async () => {
    api = await startMockServer((req) => ({ body: req.query.get('page') === '1' ? [{ id: 1 }, { id: 2 }] : [] }));
    const def = connector('arr', { streams: { s: { request: { path: '/list' }, records: '', pagination: { type: 'page', size: 2, size_param: 'per_page' } } } });
    const pages = await readAll(client(def, { base_url: api.url }), 's');
    expect(recordsOf(pages)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(api.requests.map((r) => r.url)).toEqual(['/list?page=1&per_page=2', '/list?page=2&per_page=2']);
  });
});
