// connectors/salesforce.json and its mappings, unchanged, against the Salesforce mock on both
// databases: OAuth2 refresh with the instance_url as base URL; full runs through Bulk API 2.0
// queryAll jobs (created, polled, CSV results downloaded by locator, deleted) that keep archived
// tasks and events and apply recycle-bin deletions; REST queryAll incremental runs that ask only
// for what changed; a run killed while its job runs or mid-download, resumed with the same job
// (or a new one when the job expired); a failed job failing the run with its message; results
// larger than one set streamed without being held; upserts by external id.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefinitions } from '../../core/definitions';
import { ConnectorClient } from '../../core/http';
import { readRecords } from '../../core/http/read';
import * as syncRuns from '../../core/store/tables/sync-runs';
import * as syncState from '../../core/store/tables/sync-state';
import { TokenIssuer, salesforceContacts, salesforceOrg, sfTime, startSalesforce, type SalesforceMock, type SalesforceRecord } from '../../examples/mock-apis';
import { jsonBody } from '../../examples/mock-apis/server';
import { killCliWhen } from '../helpers/cli';
import { DIALECTS } from '../helpers/db';
import { Harness, actionClient, expected, sendAction, sorted, withConnector, withOwnConnector, type Row } from './harness';

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

const configOf = (url: string) => ({ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: CLIENT.refreshToken, login_url: url, currency: 'EUR' });
/** `n` contacts with what the contacts mapping requires (a last name). */
const contacts = (n: number): SalesforceRecord[] => salesforceContacts(n).map((r, i) => ({ ...r, LastName: `Person${i + 1}`, IsDeleted: false }));
const bulkCreates = (api: SalesforceMock, from = 0) => api.requests.slice(from).filter((r) => r.method === 'POST' && r.path === '/services/data/v60.0/jobs/query').map((r) => jsonBody(r) as { operation: string; query: string });

describe.each(DIALECTS)('Salesforce connector (%s)', (dialect) => {
  const org = salesforceOrg({ accounts: 30, contacts: 70, opportunities: 45, tasks: 36, events: 12 });
  // Archived activities exist from the start: /query leaves them out, queryAll does not.
  for (const r of [...org.Task.slice(0, 5), ...org.Event.slice(0, 2)]) r['IsArchived'] = true;
  // A task deleted before the first run, still in the recycle bin: queryAll returns it, as a deletion.
  org.Task[6]!['IsDeleted'] = true;
  const tokens = new TokenIssuer({ ...CLIENT, expiresIn: 7200 });
  const ctx = withConnector('salesforce', () => startSalesforce({ objects: org, tokens, batchSize: 25 }), configOf, dialect);
  const api = (): SalesforceMock => ctx.api as SalesforceMock;

  async function expectEqual(): Promise<void> {
    expect(sorted(await ctx.h.snapshot('companies', Object.keys(accountRow(org.Account[0]!))))).toEqual(sorted(expected(org.Account, (r) => r.Id, accountRow, live)));
    expect(sorted(await ctx.h.snapshot('contacts', Object.keys(contactRow(org.Contact[0]!)), REFS))).toEqual(sorted(expected(org.Contact, (r) => r.Id, contactRow, live)));
    expect(sorted(await ctx.h.snapshot('deals', Object.keys(opportunityRow(org.Opportunity[0]!)), REFS))).toEqual(sorted(expected(org.Opportunity, (r) => r.Id, opportunityRow, live)));
    expect(sorted(await ctx.h.snapshot('activities', Object.keys(activityRow(org.Task[0]!)), REFS))).toEqual(sorted(expected([...org.Task, ...org.Event], (r) => r.Id, activityRow, live)));
  }

  it('copies the org in full through queryAll bulk jobs (archived activities kept), then follows updates, inserts, archiving and deletions with queryAll', async () => {
    const full = await ctx.h.syncAll(MAPPINGS, { full: true });
    expect(bulkCreates(api()).map((b) => b.operation)).toEqual(['queryAll', 'queryAll', 'queryAll', 'queryAll', 'queryAll']);
    expect(api().bulk.deleted).toEqual(api().bulk.created);
    // No REST query read the full runs.
    expect(api().requests.filter((r) => /\/v60\.0\/query(All)?$/.test(r.path))).toHaveLength(0);
    expect(full['salesforce-contacts']!.records).toMatchObject({ read: 70, created: 70, rejected: 0 });
    expect(full['salesforce-tasks']!.records).toMatchObject({ read: 36, created: 35, rejected: 0 });
    await expectEqual();
    const archived = await ctx.h.snapshot('activities', ['subject']);
    for (const r of [...org.Task.slice(0, 5), ...org.Event.slice(0, 2)]) expect(archived.has(r.Id)).toBe(true);
    expect(tokens.refreshes).toBeGreaterThanOrEqual(1);
    expect(api().requests.filter((r) => r.path.startsWith('/services/data/')).every((r) => /^Bearer at-/.test(String(r.headers['authorization'])))).toBe(true);

    touch(org.Account[2]!, later(1), { Website: 'http://renamed.example/', Industry: 'Retail' });
    touch(org.Contact[5]!, later(2), { Title: 'VP Engineering', AccountId: org.Account[2]!.Id });
    touch(org.Contact[6]!, later(2), { IsDeleted: true });
    org.Contact.push({ attributes: { type: 'Contact', url: '/x' }, Id: '003DNEW00000001', FirstName: 'New', LastName: 'Person', Email: 'NEW@example.com', Phone: null, Title: null, AccountId: org.Account[0]!.Id, IsDeleted: false, SystemModstamp: later(3) });
    touch(org.Opportunity[0]!, later(4), { StageName: 'Closed Won', Probability: 100, Amount: 123456 });
    touch(org.Opportunity[1]!, later(4), { IsDeleted: true });
    touch(org.Task[10]!, later(5), { Subject: 'Archived call', IsArchived: true });
    touch(org.Task[11]!, later(5), { Subject: 'Rescheduled call' });
    touch(org.Event[5]!, later(5), { IsDeleted: true });

    const before = api().requests.length;
    const inc = await ctx.h.syncAll(MAPPINGS);
    const queries = api().requests.slice(before).filter((r) => r.path.endsWith('/queryAll'));
    expect(queries).toHaveLength(5);
    expect(bulkCreates(api(), before)).toHaveLength(0);
    expect(queries[0]!.query.get('q')).toMatch(/WHERE SystemModstamp > \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ORDER BY SystemModstamp$/);
    expect(inc['salesforce-accounts']!.records).toMatchObject({ updated: 1, created: 0 });
    expect(inc['salesforce-contacts']!.records).toMatchObject({ updated: 1, created: 1, deleted: 1 });
    expect(inc['salesforce-opportunities']!.records).toMatchObject({ updated: 1, deleted: 1 });
    // The archived task is still a live record: updated, not deleted.
    expect(inc['salesforce-tasks']!.records).toMatchObject({ updated: 2, deleted: 0 });
    expect(inc['salesforce-events']!.records).toMatchObject({ deleted: 1 });
    await expectEqual();
    // Nothing changed since: each incremental run reads only the records of its last minute
    // (the lookback), the changes above, and writes nothing.
    const quiet = await ctx.h.syncAll(MAPPINGS);
    const read = Object.fromEntries(Object.entries(quiet).map(([m, s]) => [m, s.records.read]));
    expect(read).toEqual({ 'salesforce-accounts': 1, 'salesforce-contacts': 3, 'salesforce-opportunities': 2, 'salesforce-tasks': 2, 'salesforce-events': 1 });
    for (const s of Object.values(quiet)) expect(s.records).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    await expectEqual();

    const sweep = await ctx.h.syncAll(MAPPINGS, { full: true });
    for (const s of Object.values(sweep)) expect(s.records).toMatchObject({ created: 0, updated: 0, deleted: 0, rejected: 0 });
    await expectEqual();
  });

  it('upserts contacts and accounts by the external id field', async () => {
    const client = await actionClient('salesforce', configOf(ctx.api.url));
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

describe.each(DIALECTS)('a Salesforce bulk sync killed mid-run (%s)', (dialect) => {
  const CONTACTS = 9000;
  const contactIds = (h: Harness) => h.snapshot('contacts', ['email']);
  const open = async (options: NonNullable<Parameters<typeof startSalesforce>[0]['bulk']>) => {
    const tokens = new TokenIssuer({ ...CLIENT, expiresIn: 7200 });
    const records = contacts(CONTACTS);
    const api = await startSalesforce({ records, tokens, bulk: options });
    const h = await Harness.open(dialect, 'salesforce', configOf(api.url));
    return { api, h, records };
  };

  it('killed while the job runs: resumes polling the same job; killed again and the job expired: creates it again', async () => {
    const { api, h, records } = await open({ pollsToComplete: 5 });
    try {
      const { args, cwd, env } = h.cli('salesforce-contacts', { full: true });
      const polls = () => api.requests.filter((r) => r.method === 'GET' && /\/jobs\/query\/\w+$/.test(r.path)).length;
      expect(await killCliWhen(args, { cwd, env }, () => polls() >= 1)).toBe('SIGKILL');
      const [killed] = await syncRuns.list(h.db.knex, { limit: 1 });
      const state = await syncState.load(h.db.knex, { connectionId: killed!.connectionId, mappingId: 'salesforce-contacts' });
      expect((state.checkpoint as { page: { job: string } }).page.job).toBe(api.bulk.created[0]);

      // Resumed: the same job is polled on to completion, none is created.
      expect(await killCliWhen(args, { cwd, env }, () => polls() >= 3)).toBe('SIGKILL');
      expect(api.bulk.created).toHaveLength(1);
      // The job expires meanwhile: the run creates a new one and reads it in full.
      api.bulk.jobs.delete(api.bulk.created[0]!);
      const done = await h.sync('salesforce-contacts', { full: true });
      expect(done).toMatchObject({ run_id: killed!.id, status: 'succeeded' });
      expect(api.bulk.created).toHaveLength(2);
      expect((await contactIds(h)).size).toBe(records.length);
    } finally {
      await api.close();
      await h.close();
    }
  }, 90_000);

  it('killed mid-download: resumes with the same job at its results set, skipping the records it committed, and ends exact', async () => {
    const { api, h, records } = await open({ pieceDelayMs: 25 });
    try {
      const { args, cwd, env } = h.cli('salesforce-contacts', { full: true });
      // Killed once the run has committed at least two chunks of the set, while the set is still arriving.
      let committed = 0;
      let watching = true;
      const watch = (async () => {
        while (watching) {
          const [run] = await syncRuns.list(h.db.knex, { limit: 1 }).catch(() => []);
          committed = run?.counts.records_created ?? 0;
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      expect(await killCliWhen(args, { cwd, env }, () => committed >= 4000)).toBe('SIGKILL');
      watching = false;
      await watch;
      const [killed] = await syncRuns.list(h.db.knex, { limit: 1 });
      const state = await syncState.load(h.db.knex, { connectionId: killed!.connectionId, mappingId: 'salesforce-contacts' });
      const cp = (state.checkpoint as { page: { job: string; locator: string | null; skip: number } }).page;
      expect(cp).toMatchObject({ job: api.bulk.created[0], locator: null });
      expect(cp.skip).toBeGreaterThan(0);
      expect(killed!.counts.records_created).toBe(cp.skip);

      const before = api.requests.length;
      const again = await h.sync('salesforce-contacts', { full: true });
      expect(again).toMatchObject({ run_id: killed!.id, status: 'succeeded' });
      // The run's counts include the killed attempt's: the resumed one read only what was not committed.
      expect(again.records.created).toBe(CONTACTS);
      expect(again.records.read - killed!.counts.records_read).toBe(CONTACTS - cp.skip);
      expect(api.bulk.created).toHaveLength(1);
      expect(api.requests.slice(before).filter((r) => r.path.endsWith('/results'))).toHaveLength(1);
      const ids = await contactIds(h);
      expect(ids.size).toBe(records.length);
      const total = (await h.db.knex('contacts').count({ n: '*' }).first()) as { n: number | string };
      expect(Number(total.n)).toBe(CONTACTS);
    } finally {
      await api.close();
      await h.close();
    }
  }, 90_000);
});

describe('Salesforce bulk jobs', () => {
  const shipped = async () => (await loadDefinitions({ paths: [join(__dirname, '..', '..', 'connectors', 'salesforce.json')] })).registry.connector('salesforce');

  it('fails the run with the job\'s error message when the job fails, and the next run creates a new job', async () => {
    const tokens = new TokenIssuer({ ...CLIENT });
    const bulk: { fail?: { state: 'Failed' | 'Aborted'; message: string } } = { fail: { state: 'Failed', message: 'InvalidBatch : Failed to process query: INVALID_FIELD' } };
    const api = await startSalesforce({ records: contacts(10), tokens, bulk });
    await withOwnConnector('salesforce', api, configOf(api.url), async (h) => {
      const failed = await h.run('salesforce-contacts', { full: true });
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatchObject({ code: 'SB_BULK_JOB_FAILED', message: `stream "contacts": bulk job ${api.bulk.created.at(-1)} ended in state Failed: InvalidBatch : Failed to process query: INVALID_FIELD` });
      // Each attempt of the run resumed with the failed job and created a new one.
      const jobs = api.bulk.created.length;
      delete bulk.fail;
      expect((await h.sync('salesforce-contacts', { full: true })).records).toMatchObject({ created: 10 });
      expect(api.bulk.created).toHaveLength(jobs + 1);
    });
  });

  it('streams results larger than one set: sets followed by Sforce-Locator until "null", chunks of 2,000, the body taken as it is read', async () => {
    const tokens = new TokenIssuer({ ...CLIENT });
    const records = contacts(120_000);
    const api = await startSalesforce({ records, tokens });
    try {
      const client = new ConnectorClient({ connector: await shipped(), config: configOf(api.url) });
      const pages = readRecords(client, 'contacts', { mode: 'full', state: {} });
      let read = 0;
      let largest = 0;
      let held = false;
      for await (const page of pages) {
        read += page.records.length;
        largest = Math.max(largest, page.records.length);
        if (!held && page.records.length > 0) {
          held = true;
          // While the first chunk is held, the API has sent only what socket buffers take: the
          // 50,000-record set (about 3.5 MB) is not read ahead into memory.
          const sent = api.bulk.bytesSent;
          await new Promise((r) => setTimeout(r, 300));
          expect(api.bulk.bytesSent - sent).toBeLessThan(3_000_000);
        }
      }
      expect(read).toBe(120_000);
      expect(largest).toBe(2000);
      const sets = api.requests.filter((r) => r.path.endsWith('/results'));
      expect(sets.map((r) => r.query.get('locator'))).toEqual([null, 'NTAwMDA', 'MTAwMDAw']);
      expect(sets.every((r) => r.query.get('maxRecords') === '50000')).toBe(true);
    } finally {
      await api.close();
    }
  }, 60_000);

  it('the connector as shipped before (fixtures/legacy) loses archived activities: its full runs use /query', async () => {
    const tokens = new TokenIssuer({ ...CLIENT });
    const org = salesforceOrg({ accounts: 2, contacts: 2, opportunities: 2, tasks: 6, events: 0 });
    org.Task[0]!['IsArchived'] = true;
    const api = await startSalesforce({ objects: org, tokens });
    try {
      const legacy = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'legacy', 'salesforce.json'), 'utf8'));
      for (const [definition, count] of [[legacy, 5], [await shipped(), 6]] as const) {
        const client = new ConnectorClient({ connector: definition, config: configOf(api.url) });
        let read = 0;
        for await (const page of readRecords(client, 'tasks', { mode: 'full', state: {} })) read += page.records.length;
        expect(read).toBe(count);
      }
    } finally {
      await api.close();
    }
  });
});

describe('Salesforce daily allowance', () => {
  it('a run that meets REQUEST_LIMIT_EXCEEDED fails at once instead of retrying a limit that lasts the day', async () => {
    const tokens = new TokenIssuer({ ...CLIENT });
    const api = await startSalesforce({ objects: salesforceOrg({ accounts: 3, contacts: 3, opportunities: 0, tasks: 0, events: 0 }), tokens, dailyLimit: 5 });
    await withOwnConnector('salesforce', api, { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: CLIENT.refreshToken, login_url: api.url }, async (h) => {
      // A full run through a bulk job takes 5: create, 2 polls, the results, delete.
      expect((await h.sync('salesforce-accounts', { full: true })).records).toMatchObject({ created: 3 });
      const before = api.requests.length;
      const spent = await h.run('salesforce-contacts', { full: true });
      expect(spent.status).toBe('failed');
      expect(spent.error?.message).toContain('REQUEST_LIMIT_EXCEEDED');
      // One request: a 403 is not among the statuses the connector retries.
      expect(api.requests.slice(before).map((r) => r.path)).toEqual(['/services/data/v60.0/jobs/query']);
    });
  });
});
