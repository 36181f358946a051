// connectors/hubspot.json and its mappings, unchanged, against the HubSpot mock: full runs copy
// the account exactly, incremental runs follow changes through the search endpoint, full runs
// find deletions, the search's 10,000-result cap is stepped over, and the batch writes land.
import { DIALECTS } from '../helpers/db';
import { hubspotCompanies, hubspotDeals, hubspotEngagements, hubspotPeople, startHubSpot, type HubSpotRecord } from '../../examples/mock-apis';
import { actionClient, expected, sendAction, sorted, withConnector, withOwnConnector, type Row } from './harness';

const TOKEN = 'pat-na1-test';
const later = (s: number): string => new Date(Date.UTC(2025, 0, 1) + s * 1000).toISOString();
const STAGES: Record<string, number> = { appointmentscheduled: 20, qualifiedtobuy: 40, presentationscheduled: 60, decisionmakerboughtin: 80, contractsent: 90, closedwon: 100, closedlost: 0 };
const live = (r: HubSpotRecord): boolean => !r.archived;
const first = (r: HubSpotRecord, type: string): string | null => r.associations?.[type]?.[0] ?? null;

function changed(r: HubSpotRecord, at: string, props: Record<string, string | null>, field = 'hs_lastmodifieddate'): void {
  Object.assign(r.properties, props, { [field]: at });
  r.updatedAt = at;
}

const contactRow = (r: HubSpotRecord): Row => ({
  email: r.properties['email']!.trim().toLowerCase(),
  first_name: r.properties['firstname'] ?? null,
  last_name: r.properties['lastname'] ?? null,
  phone: r.properties['phone'] ?? null,
  title: r.properties['jobtitle'] ?? null,
  company_id: r.properties['associatedcompanyid'] ?? null,
  lifecycle_stage: r.properties['lifecyclestage'] ?? null,
  owner: r.properties['hubspot_owner_id'] ?? null,
  'custom.hubspot_score': Number(r.properties['hubspotscore']),
});
const companyRow = (r: HubSpotRecord): Row => ({
  name: r.properties['name'],
  domain: r.properties['domain'],
  industry: r.properties['industry'],
  website: r.properties['website'],
  address: `${r.properties['address']}, ${r.properties['city']}`,
  'custom.employees': Number(r.properties['numberofemployees']),
});
const dealRow = (r: HubSpotRecord): Row => ({
  name: r.properties['dealname'],
  amount: Number(r.properties['amount']),
  currency: 'USD',
  stage: r.properties['dealstage'],
  probability: STAGES[r.properties['dealstage']!],
  close_date: r.properties['closedate']!.slice(0, 10),
  contact_id: first(r, 'contacts'),
  company_id: first(r, 'companies'),
});
const activityRow = (r: HubSpotRecord): Row => {
  const call = r.properties['hs_call_title'] !== undefined;
  return {
    type: call ? 'call' : 'note',
    subject: call ? r.properties['hs_call_title'] : null,
    body: call ? r.properties['hs_call_body'] : r.properties['hs_note_body'],
    direction: call ? r.properties['hs_call_direction']!.toLowerCase() : null,
    occurred_at: r.properties['hs_timestamp'],
    contact_id: first(r, 'contacts'),
    company_id: first(r, 'companies'),
    deal_id: first(r, 'deals'),
  };
};

const CONTACT_FIELDS = Object.keys(contactRow(hubspotPeople(1, hubspotCompanies(1))[0]!));
const COMPANY_FIELDS = Object.keys(companyRow(hubspotCompanies(1)[0]!));
const DEAL_FIELDS = ['name', 'amount', 'currency', 'stage', 'probability', 'close_date', 'contact_id', 'company_id'];
const REFS = { company_id: 'companies', contact_id: 'contacts', deal_id: 'deals' } as const;

describe.each(DIALECTS)('HubSpot connector on %s', (dialect) => {
  const companies = hubspotCompanies(120);
  const contacts = hubspotPeople(230, companies);
  const deals = hubspotDeals(130, contacts);
  const notes = hubspotEngagements('notes', 40, deals, 9001);
  const calls = hubspotEngagements('calls', 25, deals, 9501);
  const ctx = withConnector('hubspot', () => startHubSpot({ objects: { companies, contacts, deals, notes, calls }, token: TOKEN, archivedInSearch: false, enforceLimits: true }), (url) => ({ access_token: TOKEN, base_url: url }), dialect);

  async function expectEqual(archivedContactsLive: boolean): Promise<void> {
    expect(sorted(await ctx.h.snapshot('companies', COMPANY_FIELDS))).toEqual(sorted(expected(companies, (r) => r.id, companyRow, live)));
    expect(sorted(await ctx.h.snapshot('contacts', CONTACT_FIELDS, REFS))).toEqual(sorted(expected(contacts, (r) => r.id, contactRow, archivedContactsLive ? () => true : live)));
    expect(sorted(await ctx.h.snapshot('deals', DEAL_FIELDS, REFS))).toEqual(sorted(expected(deals, (r) => r.id, dealRow, live)));
    const activities = [...notes, ...calls];
    expect(sorted(await ctx.h.snapshot('activities', Object.keys(activityRow(calls[0]!)), REFS))).toEqual(sorted(expected(activities, (r) => r.id, activityRow, live)));
  }
  const MAPPINGS = ['hubspot-companies', 'hubspot-contacts', 'hubspot-deals', 'hubspot-notes', 'hubspot-calls'];

  it('copies the account with full runs, follows changes incrementally, and finds deletions with the next full run', async () => {
    const full = await ctx.h.syncAll(MAPPINGS, { full: true });
    expect(full['hubspot-contacts']!.records).toMatchObject({ read: 230, created: 230, rejected: 0 });
    expect(full['hubspot-companies']!.pages).toBe(2);
    await expectEqual(false);

    // Changes at the source, stamped after the full runs.
    changed(companies[3]!, later(1), { name: 'Renamed Corp', industry: 'RETAIL' });
    const newCompany: HubSpotRecord = { id: '2001', properties: { name: 'Newco', domain: 'newco.example', industry: 'BIOTECHNOLOGY', phone: null, website: 'https://newco.example', address: '1 New Road', city: 'Porto', numberofemployees: '3', hs_lastmodifieddate: later(2), createdate: later(2), hs_object_id: '2001' }, createdAt: later(2), updatedAt: later(2), archived: false };
    companies.push(newCompany);
    changed(contacts[10]!, later(3), { firstname: 'Changed', phone: '+1-555-0000' }, 'lastmodifieddate');
    changed(contacts[11]!, later(3), { associatedcompanyid: '2001' }, 'lastmodifieddate');
    const newContact = { ...hubspotPeople(231, companies)[230]!, id: '3001' };
    changed(newContact, later(4), { associatedcompanyid: '2001', hs_object_id: '3001' }, 'lastmodifieddate');
    contacts.push(newContact);
    contacts[20]!.archived = true;
    changed(contacts[20]!, later(5), {}, 'lastmodifieddate');
    changed(deals[0]!, later(6), { amount: '99900', dealstage: 'closedwon' });
    deals[1]!.associations = { contacts: [newContact.id], companies: ['2001'] };
    changed(deals[1]!, later(6), {});
    deals[2]!.associations = { contacts: deals[2]!.associations?.['contacts'] ?? [] };
    changed(deals[2]!, later(6), {});
    deals[3]!.archived = true;
    changed(notes[0]!, later(7), { hs_note_body: 'Edited note' });

    const before = ctx.api.requests.length;
    const inc = await ctx.h.syncAll(MAPPINGS);
    // Companies and contacts: one search each, not the lists.
    const paths = ctx.api.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(paths.filter((p) => p.endsWith('/search'))).toEqual(['POST /crm/v3/objects/companies/search', 'POST /crm/v3/objects/contacts/search']);
    expect(paths).not.toContain('GET /crm/v3/objects/contacts');
    expect(inc['hubspot-companies']!.records).toMatchObject({ created: 1, updated: 1, rejected: 0 });
    expect(inc['hubspot-contacts']!.records).toMatchObject({ created: 1, updated: 2, deleted: 0, rejected: 0 });
    // Deals have no incremental read: the run reads them all and sweeps the archived one.
    expect(inc['hubspot-deals']!.records).toMatchObject({ read: 129, updated: 3, deleted: 1 });
    // HubSpot's search never returns archived records: the archived contact is still live until a full run.
    await expectEqual(true);

    const sweep = await ctx.h.syncAll(MAPPINGS, { full: true });
    expect(sweep['hubspot-contacts']!.records).toMatchObject({ deleted: 1, created: 0, updated: 0 });
    await expectEqual(false);
    const retries = Object.values({ ...full, ...inc, ...sweep }).reduce((n, s) => n + s.retries, 0);
    // The declared budget (100 per 10 s) stays under the mock's enforced one: no 429 was met.
    expect(retries).toBe(0);
  });

  if (dialect === 'sqlite') {
    it('writes through the batch actions: upsert by email, update by id, create and update companies and deals', async () => {
      const client = await actionClient('hubspot', { access_token: TOKEN, base_url: ctx.api.url });
      const created = await sendAction(client, 'upsert_contacts', { properties: { email: 'pushed@example.com', firstname: 'Pushed' } });
      const newId = (created.body as { results: { id: string; new: boolean }[] }).results[0]!;
      expect(newId.new).toBe(true);
      expect(contacts.find((c) => c.id === newId.id)?.properties['firstname']).toBe('Pushed');
      const again = await sendAction(client, 'upsert_contacts', { properties: { email: 'PUSHED@example.com', lastname: 'Again' } });
      expect((again.body as { results: { id: string; new: boolean }[] }).results[0]).toMatchObject({ id: newId.id, new: false });
      await sendAction(client, 'update_contacts', { id: contacts[0]!.id, properties: { jobtitle: 'Chief Pusher' } });
      expect(contacts[0]!.properties['jobtitle']).toBe('Chief Pusher');
      const company = await sendAction(client, 'create_companies', { properties: { name: 'Pushed Co', domain: 'pushed.example' } });
      const companyId = (company.body as { results: { id: string }[] }).results[0]!.id;
      await sendAction(client, 'update_companies', { id: companyId, properties: { industry: 'RETAIL' } });
      expect(companies.find((c) => c.id === companyId)?.properties).toMatchObject({ name: 'Pushed Co', industry: 'RETAIL' });
      const deal = await sendAction(client, 'create_deals', { properties: { dealname: 'Pushed deal', amount: 1200 } });
      const dealId = (deal.body as { results: { id: string }[] }).results[0]!.id;
      await sendAction(client, 'update_deals', { id: dealId, properties: { dealstage: 'closedwon' } });
      expect(deals.find((d) => d.id === dealId)?.properties).toMatchObject({ dealname: 'Pushed deal', amount: '1200', dealstage: 'closedwon' });
      const writes = ctx.api.requests.filter((r) => r.path.includes('/batch/')).map((r) => `${r.method} ${r.path}`);
      expect(writes).toContain('POST /crm/v3/objects/contacts/batch/upsert');
      expect(ctx.api.requests.filter((r) => r.path.includes('/batch/')).every((r) => r.headers['authorization'] === `Bearer ${TOKEN}`)).toBe(true);
    });
  }
});

describe("HubSpot search's 10,000-result cap", () => {
  it('a first incremental run over 10,500 contacts restarts its search from the committed cursor instead of paging past the cap', async () => {
    const contacts = hubspotPeople(10_500, []);
    const api = await startHubSpot({ objects: { contacts, companies: [] }, token: TOKEN, archivedInSearch: false });
    await withOwnConnector('hubspot', api, { access_token: TOKEN, base_url: api.url }, async (h) => {
      const run = await h.sync('hubspot-contacts');
      const searches = api.requests.map((r) => JSON.parse(r.body) as { after?: string; filterGroups: { filters: { value: string }[] }[] });
      const bounds = [...new Set(searches.map((s) => s.filterGroups[0]!.filters[0]!.value))];
      // From `start`, then again from the last committed modification time after 9,000 records.
      expect(bounds).toEqual(['1970-01-01T00:00:00Z', contacts[8999]!.properties['lastmodifieddate']]);
      expect(run.records).toMatchObject({ created: 10_500, rejected: 0 });
      expect((await h.snapshot('contacts', ['email'])).size).toBe(10_500);
    });
  });
});
