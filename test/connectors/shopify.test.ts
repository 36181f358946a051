// connectors/shopify.json and its mapping, unchanged, against the GraphQL Admin API mock, on both
// databases: cursor pages in full, incremental runs that ask only for what changed (the search
// query, counted at the mock), deletions found by full runs, a run killed with SIGKILL and
// resumed at its cursor, the cost bucket waited on instead of throttled, a THROTTLED answer sent
// again, other GraphQL errors failing the run by name, and pushes through customerCreate /
// customerUpdate whose userErrors reject the record. The REST-era definition cannot read the shop.
import { join } from 'node:path';
import { loadDefinitions } from '../../core/definitions';
import { ConnectorClient } from '../../core/http';
import { readRecords } from '../../core/http/read';
import * as crm from '../../core/store/crm';
import * as rejected from '../../core/store/tables/rejected-records';
import * as syncRuns from '../../core/store/tables/sync-runs';
import * as syncState from '../../core/store/tables/sync-state';
import { shopifyOperations, shopifyShoppers, shopifyTime, startShopify, type MockApi, type ShopifyCustomer } from '../../examples/mock-apis';
import { faultAt, jsonBody } from '../../examples/mock-apis/server';
import { killCliWhen } from '../helpers/cli';
import { DIALECTS } from '../helpers/db';
import { Harness, expected, sorted, type Row } from './harness';

const TOKEN = 'shpat_test';
const later = (s: number): string => shopifyTime(Date.UTC(2025, 0, 1) + s * 1000);
const id = (c: ShopifyCustomer): string => String(c.id);
const config = (url: string) => ({ shop: 'mock', access_token: TOKEN, base_url: url });
const row = (c: ShopifyCustomer): Row => ({
  email: c.email.toLowerCase(),
  first_name: c.first_name,
  last_name: c.last_name,
  phone: c.phone ?? c.default_address?.phone ?? null,
  lifecycle_stage: (c.orders_count ?? 0) > 0 ? 'customer' : 'lead',
  'custom.tags': c.tags === '' ? [] : c.tags.split(',').map((t) => t.trim()),
  'custom.total_spent': Number(c.total_spent ?? '0.0'),
  'custom.company': c.default_address?.company ?? null,
});
const FIELDS = Object.keys(row(shopifyShoppers(1)[0]!));
const graphqlPosts = (api: MockApi, from = 0) => api.requests.slice(from).filter((r) => r.method === 'POST' && r.path === '/admin/api/2026-04/graphql.json').length;
/** A Shopify Plus store's bucket: the suites that are not about throttling are not slowed by it. */
const PLUS = { size: 20_000, restorePerSecond: 1000 };

describe.each(DIALECTS)('Shopify GraphQL connector (%s)', (dialect) => {
  const customers = shopifyShoppers(250);
  let api: MockApi;
  let h: Harness;
  beforeAll(async () => {
    api = await startShopify({ customers, accessToken: TOKEN, bucket: PLUS });
    h = await Harness.open(dialect, 'shopify', config(api.url));
  });
  afterAll(async () => {
    await api.close();
    await h.close();
  });
  const snapshot = async () => sorted(await h.snapshot('contacts', FIELDS));

  it('copies the customers in full, asks only for what changed, and sweeps deleted ones in full runs', async () => {
    const full = await h.sync('shopify-customers', { full: true });
    expect(full).toMatchObject({ records: { read: 250, created: 250, rejected: 0 }, pages: 3 });
    expect(graphqlPosts(api)).toBe(api.requests.length);
    const ops = shopifyOperations(api);
    expect(ops.map((o) => o.name)).toEqual(['Customers', 'Customers', 'Customers']);
    expect(ops[0]!.variables).toEqual({ first: 100 });
    expect(ops[1]!.variables['after']).toEqual(expect.any(String));
    expect(await snapshot()).toEqual(sorted(expected(customers, id, row)));

    Object.assign(customers[7]!, { first_name: 'Changed', tags: 'vip', updated_at: later(1) });
    Object.assign(customers[8]!, { orders_count: (customers[8]!.orders_count ?? 0) > 0 ? 0 : 4, updated_at: later(1) });
    customers.push({ ...shopifyShoppers(251)[250]!, id: 999, email: 'new@example.com', updated_at: later(2) });
    const gone = customers.splice(20, 1)[0]!;
    const before = api.requests.length;
    const inc = await h.sync('shopify-customers');
    // One page, asking only for customers updated since the cursor less the 60 s lookback: the
    // 61 customers updated in the last minute before it, and the 3 changes.
    const asked = shopifyOperations(api, before);
    expect(asked).toEqual([{ name: 'CustomersUpdated', variables: { first: 100, query: expect.stringMatching(/^updated_at:>='2024-01-01T00:0\d:\d\d\.000Z'$/) } }]);
    expect(inc.records).toMatchObject({ read: 64, created: 1, updated: 2, deleted: 0 });
    // A deleted customer simply leaves the list: the incremental run cannot see it.
    expect((await h.snapshot('contacts', ['email'])).has(id(gone))).toBe(true);
    const quiet = await h.sync('shopify-customers');
    expect(quiet.records).toMatchObject({ read: 3, created: 0, updated: 0, unchanged: 3 });

    const sweep = await h.sync('shopify-customers', { full: true });
    expect(sweep.records).toMatchObject({ deleted: 1, created: 0, updated: 0 });
    expect(await snapshot()).toEqual(sorted(expected(customers, id, row)));
    expect(api.requests.every((r) => r.headers['x-shopify-access-token'] === TOKEN)).toBe(true);
  });

  it('pushes CRM contacts through customerCreate and customerUpdate; a userError rejects its record, the others are written once', async () => {
    const opts = { origin: 'api' as const };
    const fresh = await crm.create(h.db.knex, 'contacts', { email: 'pushed@example.com', first_name: 'Pushed', last_name: 'Customer' }, opts);
    const taken = await crm.create(h.db.knex, 'contacts', { email: customers[3]!.email, first_name: 'Dupe', last_name: 'Email' }, opts);
    const existing = (await crm.list(h.db.knex, 'contacts', { filter: { email: customers[5]!.email } })).items[0]!;
    await crm.update(h.db.knex, 'contacts', existing.id, { phone: '+1-555-0199' }, opts);
    const before = api.requests.length;
    const pushed = await h.push('shopify-customers');
    expect(pushed).toMatchObject({ records: { created: 1, updated: 1, rejected: 1 } });
    expect(shopifyOperations(api, before).map((o) => o.name).sort()).toEqual(['CustomerCreate', 'CustomerCreate', 'CustomerUpdate']);
    const made = customers.find((c) => c.email === 'pushed@example.com')!;
    expect(made).toMatchObject({ first_name: 'Pushed', last_name: 'Customer' });
    expect(customers[5]!.phone).toBe('+1-555-0199');
    expect(customers.filter((c) => c.email === customers[3]!.email)).toHaveLength(1);
    const links = await h.links('contacts');
    expect(links.get(fresh.id)).toBe(String(made.id));
    expect(links.has(taken.id)).toBe(false);
    const [refused] = await rejected.listByRun(h.db.knex, pushed.run_id as string);
    expect(refused).toMatchObject({ code: 'SB_HTTP_ITEM_REJECTED', reason: 'email: Email has already been taken' });
    // Nothing is sent again: the rejected record is not retried, the written ones are done.
    const again = api.requests.length;
    expect(await h.push('shopify-customers')).toMatchObject({ records: { read: 0 } });
    expect(api.requests.length).toBe(again);
  });
});

describe.each(DIALECTS)('a Shopify sync killed mid-run (%s)', (dialect) => {
  it('resumes at the cursor of its last committed page, never from the start, and ends exact', async () => {
    const customers = shopifyShoppers(1500);
    // Every page answers after 40 ms, so the run is still going when it is killed.
    const api = await startShopify({ customers, accessToken: TOKEN, bucket: PLUS, faults: () => ({ delayMs: 40 }) });
    const h = await Harness.open(dialect, 'shopify', config(api.url));
    try {
      const { args, cwd, env } = h.cli('shopify-customers', { full: true });
      expect(await killCliWhen(args, { cwd, env }, () => api.requests.length >= 6)).toBe('SIGKILL');
      const [killed] = await syncRuns.list(h.db.knex, { limit: 1 });
      expect(killed?.status).toBe('running');
      const state = await syncState.load(h.db.knex, { connectionId: killed!.connectionId, mappingId: 'shopify-customers' });
      expect(state.checkpointRunId).toBe(killed!.id);
      const committed = killed!.counts.records_created;
      expect(committed).toBeGreaterThan(0);

      const before = api.requests.length;
      const again = await h.sync('shopify-customers', { full: true });
      expect(again).toMatchObject({ run_id: killed!.id, status: 'succeeded' });
      const resumed = shopifyOperations(api, before);
      // The first request after the resume carries the saved cursor: finished pages are not read again.
      expect(resumed[0]!.variables['after']).toEqual(expect.any(String));
      expect(resumed.length).toBeLessThanOrEqual(15 - committed / 100);
      expect(await h.snapshot('contacts', FIELDS)).toEqual(expected(customers, id, row));
      const total = (await h.db.knex('contacts').count({ n: '*' }).first()) as { n: number | string };
      expect(Number(total.n)).toBe(1500);
    } finally {
      await api.close();
      await h.close();
    }
  }, 90_000);
});

describe('Shopify cost-based throttling', () => {
  const definition = async () => (await loadDefinitions({ paths: [join(__dirname, '..', '..', 'connectors', 'shopify.json')] })).registry.connector('shopify');

  it('waits on the cost bucket the answers report instead of meeting THROTTLED answers', async () => {
    const customers = shopifyShoppers(400);
    // 1,100 points restored at 1,000 a second: a page costs 502, so two in flight do not fit after the first.
    const api = await startShopify({ customers, accessToken: TOKEN, bucket: { size: 1100, restorePerSecond: 1000 } });
    try {
      const client = new ConnectorClient({ connector: await definition(), config: config(api.url) });
      let read = 0;
      for await (const page of readRecords(client, 'customers', { mode: 'full', state: {} })) read += page.records.length;
      expect(read).toBe(400);
      expect(client.stats.retries).toBe(0);
      const throttled = api.requests.filter((r) => r.method === 'POST').length - 4;
      expect(throttled).toBe(0);
      expect(client.cost.drain().budgets['api']?.waitMs).toBeGreaterThan(0);
    } finally {
      await api.close();
    }
  });

  it('sends a THROTTLED answer (HTTP 200) again once the points it asked for are restored', async () => {
    const customers = shopifyShoppers(150);
    // A bucket of 600 points: the first page (502) fits, the second must wait for points to come back.
    const api = await startShopify({ customers, accessToken: TOKEN, bucket: { size: 600, restorePerSecond: 2000 } });
    try {
      const connector = await definition();
      // Without the cost paths the client cannot wait ahead: it meets the throttle and must retry it.
      const blind = { ...connector, graphql: { retry_codes: ['THROTTLED'] } };
      const client = new ConnectorClient({ connector: blind, config: config(api.url) });
      let read = 0;
      for await (const page of readRecords(client, 'customers', { mode: 'full', state: {} })) read += page.records.length;
      expect(read).toBe(150);
      expect(client.stats.retries).toBeGreaterThanOrEqual(1);
      expect(api.requests.length).toBe(2 + client.stats.retries);
    } finally {
      await api.close();
    }
  });

  it('fails with SB_GRAPHQL_ERROR naming the error when the answer carries one that is not a throttle', async () => {
    const api = await startShopify({
      customers: shopifyShoppers(5),
      accessToken: TOKEN,
      faults: faultAt([1], { body: { errors: [{ message: 'Internal error. Looks like something went wrong on our end.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] } }),
    });
    try {
      const client = new ConnectorClient({ connector: await definition(), config: config(api.url) });
      const read = async () => {
        for await (const page of readRecords(client, 'customers', { mode: 'full', state: {} })) void page;
      };
      await expect(read()).rejects.toMatchObject({ code: 'SB_GRAPHQL_ERROR', message: expect.stringContaining('Internal error. Looks like something went wrong on our end. (INTERNAL_SERVER_ERROR)') });
      expect(api.requests).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it('the REST-era connector (fixtures/legacy, as shipped before) fails against this shop: REST Admin customers.json is not served', async () => {
    const api = await startShopify({ customers: shopifyShoppers(5), accessToken: TOKEN });
    try {
      const { registry } = await loadDefinitions({ paths: [join(__dirname, '..', 'fixtures', 'legacy', 'shopify.json')] });
      const client = new ConnectorClient({ connector: registry.connector('shopify'), config: config(api.url) });
      const read = async () => {
        for await (const page of readRecords(client, 'customers', { mode: 'full', state: {} })) void page;
      };
      await expect(read()).rejects.toMatchObject({ code: 'SB_HTTP_REQUEST_FAILED', details: { status: 404 } });
      expect(jsonBody(api.requests[0]!)).toBeUndefined();
    } finally {
      await api.close();
    }
  });
});
