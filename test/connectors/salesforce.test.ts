// connectors/salesforce.json and its mappings, unchanged, against the Salesforce mock: OAuth2
// refresh with the instance_url as base URL, SOQL batches of nextRecordsUrl, full runs, then
// queryAll incremental runs that see updates, inserts and deletions; upserts by external id.
import { TokenIssuer, salesforceOrg, sfTime, startSalesforce, type SalesforceRecord } from '../../examples/mock-apis';
import { actionClient, expected, sendAction, sorted, withConnector, withOwnConnector, type Row } from './harness';

const CLIENT = { clientId: 'sf-client', clientSecret: 'sf-secret', refreshToken: 'sf-refresh' };
const later = (s: number): string => sfTime(Date.UTC(2025, 0, 1) + s * 1000);
const live = (r: SalesforceRecord): boolean => r['IsDeleted'] !== true;
const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const iso = (v: unknown): string => new Date(Date.parse(String(v))).toISOString();

const contactRow = (r: SalesforceRecord): Row => ({ email: str(r['Email'])?.toLowerCase() ?? null, first_name: str(r['FirstName']), last_name: str(r['LastName']), phone: str(r['Phone']), title: str(r['Title']), company_id: str(r['AccountId']) });
const accountRow = (r: SalesforceRecord): Row => ({
  name: r['Name'],
  domain: String(r['Website']).toLowerCase().replace(/^https?:\/\//, '').replace('www.', '').replace(/\//g, ''),
  industry: str(r['Industry']),
  address: `${r['BillingStreet']}, ${r['BillingCity']}, ${r['BillingCountry']}`,
  'custom.employees': r['NumberOfEmployees'],
});
const opportunityRow = (r: SalesforceRecord): Row => ({ name: r['Name'], amount: r['Amount'], currency: 'EUR', stage: r['StageName'], probability: r['Probability'], close_date: r['CloseDate'], contact_id: str(r['ContactId']), company_id: str(r['AccountId']) });
const TASK_TYPES: Record<string, string> = { Call: 'call', Email: 'email', Task: 'task' };
const activityRow = (r: SalesforceRecord): Row =>
  r.attributes.type === 'Task'
    ? { type: TASK_TYPES[String(r['TaskSubtype'])], subject: r['Subject'], occurred_at: iso(r['ActivityDate']), direction: r['CallType'] === null ? null : String(r['CallType']).toLowerCase(), contact_id: str(r['WhoId']), deal_id: str(r['WhatId']) }
    : { type: 'meeting', subject: r['Subject'], occurred_at: iso(r['StartDateTime']), direction: null, contact_id: str(r['WhoId']), deal_id: str(r['WhatId']) };
const REFS = { company_id: 'companies', contact_id: 'contacts', deal_id: 'deals' } as const;
const MAPPINGS = ['salesforce-accounts', 'salesforce-contacts', 'salesforce-opportunities', 'salesforce-tasks', 'salesforce-events'];

function touch(r: SalesforceRecord, at: string, fields: Record<string, unknown> = {}): void {
  Object.assign(r, fields, { SystemModstamp: at });
}

describe('Salesforce connector on sqlite', () => {
  const org = salesforceOrg({ accounts: 30, contacts: 70, opportunities: 45, tasks: 36, events: 12 });
  const tokens = new TokenIssuer({ ...CLIENT, expiresIn: 7200 });
  const ctx = withConnector('salesforce', () => startSalesforce({ objects: org, tokens, batchSize: 25 }), (url) => ({ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: CLIENT.refreshToken, login_url: url, currency: 'EUR' }));

  async function expectEqual(): Promise<void> {
    expect(sorted(await ctx.h.snapshot('companies', Object.keys(accountRow(org.Account[0]!))))).toEqual(sorted(expected(org.Account, (r) => r.Id, accountRow, live)));
    expect(sorted(await ctx.h.snapshot('contacts', Object.keys(contactRow(org.Contact[0]!)), REFS))).toEqual(sorted(expected(org.Contact, (r) => r.Id, contactRow, live)));
    expect(sorted(await ctx.h.snapshot('deals', Object.keys(opportunityRow(org.Opportunity[0]!)), REFS))).toEqual(sorted(expected(org.Opportunity, (r) => r.Id, opportunityRow, live)));
    expect(sorted(await ctx.h.snapshot('activities', Object.keys(activityRow(org.Task[0]!)), REFS))).toEqual(sorted(expected([...org.Task, ...org.Event], (r) => r.Id, activityRow, live)));
  }

  it('copies the org in full, then follows updates, inserts and deletions with queryAll', async () => {
    const full = await ctx.h.syncAll(MAPPINGS, { full: true });
    expect(full['salesforce-contacts']!.records).toMatchObject({ read: 70, created: 70, rejected: 0 });
    expect(full['salesforce-contacts']!.pages).toBe(3);
    await expectEqual();
    // Every data call went to the instance_url of the token response, with the token.
    expect(tokens.refreshes).toBeGreaterThanOrEqual(1);
    expect(ctx.api.requests.filter((r) => r.path.startsWith('/services/data/')).every((r) => /^Bearer at-/.test(String(r.headers['authorization'])))).toBe(true);

    touch(org.Account[2]!, later(1), { Website: 'http://renamed.example/', Industry: 'Retail' });
    touch(org.Contact[5]!, later(2), { Title: 'VP Engineering', AccountId: org.Account[2]!.Id });
    touch(org.Contact[6]!, later(2), { IsDeleted: true });
    org.Contact.push({ attributes: { type: 'Contact', url: '/x' }, Id: '003DNEW00000001', FirstName: 'New', LastName: 'Person', Email: 'NEW@example.com', Phone: null, Title: null, AccountId: org.Account[0]!.Id, IsDeleted: false, SystemModstamp: later(3) });
    touch(org.Opportunity[0]!, later(4), { StageName: 'Closed Won', Probability: 100, Amount: 123456 });
    touch(org.Opportunity[1]!, later(4), { IsDeleted: true });
    touch(org.Task[0]!, later(5), { Subject: 'Rescheduled call' });
    touch(org.Event[0]!, later(5), { IsDeleted: true });

    const before = ctx.api.requests.length;
    const inc = await ctx.h.syncAll(MAPPINGS);
    const queries = ctx.api.requests.slice(before).filter((r) => r.path.endsWith('/queryAll'));
    expect(queries).toHaveLength(5);
    expect(queries[0]!.query.get('q')).toMatch(/WHERE SystemModstamp > \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ORDER BY SystemModstamp$/);
    expect(inc['salesforce-accounts']!.records).toMatchObject({ updated: 1, created: 0 });
    expect(inc['salesforce-contacts']!.records).toMatchObject({ updated: 1, created: 1, deleted: 1 });
    expect(inc['salesforce-opportunities']!.records).toMatchObject({ updated: 1, deleted: 1 });
    expect(inc['salesforce-events']!.records).toMatchObject({ deleted: 1 });
    await expectEqual();

    const sweep = await ctx.h.syncAll(MAPPINGS, { full: true });
    for (const s of Object.values(sweep)) expect(s.records).toMatchObject({ created: 0, updated: 0, deleted: 0, rejected: 0 });
    await expectEqual();
  });

  it('upserts contacts and accounts by the external id field', async () => {
    const client = await actionClient('salesforce', { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: CLIENT.refreshToken, login_url: ctx.api.url });
    const created = await sendAction(client, 'upsert_contact', { switchboard_id: 'crm-0001', fields: { LastName: 'Pushed', Email: 'pushed@example.com' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ success: true, created: true });
    const id = (created.body as { id: string }).id;
    const updated = await sendAction(client, 'upsert_contact', { switchboard_id: 'crm-0001', fields: { Title: 'Buyer' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, created: false });
    expect(org.Contact.find((c) => c.Id === id)).toMatchObject({ LastName: 'Pushed', Title: 'Buyer', Switchboard_Id__c: 'crm-0001' });
    const account = await sendAction(client, 'upsert_account', { switchboard_id: 'crm-0002', fields: { Name: 'Pushed Inc' } });
    expect(account.status).toBe(201);
    expect(ctx.api.requests.at(-1)!.path).toBe('/services/data/v60.0/sobjects/Account/Switchboard_Id__c/crm-0002');
  });
});

describe('Salesforce daily allowance', () => {
  it('a run that meets REQUEST_LIMIT_EXCEEDED fails at once instead of retrying a limit that lasts the day', async () => {
    const tokens = new TokenIssuer({ ...CLIENT });
    const api = await startSalesforce({ objects: salesforceOrg({ accounts: 3, contacts: 3, opportunities: 0, tasks: 0, events: 0 }), tokens, dailyLimit: 1 });
    await withOwnConnector('salesforce', api, { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: CLIENT.refreshToken, login_url: api.url }, async (h) => {
      expect((await h.sync('salesforce-accounts', { full: true })).records).toMatchObject({ created: 3 });
      const before = api.requests.length;
      const spent = await h.run('salesforce-contacts', { full: true });
      expect(spent.status).toBe('failed');
      expect(spent.error?.message).toContain('REQUEST_LIMIT_EXCEEDED');
      // One request: a 403 is not among the statuses the connector retries.
      expect(api.requests.slice(before).map((r) => r.path)).toEqual(['/services/data/v60.0/query']);
    });
  });
});
