// One test per pagination style of APIS.md, against the local mock APIs: every record read
// exactly once, and the requests look the way each API wants them.
import { hubspotContacts, startHubSpot } from '../../../examples/mock-apis/hubspot';
import { mailchimpMembers, startMailchimp } from '../../../examples/mock-apis/mailchimp';
import { pipedrivePersons, startPipedrive } from '../../../examples/mock-apis/pipedrive';
import { salesforceContacts, startSalesforce } from '../../../examples/mock-apis/salesforce';
import type { MockApi } from '../../../examples/mock-apis/server';
import { startShopifyRest as startShopify } from '../../../examples/mock-apis/shopify-rest';
import { shopifyCustomers } from '../../../examples/mock-apis/shopify-data';
import { startStripe, stripeCustomers } from '../../../examples/mock-apis/stripe';
import { startZendesk, zendeskRecords } from '../../../examples/mock-apis/zendesk';
import {
  client,
  hubspotDefinition,
  idsOf,
  mailchimpDefinition,
  pipedriveDefinition,
  readAll,
  recordsOf,
  salesforceDefinition,
  shopifyDefinition,
  stripeDefinition,
  zendeskDefinition,
} from '../../helpers/http-connectors';

let api: MockApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function expectEachOnce(ids: unknown[], expected: unknown[]): void {
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual([...expected].sort());
}

describe('pagination styles of real APIs', () => {
  it('HubSpot: cursor at paging.next.after, stops when paging.next is absent', async () => {
    const contacts = hubspotContacts(250);
    api = await startHubSpot({ objects: { contacts }, token: 'pat-na1-secret' });
    const pages = await readAll(client(hubspotDefinition(), { base_url: api.url, access_token: 'pat-na1-secret' }), 'contacts');
    expectEachOnce(idsOf(recordsOf(pages)), contacts.map((c) => c.id));
    expect(pages.map((p) => p.records.length)).toEqual([100, 100, 50]);
    expect(api.requests).toHaveLength(3);
    expect(api.requests[0]!.query.get('after')).toBeNull();
    expect(api.requests[1]!.query.get('after')).not.toBeNull();
    expect(api.requests[2]!.query.get('properties')).toBe('email,firstname,lastname');
    expect(pages[2]!.done).toBe(true);
  });

  it('HubSpot search: cursor sent in the JSON body, state.cursor in the filter', async () => {
    const contacts = hubspotContacts(250);
    api = await startHubSpot({ objects: { contacts }, token: 't0ken' });
    const since = contacts[30]!.properties['lastmodifieddate'];
    const pages = await readAll(client(hubspotDefinition(), { base_url: api.url, access_token: 't0ken' }), 'contacts', { mode: 'incremental', state: { cursor: since } });
    expectEachOnce(idsOf(recordsOf(pages)), contacts.slice(30).map((c) => c.id));
    const bodies = api.requests.map((r) => JSON.parse(r.body) as { after?: string; filterGroups: { filters: { value: string }[] }[] });
    expect(bodies.map((b) => b.filterGroups[0]!.filters[0]!.value)).toEqual([since, since, since]);
    expect(bodies[0]!.after).toBeUndefined();
    expect(typeof bodies[1]!.after).toBe('string');
    expect(api.requests.every((r) => r.method === 'POST' && r.headers['content-type'] === 'application/json')).toBe(true);
  });

  it('Pipedrive v1: start/limit offsets, stops when more_items_in_collection is false', async () => {
    const persons = pipedrivePersons(301);
    api = await startPipedrive({ persons, apiToken: 'pd-token' });
    const pages = await readAll(client(pipedriveDefinition(), { base_url: api.url, api_token: 'pd-token' }), 'persons');
    expectEachOnce(idsOf(recordsOf(pages)), persons.map((p) => p.id));
    expect(api.requests.map((r) => r.query.get('start'))).toEqual(['0', '100', '200', '300']);
    expect(api.requests.every((r) => r.headers['x-api-token'] === 'pd-token')).toBe(true);
  });

  it('Pipedrive v2: next_cursor until null, updated_since from state.cursor', async () => {
    const persons = pipedrivePersons(250);
    api = await startPipedrive({ persons, apiToken: 'pd-token' });
    const pages = await readAll(client(pipedriveDefinition(), { base_url: api.url, api_token: 'pd-token' }), 'persons', {
      mode: 'incremental',
      state: { cursor: persons[49]!.update_time },
    });
    expectEachOnce(idsOf(recordsOf(pages)), persons.slice(49).map((p) => p.id));
    expect(api.requests[0]!.query.get('updated_since')).toBe('2024-01-01T00:00:49.000Z');
    expect(api.requests.every((r) => r.path === '/api/v2/persons')).toBe(true);
  });

  it('Salesforce: relative nextRecordsUrl requested as given, stops when done', async () => {
    const records = salesforceContacts(4500);
    api = await startSalesforce({ records, token: 'sf-session' });
    const pages = await readAll(client(salesforceDefinition(), { base_url: api.url, access_token: 'sf-session' }), 'contacts');
    expectEachOnce(idsOf(recordsOf(pages), 'Id'), records.map((r) => r.Id));
    expect(pages.map((p) => p.records.length)).toEqual([2000, 2000, 500]);
    expect(api.requests[1]!.url).toMatch(/^\/services\/data\/v60\.0\/query\/01gD0000002HU6K000-2000$/);
    expect(api.requests[2]!.url).toMatch(/-4000$/);
  });

  it('Stripe: starting_after = the last record id, stops when has_more is false', async () => {
    const customers = stripeCustomers(205);
    api = await startStripe({ customers, secretKey: 'sk_test_abc' });
    const pages = await readAll(client(stripeDefinition(), { base_url: api.url, secret_key: 'sk_test_abc' }), 'customers');
    expectEachOnce(idsOf(recordsOf(pages)), customers.map((c) => c.id));
    expect(api.requests.map((r) => r.query.get('starting_after'))).toEqual([null, customers[99]!.id, customers[199]!.id]);
  });

  it('Shopify: Link header with page_info; follow-ups carry only what the link carries', async () => {
    const customers = shopifyCustomers(120);
    api = await startShopify({ customers, accessToken: 'shpat_x' });
    const since = customers[10]!.updated_at;
    const pages = await readAll(client(shopifyDefinition(), { base_url: api.url, access_token: 'shpat_x' }), 'customers', { mode: 'incremental', state: { cursor: since } });
    expectEachOnce(idsOf(recordsOf(pages)), customers.slice(10).map((c) => c.id));
    expect(api.requests).toHaveLength(3);
    expect(api.requests[0]!.query.get('updated_at_min')).toBe('2024-01-01T00:00:10.000Z');
    for (const r of api.requests.slice(1)) expect([...r.query.keys()].sort()).toEqual(['limit', 'page_info']);
  });

  it('Shopify: an unquoted rel=next is followed too', async () => {
    const customers = shopifyCustomers(75);
    api = await startShopify({ customers, accessToken: 'shpat_x', unquotedRel: true });
    const pages = await readAll(client(shopifyDefinition(), { base_url: api.url, access_token: 'shpat_x' }), 'customers');
    expectEachOnce(idsOf(recordsOf(pages)), customers.map((c) => c.id));
  });

  it('Zendesk: page[after] cursor until meta.has_more is false', async () => {
    const users = zendeskRecords(250);
    api = await startZendesk({ users, email: 'admin@example.com', apiToken: 'zd-token' });
    const pages = await readAll(client(zendeskDefinition(), { base_url: api.url, email: 'admin@example.com', api_token: 'zd-token' }), 'users');
    expectEachOnce(idsOf(recordsOf(pages)), users.map((u) => u.id));
    expect(api.requests.map((r) => r.query.get('page[size]'))).toEqual(['100', '100', '100']);
    expect(api.requests[0]!.query.get('page[after]')).toBeNull();
  });

  it('Zendesk export: start_time as unix seconds from start, cursor until end_of_stream', async () => {
    const tickets = zendeskRecords(25);
    api = await startZendesk({ users: [], tickets, email: 'a@b.c', apiToken: 'zd', exportPageSize: 10 });
    const pages = await readAll(client(zendeskDefinition(), { base_url: api.url, email: 'a@b.c', api_token: 'zd' }), 'tickets', { mode: 'incremental' });
    expectEachOnce(idsOf(recordsOf(pages)), tickets.map((t) => t.id));
    expect(api.requests[0]!.query.get('start_time')).toBe(String(Date.UTC(2020, 0, 1) / 1000));
    expect(pages.at(-1)!.done).toBe(true);
  });

  it('Mailchimp: offset/count until offset reaches total_items', async () => {
    const members = mailchimpMembers(300);
    api = await startMailchimp({ listId: 'L1', members, apiKey: 'key-us6' });
    const pages = await readAll(client(mailchimpDefinition(), { base_url: api.url, list_id: 'L1', api_key: 'key-us6' }), 'members');
    expectEachOnce(idsOf(recordsOf(pages)), members.map((m) => m.id));
    // 300 records in pages of 100: the third page reaches total_items, no fourth request.
    expect(api.requests.map((r) => r.query.get('offset'))).toEqual(['0', '100', '200']);
  });
});
