// Mock of Shopify's GraphQL Admin API, following Shopify's published documents: "GraphQL Admin
// API rate limits" (shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits: calculated query
// cost, a leaky bucket per app and store, `extensions.cost` with `requestedQueryCost`,
// `actualQueryCost` and `throttleStatus` on every answer, a throttled query answered 200 with
// `errors[].extensions.code` `THROTTLED` and not run, a single query capped at 1,000 points),
// "About Shopify API versioning" (shopify.dev/docs/api/usage/versioning: `/admin/api/{version}/
// graphql.json`, an unsupported version falls forward to the oldest supported one, named in
// `X-Shopify-API-Version`), the Admin API reference for `customers` (cursor connections with
// `pageInfo { hasNextPage endCursor }`, `sortKey`, `query` search syntax `updated_at:>'...'`),
// `customerCreate` / `customerUpdate` (`userErrors` in a 200 answer), and `X-Shopify-Access-Token`.
// Queries are parsed and validated against the schema of shopify-schema.ts with the graphql
// library and executed by it.
import { execute, parse, validate, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLError, type OperationDefinitionNode } from 'graphql';
import { shopifyTime, type ShopifyCustomer } from './shopify-data';
import { customerNode, gid, operationCost, searchFilter, shopifySchema } from './shopify-schema';
import { decodeCursor, encodeCursor, jsonBody, startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';

export { shopifyCustomers, shopifyShoppers, shopifyTime, type ShopifyCustomer } from './shopify-data';

export interface ShopifyOptions {
  customers: ShopifyCustomer[];
  accessToken: string;
  /** The cost bucket: `size` points restored at `restorePerSecond` (Standard 2,000 and 100; Plus 20,000 and 1,000). */
  bucket?: { size: number; restorePerSecond: number };
  faults?: Faults;
}

/** Versions served; older ones fall forward to the first (the oldest still supported). */
export const SHOPIFY_VERSIONS = ['2025-07', '2025-10', '2026-01', '2026-04'];
const MAX_QUERY_COST = 1000;
const MAX_PAGE = 250;

/** A leaky bucket of points: taking needs `points` available; points come back at `rate` a second. */
class CostBucket {
  private available: number;
  private at = Date.now();
  constructor(
    readonly size: number,
    readonly rate: number,
  ) {
    this.available = size;
  }
  level(now = Date.now()): number {
    this.available = Math.min(this.size, this.available + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    return this.available;
  }
  take(points: number): boolean {
    if (this.level() < points) return false;
    this.available -= points;
    return true;
  }
  refund(points: number): void {
    this.available = Math.min(this.size, this.level() + points);
  }
  status(): Record<string, number> {
    return { maximumAvailable: this.size, currentlyAvailable: Math.floor(this.level()), restoreRate: this.rate };
  }
}

function errorsOf(errors: readonly GraphQLError[]): unknown[] {
  return errors.map((e) => ({ message: e.message, ...(e.locations === undefined ? {} : { locations: e.locations }), ...(e.path === undefined ? {} : { path: e.path }), extensions: { code: String(e.extensions['code'] ?? 'GRAPHQL_VALIDATION_FAILED') } }));
}

export function startShopify(opts: ShopifyOptions): Promise<MockApi> {
  const bucket = new CostBucket(opts.bucket?.size ?? 2000, opts.bucket?.restorePerSecond ?? 100);
  const customers = opts.customers;
  const guard = (req: LoggedRequest): MockResponse | undefined =>
    req.headers['x-shopify-access-token'] === opts.accessToken ? undefined : { status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } };

  const resolvers = (returned: Map<FieldNode, number>) => ({
    customers: (args: { first?: number | null; after?: string | null; last?: number | null; reverse?: boolean; sortKey?: string; query?: string | null }, _ctx: unknown, info: { fieldNodes: readonly FieldNode[] }) => {
      const size = args.first ?? args.last;
      if (size === null || size === undefined) throw Object.assign(new Error('you must provide one of first or last'), { code: 'BAD_REQUEST' });
      if (size > MAX_PAGE) throw new Error(`The page size of a connection cannot exceed ${MAX_PAGE}`);
      const filter = searchFilter(args.query);
      if ('error' in filter) throw new Error(filter.error);
      const byUpdated = args.sortKey === 'UPDATED_AT';
      const key = (c: ShopifyCustomer): [number, number] => [byUpdated ? Date.parse(c.updated_at) : c.id, c.id];
      const after = args.after === null || args.after === undefined ? undefined : decodeCursor(args.after);
      if (args.after !== null && args.after !== undefined && (after === undefined || after['s'] !== args.sortKey)) throw new Error('Invalid cursor for this connection');
      const sign = args.reverse === true ? -1 : 1;
      const cmp = (a: [number, number], b: [number, number]): number => sign * (a[0] - b[0] || a[1] - b[1]);
      const matched = customers.filter(filter).sort((a, b) => cmp(key(a), key(b)));
      const from = after === undefined ? matched : matched.filter((c) => cmp(key(c), [Number(after['k']), Number(after['id'])]) > 0);
      const page = from.slice(0, size);
      returned.set(info.fieldNodes[0]!, page.length);
      const cursor = (c: ShopifyCustomer): string => encodeCursor({ s: args.sortKey, k: key(c)[0], id: c.id });
      const nodes = page.map(customerNode);
      return {
        nodes,
        edges: page.map((c, i) => ({ cursor: cursor(c), node: nodes[i] })),
        pageInfo: { hasNextPage: from.length > page.length, hasPreviousPage: after !== undefined, startCursor: page[0] === undefined ? null : cursor(page[0]), endCursor: page.at(-1) === undefined ? null : cursor(page.at(-1)!) },
      };
    },
    customer: (args: { id: string }) => {
      const c = customers.find((x) => gid(x.id) === args.id);
      return c === undefined ? null : customerNode(c);
    },
    shop: () => ({ id: 'gid://shopify/Shop/1', name: 'Mock Shop', myshopifyDomain: 'mock.myshopify.com', currencyCode: 'USD', ianaTimezone: 'Etc/UTC' }),
    customerCreate: (args: { input: Record<string, unknown> }) => write(args.input, false),
    customerUpdate: (args: { input: Record<string, unknown> }) => write(args.input, true),
  });

  /** customerCreate / customerUpdate: `userErrors` (HTTP 200) for a taken email or an unknown id. */
  const write = (input: Record<string, unknown>, update: boolean): Record<string, unknown> => {
    const id = typeof input['id'] === 'string' ? Number(/^gid:\/\/shopify\/Customer\/(\d+)$/.exec(input['id'])?.[1] ?? NaN) : undefined;
    if (update && id === undefined) return { customer: null, userErrors: [{ field: ['id'], message: 'Customer id is required' }] };
    if (!update && id !== undefined) return { customer: null, userErrors: [{ field: ['id'], message: 'Id is not allowed on create' }] };
    let customer = id === undefined ? undefined : customers.find((c) => c.id === id);
    if (update && customer === undefined) return { customer: null, userErrors: [{ field: ['id'], message: 'Customer does not exist' }] };
    const email = typeof input['email'] === 'string' ? input['email'].trim().toLowerCase() : undefined;
    if (email !== undefined && customers.some((c) => c.email === email && c.id !== id)) return { customer: null, userErrors: [{ field: ['email'], message: 'Email has already been taken' }] };
    if (!update && (email === undefined || email === '') && typeof input['phone'] !== 'string') {
      return { customer: null, userErrors: [{ field: ['email'], message: 'A customer must have a name, phone number or email address' }] };
    }
    const now = shopifyTime(Date.now());
    if (customer === undefined) {
      customer = { id: customers.reduce((m, c) => Math.max(m, c.id), 207119550) + 1, email: '', first_name: '', last_name: '', phone: null, tags: '', created_at: now, updated_at: now, state: 'disabled', orders_count: 0, total_spent: '0.00' };
      customers.push(customer);
    }
    if (email !== undefined) customer.email = email;
    if ('firstName' in input) customer.first_name = String(input['firstName'] ?? '');
    if ('lastName' in input) customer.last_name = String(input['lastName'] ?? '');
    if ('phone' in input) customer.phone = typeof input['phone'] === 'string' && input['phone'] !== '' ? input['phone'] : null;
    if ('note' in input) customer.note = (input['note'] as string | null) ?? null;
    if (Array.isArray(input['tags'])) customer.tags = (input['tags'] as string[]).join(', ');
    customer.updated_at = now;
    return { customer: customerNode(customer), userErrors: [] };
  };

  const graphql = async (req: LoggedRequest): Promise<MockResponse> => {
    const body = jsonBody(req) as { query?: unknown; variables?: unknown; operationName?: unknown } | undefined;
    if (req.method !== 'POST' || typeof body?.query !== 'string') return { status: 400, body: { errors: [{ message: 'Bad Request: a POST with a JSON body holding "query"', extensions: { code: 'BAD_REQUEST' } }] } };
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (err) {
      return { body: { errors: errorsOf([err as GraphQLError]) } };
    }
    const invalid = validate(shopifySchema(), document);
    if (invalid.length > 0) return { body: { errors: errorsOf(invalid) } };
    const variables = body.variables !== null && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : {};
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    const op = typeof body.operationName === 'string' ? operations.find((o) => o.name?.value === body.operationName) : operations.length === 1 ? operations[0] : undefined;
    if (op === undefined) return { body: { errors: [{ message: 'An operation name is required when the document holds several operations', extensions: { code: 'BAD_REQUEST' } }] } };
    const fragments = Object.fromEntries(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((f) => [f.name.value, f]));
    const requested = operationCost(op, { fragments, variables });
    if (requested > MAX_QUERY_COST) {
      return { body: { errors: [{ message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`, extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: MAX_QUERY_COST } }] } };
    }
    if (!bucket.take(requested)) {
      return {
        body: {
          errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
          extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } },
        },
      };
    }
    const returned = new Map<FieldNode, number>();
    const result = await execute({ schema: shopifySchema(), document, rootValue: resolvers(returned), variableValues: variables, ...(op.name === undefined ? {} : { operationName: op.name.value }) });
    const actual = operationCost(op, { fragments, variables, returned });
    bucket.refund(Math.max(0, requested - actual));
    return {
      body: {
        ...(result.errors === undefined ? {} : { errors: errorsOf(result.errors) }),
        data: result.data ?? null,
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() } },
      },
    };
  };

  return startMockServer(
    async (req) => {
      const m = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(req.path);
      if (m === null) return { status: 404, body: { errors: 'Not Found' } };
      const asked = m[1]!;
      const served = SHOPIFY_VERSIONS.includes(asked) ? asked : SHOPIFY_VERSIONS[0]!;
      const answer = await graphql(req);
      return { ...answer, headers: { 'x-shopify-api-version': served, ...answer.headers } };
    },
    { faults: opts.faults, guard },
  );
}

/** The queries (not mutations) a mock answered, by operation name, from its request log. */
export function shopifyOperations(api: MockApi, from = 0): Array<{ name: string; variables: Record<string, unknown> }> {
  return api.requests.slice(from).flatMap((r) => {
    const body = jsonBody(r) as { query?: string; variables?: Record<string, unknown> } | undefined;
    if (typeof body?.query !== 'string') return [];
    const name = /^\s*(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1] ?? '';
    return [{ name, variables: body.variables ?? {} }];
  });
}
