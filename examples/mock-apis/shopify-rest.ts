// Mock of Shopify's legacy REST Admin API (APIS.md; legacy since 2024-10-01, the shipped
// connector reads the GraphQL Admin API of shopify.ts): kept for what it shows of Link-header
// paging. Customers paged only through the `Link` header's opaque
// `page_info` (follow-up requests may carry only `limit` and `fields`), `updated_at_min`,
// customers created and updated, `shop.json`, `X-Shopify-Access-Token`; the leaky bucket (40
// calls, 2 a second) in `X-Shopify-Shop-Api-Call-Limit`, and 429 with a fractional `Retry-After`.
import { shopifyTime, type ShopifyCustomer } from './shopify-data';
import { decodeCursor, encodeCursor, intParam, jsonBody, LeakyBucket, startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';

export interface ShopifyRestOptions {
  customers: ShopifyCustomer[];
  accessToken: string;
  /** Write `rel=next` without quotes (Shopify has sent both). */
  unquotedRel?: boolean;
  /** The leaky bucket: `size` calls, drained at `leakPerSecond` (Shopify: 40 and 2; Plus: 80 and 4). */
  bucket?: { size: number; leakPerSecond: number };
  faults?: Faults;
}

const API = '/admin/api/2024-01';
const PATH = `${API}/customers.json`;
const FOLLOW_UP_PARAMS = new Set(['page_info', 'limit', 'fields']);
const WRITABLE = ['email', 'first_name', 'last_name', 'phone', 'tags', 'note', 'state'] as const;

function list(opts: ShopifyRestOptions, req: LoggedRequest, base: string): MockResponse {
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
  if (since !== null && Number.isNaN(Date.parse(since))) return { status: 400, body: { errors: { updated_at_min: ['Invalid date'] } } };
  const bound = since === null ? -Infinity : Date.parse(since);
  const matched = opts.customers.filter((c) => Date.parse(c.updated_at) >= bound);
  const customers = matched.slice(offset, offset + limit);
  const link = (cursor: string, rel: string): string => `<${base}${PATH}?limit=${limit}&page_info=${cursor}>; rel=${opts.unquotedRel === true ? rel : `"${rel}"`}`;
  const links: string[] = [];
  if (offset + limit < matched.length) links.push(link(encodeCursor({ o: offset + limit, since }), 'next'));
  if (offset > 0) links.push(link(encodeCursor({ o: Math.max(0, offset - limit), since }), 'previous'));
  return { headers: links.length > 0 ? { link: links.join(', ') } : {}, body: { customers } };
}

/** POST /customers.json (201) and PUT /customers/{id}.json (200), with Shopify's 422 for a taken email. */
function write(opts: ShopifyRestOptions, req: LoggedRequest, id: number | undefined): MockResponse {
  const input = (jsonBody(req) as { customer?: Record<string, unknown> } | undefined)?.customer;
  if (input === undefined || input === null || typeof input !== 'object') return { status: 400, body: { errors: { customer: 'Required parameter missing or invalid' } } };
  const email = typeof input['email'] === 'string' ? input['email'].toLowerCase() : undefined;
  if (email !== undefined && opts.customers.some((c) => c.email === email && c.id !== id)) return { status: 422, body: { errors: { email: ['has already been taken'] } } };
  const now = shopifyTime(Date.now());
  let customer = id === undefined ? undefined : opts.customers.find((c) => c.id === id);
  if (id !== undefined && customer === undefined) return { status: 404, body: { errors: 'Not Found' } };
  const created = customer === undefined;
  if (customer === undefined) {
    customer = { id: opts.customers.reduce((m, c) => Math.max(m, c.id), 207119550) + 1, email: '', first_name: '', last_name: '', phone: null, tags: '', created_at: now, updated_at: now, state: 'disabled', orders_count: 0, total_spent: '0.00' };
    opts.customers.push(customer);
  }
  const target = customer as unknown as Record<string, unknown>;
  for (const field of WRITABLE) if (field in input) target[field] = field === 'email' ? email : input[field];
  customer.updated_at = now;
  return { status: created ? 201 : 200, body: { customer } };
}

export function startShopifyRest(opts: ShopifyRestOptions): Promise<MockApi> {
  const bucket = new LeakyBucket(opts.bucket?.size ?? 40, opts.bucket?.leakPerSecond ?? 2);
  const guard = (req: LoggedRequest): MockResponse | undefined =>
    req.headers['x-shopify-access-token'] === opts.accessToken ? undefined : { status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } };
  return startMockServer(
    (req, base) => {
      const level = bucket.add();
      const limitHeader = { 'x-shopify-shop-api-call-limit': `${level.level}/${bucket.size}` };
      if (!level.ok) {
        return { status: 429, headers: { ...limitHeader, 'retry-after': level.retryAfterSeconds.toFixed(1) }, body: { errors: `Exceeded ${bucket.leakPerSecond} calls per second for api client. Reduce request rates to resume uninterrupted service.` } };
      }
      const one = /^\/admin\/api\/2024-01\/customers\/(\d+)\.json$/.exec(req.path);
      let answer: MockResponse;
      if (req.path === PATH && req.method === 'GET') answer = list(opts, req, base);
      else if (req.path === PATH && req.method === 'POST') answer = write(opts, req, undefined);
      else if (one !== null && req.method === 'PUT') answer = write(opts, req, Number(one[1]));
      else if (req.path === `${API}/shop.json` && req.method === 'GET') answer = { body: { shop: { id: 1, name: 'Mock Shop', myshopify_domain: 'mock.myshopify.com', currency: 'USD', iana_timezone: 'Etc/UTC' } } };
      else answer = { status: 404, body: { errors: 'Not Found' } };
      return { ...answer, headers: { ...limitHeader, ...answer.headers } };
    },
    { faults: opts.faults, guard },
  );
}

/** Shopify's 429 answer. */
export const SHOPIFY_RATE_LIMITED: MockResponse = { status: 429, headers: { 'retry-after': '2.0' }, body: { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' } };

