// Mock Stripe (APIS.md): customer lists newest first, paged by `starting_after` = the last id
// until `has_more` is false; form-encoded POSTs with nested keys; 429 without Retry-After.
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
  const data = opts.customers.slice(start, start + limit);
  return { headers: { 'request-id': `req_${req.at.toFixed(0)}` }, body: { object: 'list', url: '/v1/customers', has_more: start + limit < opts.customers.length, data } };
}

function create(opts: StripeOptions, req: LoggedRequest): MockResponse {
  if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
    return error(400, 'invalid_request_error', 'Invalid request: POST bodies must be form-encoded');
  }
  const form = parseForm(req.body);
  const customer: StripeCustomer = {
    id: `cus_${String(opts.customers.length + 1).padStart(14, '0')}`,
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

export function startStripe(opts: StripeOptions): Promise<MockApi> {
  const guard = (req: LoggedRequest): MockResponse | undefined => {
    const key = bearer(req);
    return key === opts.secretKey ? undefined : error(401, 'invalid_request_error', `Invalid API Key provided: ${(key ?? '').slice(0, 8)}****`);
  };
  return startMockServer(
    (req) => {
      if (req.path === '/v1/customers' && req.method === 'GET') return list(opts, req);
      if (req.path === '/v1/customers' && req.method === 'POST') return create(opts, req);
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
