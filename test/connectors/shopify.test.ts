// connectors/shopify.json and its mapping, unchanged, against the Shopify mock: Link-header pages
// in full, updated_at_min runs that follow changes, deletions found by full runs, the leaky
// bucket never overflowed (and its 429s waited out when it is smaller), customers written.
import { shopifyShoppers, shopifyTime, startShopify, type ShopifyCustomer } from '../../examples/mock-apis';
import { faultAt } from '../../examples/mock-apis/server';
import { actionClient, expected, sendAction, sorted, withConnector, type Row } from './harness';

const TOKEN = 'shpat_test';
const later = (s: number): string => shopifyTime(Date.UTC(2025, 0, 1) + s * 1000);
const id = (c: ShopifyCustomer): string => String(c.id);
const row = (c: ShopifyCustomer): Row => ({
  email: c.email.toLowerCase(),
  first_name: c.first_name,
  last_name: c.last_name,
  phone: c.phone ?? c.default_address?.phone ?? null,
  lifecycle_stage: (c.orders_count ?? 0) > 0 ? 'customer' : 'lead',
  'custom.tags': c.tags,
  'custom.total_spent': Number(c.total_spent),
  'custom.company': c.default_address?.company ?? null,
});

describe('Shopify connector on sqlite', () => {
  const customers = shopifyShoppers(300);
  const ctx = withConnector('shopify', () => startShopify({ customers, accessToken: TOKEN }), (url) => ({ shop: 'mock', access_token: TOKEN, base_url: url }));

  const snapshot = async () => sorted(await ctx.h.snapshot('contacts', Object.keys(row(customers[0]!))));

  it('copies the customers in full, follows changes with updated_at_min, and sweeps deleted ones in full runs', async () => {
    const full = await ctx.h.sync('shopify-customers', { full: true });
    expect(full).toMatchObject({ records: { read: 300, created: 300, rejected: 0 }, pages: 2 });
    expect(ctx.api.requests[1]!.url).toMatch(/^\/admin\/api\/2024-01\/customers\.json\?limit=250&page_info=[\w-]+$/);
    expect(await snapshot()).toEqual(sorted(expected(customers, id, row)));

    Object.assign(customers[7]!, { first_name: 'Changed', tags: 'vip', updated_at: later(1) });
    Object.assign(customers[8]!, { orders_count: (customers[8]!.orders_count ?? 0) > 0 ? 0 : 4, updated_at: later(1) });
    customers.push({ ...shopifyShoppers(301)[300]!, id: 999, email: 'NEW@EXAMPLE.COM', updated_at: later(2) });
    const gone = customers.splice(20, 1)[0]!;
    const before = ctx.api.requests.length;
    const inc = await ctx.h.sync('shopify-customers');
    expect(ctx.api.requests.slice(before).map((r) => r.query.get('updated_at_min'))).toEqual([expect.stringMatching(/^2024-01-01T00:0\d:\d\d\.000Z$/)]);
    expect(inc.records).toMatchObject({ created: 1, updated: 2, deleted: 0 });
    // Deleted customers simply leave the list: the incremental run cannot see it.
    expect((await ctx.h.snapshot('contacts', ['email'])).has(id(gone))).toBe(true);

    const sweep = await ctx.h.sync('shopify-customers', { full: true });
    expect(sweep.records).toMatchObject({ deleted: 1, created: 0, updated: 0 });
    expect(await snapshot()).toEqual(sorted(expected(customers, id, row)));
    // 40 requests per 20 s never overflows a bucket of 40 draining 2 a second.
    expect(full.retries + inc.retries + sweep.retries).toBe(0);
    expect(ctx.api.requests.every((r) => r.headers['x-shopify-access-token'] === TOKEN)).toBe(true);
  });

  it('creates and updates customers', async () => {
    const client = await actionClient('shopify', { shop: 'mock', access_token: TOKEN, base_url: ctx.api.url });
    const created = await sendAction(client, 'create_customer', { customer: { email: 'Pushed@Example.com', first_name: 'Pushed', last_name: 'Customer' } });
    expect(created.status).toBe(201);
    const newId = (created.body as { customer: { id: number } }).customer.id;
    await sendAction(client, 'update_customer', { id: String(newId), customer: { phone: '+1-555-0101' } });
    expect(customers.find((c) => c.id === newId)).toMatchObject({ email: 'pushed@example.com', phone: '+1-555-0101' });
    await expect(sendAction(client, 'create_customer', { customer: { email: 'pushed@example.com' } })).rejects.toMatchObject({ message: expect.stringContaining('422') });
  });
});

describe('Shopify leaky bucket', () => {
  it('waits while X-Shopify-Shop-Api-Call-Limit says the bucket is full, instead of meeting 429s', async () => {
    const customers = shopifyShoppers(6);
    // A bucket of 2 draining 2 a second: the declared 40 per 20 s alone would overflow it.
    const api = await startShopify({ customers, accessToken: TOKEN, bucket: { size: 2, leakPerSecond: 2 } });
    try {
      const client = await actionClient('shopify', { shop: 'mock', access_token: TOKEN, base_url: api.url });
      for (const c of customers) await sendAction(client, 'update_customer', { id: String(c.id), customer: { note: `note ${c.id}` } });
      expect(customers.map((c) => c.note)).toEqual(customers.map((c) => `note ${c.id}`));
      expect(client.stats.retries).toBe(0);
      expect(api.requests).toHaveLength(6);
      // The waits are the API's (its header), not the declared budget's.
      expect(client.cost.drain().budgets['api']?.waitMs).toBeGreaterThan(0);
    } finally {
      await api.close();
    }
  });

  it('waits out a 429 by its fractional Retry-After', async () => {
    const customers = shopifyShoppers(3);
    const api = await startShopify({ customers, accessToken: TOKEN, faults: faultAt([1], { status: 429, headers: { 'retry-after': '0.5' }, body: { errors: 'Exceeded 2 calls per second for api client.' } }) });
    try {
      const client = await actionClient('shopify', { shop: 'mock', access_token: TOKEN, base_url: api.url });
      for (const c of customers) await sendAction(client, 'update_customer', { id: String(c.id), customer: { note: `note ${c.id}` } });
      expect(customers.map((c) => c.note)).toEqual(customers.map((c) => `note ${c.id}`));
      expect(client.stats.retries).toBe(1);
      expect(api.requests).toHaveLength(4);
      expect(api.requests[2]!.at - api.requests[1]!.at).toBeGreaterThanOrEqual(450);
    } finally {
      await api.close();
    }
  });
});
