// Mock Shopify Admin REST (APIS.md): customers paged only through the `Link` header's opaque
// `page_info` (follow-up requests may carry only `limit` and `fields`), `X-Shopify-Access-Token`,
// the call-limit header, 429 with `Retry-After: 2.0`.
import { decodeCursor, encodeCursor, intParam, startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';

export interface ShopifyCustomer {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  updated_at: string;
  tags: string;
}

export interface ShopifyOptions {
  customers: ShopifyCustomer[];
  accessToken: string;
  /** Write `rel=next` without quotes (Shopify has sent both). */
  unquotedRel?: boolean;
  faults?: Faults;
}

const PATH = '/admin/api/2024-01/customers.json';
const FOLLOW_UP_PARAMS = new Set(['page_info', 'limit', 'fields']);

export function startShopify(opts: ShopifyOptions): Promise<MockApi> {
  const guard = (req: LoggedRequest): MockResponse | undefined =>
    req.headers['x-shopify-access-token'] === opts.accessToken ? undefined : { status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } };
  const link = (base: string, info: string, limit: number, rel: string): string => `<${base}${PATH}?limit=${limit}&page_info=${info}>; rel=${opts.unquotedRel === true ? rel : `"${rel}"`}`;
  return startMockServer(
    (req, base) => {
      if (req.path !== PATH) return { status: 404, body: { errors: 'Not Found' } };
      const limit = Math.max(1, intParam(req.query, 'limit', 50, 250));
      const info = req.query.get('page_info');
      let offset = 0;
      let since = req.query.get('updated_at_min');
      if (info !== null) {
        const extra = [...req.query.keys()].filter((k) => !FOLLOW_UP_PARAMS.has(k));
        if (extra.length > 0) return { status: 400, body: { errors: { page_info: [`page_info cannot be combined with ${extra.join(', ')}`] } } };
        const cursor = decodeCursor(info);
        if (cursor === undefined) return { status: 400, body: { errors: { page_info: ['Invalid value.'] } } };
        offset = Number(cursor['o']);
        since = typeof cursor['since'] === 'string' ? cursor['since'] : null;
      }
      const bound = since === null ? -Infinity : Date.parse(since);
      const matched = opts.customers.filter((c) => Date.parse(c.updated_at) >= bound);
      const customers = matched.slice(offset, offset + limit);
      const links: string[] = [];
      if (offset + limit < matched.length) links.push(link(base, encodeCursor({ o: offset + limit, since }), limit, 'next'));
      if (offset > 0) links.push(link(base, encodeCursor({ o: Math.max(0, offset - limit), since }), limit, 'previous'));
      const headers: Record<string, string> = { 'x-shopify-shop-api-call-limit': '1/40' };
      if (links.length > 0) headers['link'] = links.join(', ');
      return { headers, body: { customers } };
    },
    { faults: opts.faults, guard },
  );
}

/** Shopify's 429 answer. */
export const SHOPIFY_RATE_LIMITED: MockResponse = { status: 429, headers: { 'retry-after': '2.0' }, body: { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' } };

/** `n` Shopify customers, updated one second apart from `since`. */
export function shopifyCustomers(n: number, since = Date.UTC(2024, 0, 1)): ShopifyCustomer[] {
  return Array.from({ length: n }, (_, i) => ({
    id: 207119551 + i,
    email: `shop${i + 1}@example.com`,
    first_name: 'Bob',
    last_name: `Norman${i + 1}`,
    phone: null,
    updated_at: new Date(since + i * 1000).toISOString().replace('.000Z', '-00:00'),
    tags: '',
  }));
}
