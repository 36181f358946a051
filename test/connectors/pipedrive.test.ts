// connectors/pipedrive.json and its mappings, unchanged, against the Pipedrive mock: v2 cursor
// pages in full, then updated_since runs that follow changes; deletions found by full runs;
// persons created and updated through the v2 write endpoints; the 2-second budget respected.
import { pdIso, pdTime, pipedriveAccount, startPipedrive, type PipedriveActivity, type PipedriveDeal, type PipedriveOrganization, type PipedrivePerson } from '../../examples/mock-apis';
import { actionClient, expected, sendAction, sorted, withConnector, type Row } from './harness';

const TOKEN = 'pd-token-123';
const later = (s: number): number => Date.UTC(2025, 0, 1) + s * 1000;
const REFS = { company_id: 'companies', contact_id: 'contacts', deal_id: 'deals' } as const;
const MAPPINGS = ['pipedrive-organizations', 'pipedrive-persons', 'pipedrive-deals', 'pipedrive-activities'];
const id = (r: { id: number }): string => String(r.id);

const personRow = (p: PipedrivePerson): Row => ({ email: p.email[0]!.value.toLowerCase(), first_name: p.first_name, last_name: p.last_name, phone: p.phone[0]?.value ?? null, company_id: p.org_id === null ? null : String(p.org_id), owner: String(p.owner_id) });
const orgRow = (o: PipedriveOrganization): Row => ({ name: o.name, address: o.address?.value ?? null, 'custom.city': o.address?.locality ?? null });
const dealRow = (d: PipedriveDeal): Row => ({
  name: d.title,
  amount: d.value,
  currency: d.currency,
  stage: d.status === 'open' ? `stage ${d.stage_id}` : d.status,
  probability: d.status === 'won' ? 100 : d.status === 'lost' ? 0 : d.probability,
  close_date: d.expected_close_date,
  contact_id: d.person_id === null ? null : String(d.person_id),
  company_id: d.org_id === null ? null : String(d.org_id),
});
const TYPES: Record<string, string> = { call: 'call', meeting: 'meeting', lunch: 'meeting', task: 'task', deadline: 'task', email: 'email' };
const activityRow = (a: PipedriveActivity): Row => ({
  type: TYPES[a.type],
  subject: a.subject,
  body: a.note,
  occurred_at: `${a.due_date}T${a.due_time ?? '00:00'}:00.000Z`,
  contact_id: a.person_id === null ? null : String(a.person_id),
  deal_id: a.deal_id === null ? null : String(a.deal_id),
});

describe('Pipedrive connector on sqlite', () => {
  const account = pipedriveAccount({ organizations: 25, persons: 620, deals: 40, activities: 45 });
  const ctx = withConnector('pipedrive', () => startPipedrive({ ...account, apiToken: TOKEN }), (url) => ({ company_domain: 'acme', api_token: TOKEN, base_url: url }));

  async function expectEqual(): Promise<void> {
    expect(sorted(await ctx.h.snapshot('companies', Object.keys(orgRow(account.organizations[0]!))))).toEqual(sorted(expected(account.organizations, id, orgRow, (o) => !o.is_deleted)));
    expect(sorted(await ctx.h.snapshot('contacts', Object.keys(personRow(account.persons[0]!)), REFS))).toEqual(sorted(expected(account.persons, id, personRow, (p) => p.active_flag !== false)));
    expect(sorted(await ctx.h.snapshot('deals', Object.keys(dealRow(account.deals[0]!)), REFS))).toEqual(sorted(expected(account.deals, id, dealRow, (d) => !d.is_deleted)));
    expect(sorted(await ctx.h.snapshot('activities', Object.keys(activityRow(account.activities[0]!)), REFS))).toEqual(sorted(expected(account.activities, id, activityRow, (a) => !a.is_deleted)));
  }

  it('copies the account in full, follows changes with updated_since, and sweeps deletions in full runs', async () => {
    const full = await ctx.h.syncAll(MAPPINGS, { full: true });
    expect(full['pipedrive-persons']!.records).toMatchObject({ read: 620, created: 620, rejected: 0 });
    expect(full['pipedrive-persons']!.pages).toBe(2);
    await expectEqual();

    Object.assign(account.organizations[1]!, { name: 'Renamed Org', update_time: pdIso(later(1)) });
    Object.assign(account.persons[3]!, { last_name: 'Changed', org_id: 2, update_time: pdTime(later(2)) });
    account.persons.push({ id: 9001, name: 'New Person', first_name: 'New', last_name: 'Person', email: [{ value: 'New.Person@Example.com', primary: true, label: 'work' }], phone: [], org_id: 1, update_time: pdTime(later(3)), owner_id: 2 });
    Object.assign(account.persons[4]!, { active_flag: false, update_time: pdTime(later(3)) });
    Object.assign(account.deals[0]!, { status: 'won', probability: null, value: 5000, update_time: pdIso(later(4)) });
    Object.assign(account.activities[0]!, { subject: 'Moved', due_time: '15:30', update_time: pdIso(later(5)) });

    const before = ctx.api.requests.length;
    const inc = await ctx.h.syncAll(MAPPINGS);
    const sent = ctx.api.requests.slice(before);
    expect(sent.every((r) => r.query.get('updated_since') !== null)).toBe(true);
    expect(inc['pipedrive-persons']!.records).toMatchObject({ created: 1, updated: 1, deleted: 0 });
    expect(inc['pipedrive-deals']!.records).toMatchObject({ updated: 1 });
    // The deleted person is left out of v2 lists: still live in the CRM until a full run.
    const contacts = await ctx.h.snapshot('contacts', ['email']);
    expect(contacts.has('5')).toBe(true);

    const sweep = await ctx.h.syncAll(MAPPINGS, { full: true });
    expect(sweep['pipedrive-persons']!.records).toMatchObject({ deleted: 1, created: 0, updated: 0 });
    await expectEqual();
    // The declared budget (80 per 2 s) kept every request under the mock's: no 429.
    expect(Object.values({ ...full, ...inc, ...sweep }).reduce((n, s) => n + s.retries, 0)).toBe(0);
  });

  it('creates and updates persons through v2', async () => {
    const client = await actionClient('pipedrive', { company_domain: 'acme', api_token: TOKEN, base_url: ctx.api.url });
    const created = await sendAction(client, 'create_person', { name: 'Pushed Person', email: 'pushed@example.com' });
    const newId = (created.body as { data: { id: number } }).data.id;
    expect(account.persons.find((p) => p.id === newId)).toMatchObject({ name: 'Pushed Person', email: [{ value: 'pushed@example.com', primary: true, label: 'work' }] });
    await sendAction(client, 'update_person', { id: String(newId), name: 'Pushed Again', email: 'again@example.com' });
    expect(account.persons.find((p) => p.id === newId)).toMatchObject({ first_name: 'Pushed', last_name: 'Again', email: [{ value: 'again@example.com' }] });
    expect(ctx.api.requests.at(-1)).toMatchObject({ method: 'PATCH', path: `/api/v2/persons/${newId}` });
    expect(ctx.api.requests.at(-1)!.headers['x-api-token']).toBe(TOKEN);
  });
});
