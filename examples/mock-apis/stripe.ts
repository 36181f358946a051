// Mock Stripe (APIS.md): customer lists newest first, paged by `starting_after` = the last id
// until `has_more` is false, filtered by `created[...]` and `email`; form-encoded POSTs with
// nested keys; customers created and updated under `Idempotency-Key`s (POST only, see
// idempotency.ts), deleted (a second DELETE answers 404 `resource_missing`); 429 without
// Retry-After.
import { IdempotencyKeys } from './idempotency';
import { bearer, intParam, parseForm, startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';

export interface StripeCustomer {
  id: string;
  object: 'customer';
  email: string | null;
  name: string | null;
  phone: string | null;
  created: number;
  metadata: Record<string, string>;
}

export interface StripeOptions {
  /** Customers, newest first (the order Stripe lists them in). */
  customers: StripeCustomer[];
  secretKey: string;
  faults?: Faults;
  /** Where POSTs' `Idempotency-Key`s are kept (pass one to count what each key applied). */
  idempotency?: IdempotencyKeys;
  /** Whether the n-th applied write (1-based) loses its answer: the write stays, a 503 goes out instead. */
  loseAnswer?: (n: number) => boolean;
  /** Answer writes this late, after applying them (a client killed meanwhile never learns of the write). */
  answerDelayMs?: number;
}

function error(status: number, type: string, message: string, code?: string): MockResponse {
  return { status, body: { error: { type, message, ...(code === undefined ? {} : { code }) } } };
}

function list(opts: StripeOptions, req: LoggedRequest): MockResponse {
  const limit = Math.max(1, intParam(req.query, 'limit', 10, 100));
  const after = req.query.get('starting_after');
  let start = 0;
  if (after !== null) {
    const i = opts.customers.findIndex((c) => c.id === after);
    if (i < 0) return error(400, 'invalid_request_error', `No such customer: '${after}'`, 'resource_missing');
    start = i + 1;
  }
  const matched = filterCreated(opts.customers, req.query);
  if (matched === undefined) return error(400, 'invalid_request_error', 'Invalid integer: created filters take Unix timestamps', 'parameter_invalid_integer');
  // starting_after names a customer of the whole list: the filter applies after it.
  const data = matched.filter((c) => opts.customers.indexOf(c) >= start).slice(0, limit);
  const rest = matched.filter((c) => opts.customers.indexOf(c) >= start).length;
  return { headers: { 'request-id': `req_${req.at.toFixed(0)}` }, body: { object: 'list', url: '/v1/customers', has_more: limit < rest, data } };
}

/** `created[gt]`, `created[gte]`, `created[lt]`, `created[lte]` (Unix seconds) and `email`; undefined when a bound is not an integer. */
function filterCreated(customers: StripeCustomer[], query: URLSearchParams): StripeCustomer[] | undefined {
  const tests: ((c: StripeCustomer) => boolean)[] = [];
  for (const [op, test] of [['gt', (a: number, b: number) => a > b], ['gte', (a: number, b: number) => a >= b], ['lt', (a: number, b: number) => a < b], ['lte', (a: number, b: number) => a <= b]] as const) {
    const value = query.get(`created[${op}]`);
    if (value === null) continue;
    if (!/^\d+$/.test(value)) return undefined;
    tests.push((c) => test(c.created, Number(value)));
  }
  const email = query.get('email');
  if (email !== null) tests.push((c) => c.email === email);
  return tests.length === 0 ? customers : customers.filter((c) => tests.every((t) => t(c)));
}

function create(opts: StripeOptions, req: LoggedRequest): MockResponse {
  if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
    return error(400, 'invalid_request_error', 'Invalid request: POST bodies must be form-encoded');
  }
  const form = parseForm(req.body);
  const customer: StripeCustomer = {
    // Past the greatest id, not the count: deleted customers leave gaps.
    id: `cus_${String(opts.customers.reduce((max, c) => Math.max(max, Number(c.id.slice(4)) || 0), 0) + 1).padStart(14, '0')}`,
    object: 'customer',
    email: typeof form['email'] === 'string' ? form['email'] : null,
    name: typeof form['name'] === 'string' ? form['name'] : null,
    phone: typeof form['phone'] === 'string' ? form['phone'] : null,
    created: Math.floor(Date.now() / 1000),
    metadata: (form['metadata'] ?? {}) as Record<string, string>,
  };
  opts.customers.unshift(customer);
  return { body: customer };
}

function update(opts: StripeOptions, id: string, req: LoggedRequest): MockResponse {
  const customer = opts.customers.find((c) => c.id === id);
  if (customer === undefined) return error(404, 'invalid_request_error', `No such customer: '${id}'`, 'resource_missing');
  const form = parseForm(req.body);
  for (const field of ['email', 'name', 'phone'] as const) if (typeof form[field] === 'string') customer[field] = form[field] === '' ? null : form[field];
  if (form['metadata'] !== undefined) customer.metadata = { ...customer.metadata, ...(form['metadata'] as Record<string, string>) };
  return { body: customer };
}

function remove(opts: StripeOptions, id: string): MockResponse {
  const i = opts.customers.findIndex((c) => c.id === id);
  if (i < 0) return error(404, 'invalid_request_error', `No such customer: '${id}'`, 'resource_missing');
  opts.customers.splice(i, 1);
  return { body: { id, object: 'customer', deleted: true } };
}

export function startStripe(opts: StripeOptions): Promise<MockApi> {
  const guard = (req: LoggedRequest): MockResponse | undefined => {
    const key = bearer(req);
    return key === opts.secretKey ? undefined : error(401, 'invalid_request_error', `Invalid API Key provided: ${(key ?? '').slice(0, 8)}****`);
  };
  const keys = opts.idempotency ?? new IdempotencyKeys();
  let writes = 0;
  /** A write through the idempotency keys, whose answer may be lost after it is applied. */
  const write = async (req: LoggedRequest, apply: () => MockResponse): Promise<MockResponse> => {
    let applied = false;
    const answer = keys.handle(req, () => {
      applied = true;
      return apply();
    });
    if (opts.answerDelayMs !== undefined) await new Promise((r) => setTimeout(r, opts.answerDelayMs));
    if (applied && (answer.status ?? 200) < 300 && opts.loseAnswer?.(++writes) === true) return error(503, 'api_error', 'The connection was lost.');
    return answer;
  };
  return startMockServer(
    (req) => {
      if (req.path === '/v1/customers' && req.method === 'GET') return list(opts, req);
      if (req.path === '/v1/customers' && req.method === 'POST') return write(req, () => create(opts, req));
      const one = /^\/v1\/customers\/([A-Za-z0-9_]+)$/.exec(req.path);
      if (one !== null && req.method === 'POST') return write(req, () => update(opts, one[1]!, req));
      if (one !== null && req.method === 'DELETE') return write(req, () => remove(opts, one[1]!));
      return error(404, 'invalid_request_error', `Unrecognized request URL (${req.method}: ${req.path}).`);
    },
    { faults: opts.faults, guard },
  );
}

/** Stripe's 429 answer (no Retry-After: clients back off on their own). */
export const STRIPE_RATE_LIMITED: MockResponse = error(429, 'invalid_request_error', 'Request rate limit exceeded.', 'rate_limit');

/** `n` Stripe customers, newest first. */
export function stripeCustomers(n: number, newest = 1_700_000_000): StripeCustomer[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `cus_${String(n - i).padStart(14, '0')}`,
    object: 'customer' as const,
    email: `customer${n - i}@example.com`,
    name: `Customer ${n - i}`,
    phone: null,
    created: newest - i,
    metadata: {},
  }));
}
