// connectors/zendesk.json and its mappings, unchanged, against the Zendesk mock: lists and the
// ticket export in full, then the incremental exports (cursor- and time-based) follow updates,
// new records, deactivated users and deleted tickets; the exports' 10-a-minute limit is met by
// honouring Retry-After; users are created or updated by email.
import { startZendesk, zdTime, zendeskAccount, type ZendeskAccount, type ZendeskRecord } from '../../examples/mock-apis';
import { actionClient, expected, Harness, sendAction, sorted, withConnector, withOwnConnector, type Row } from './harness';

const AUTH = { email: 'agent@example.com', apiToken: 'zd-token' };
const later = (s: number): string => zdTime(Date.UTC(2025, 0, 1) + s * 1000);
const REFS = { company_id: 'companies', contact_id: 'contacts' } as const;
const MAPPINGS = ['zendesk-organizations', 'zendesk-users', 'zendesk-tickets'];
const id = (r: ZendeskRecord): string => String(r.id);
const nullable = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

const userRow = (u: ZendeskRecord): Row => {
  const [first, ...rest] = String(u['name']).split(' ');
  return { email: String(u['email']).toLowerCase(), first_name: first, last_name: rest.length > 0 ? rest.join(' ') : null, phone: u['phone'] ?? null, company_id: nullable(u['organization_id']), 'custom.zendesk_role': u['role'] };
};
const orgRow = (o: ZendeskRecord): Row => ({ name: o['name'], domain: (o['domain_names'] as string[])[0] ?? null });
const CHANNELS: Record<string, string> = { email: 'inbound', web: 'inbound', voice: 'inbound', api: 'outbound' };
const ticketRow = (t: ZendeskRecord): Row => ({
  type: 'note',
  subject: t['subject'],
  occurred_at: new Date(String(t['created_at'])).toISOString(),
  direction: CHANNELS[String((t['via'] as { channel: string }).channel)],
  contact_id: nullable(t['requester_id']),
  company_id: nullable(t['organization_id']),
  'custom.status': t['status'],
});

async function expectEqual(h: Harness, account: ZendeskAccount): Promise<void> {
  expect(sorted(await h.snapshot('companies', ['name', 'domain']))).toEqual(sorted(expected(account.organizations, id, orgRow, (o) => o['deleted_at'] === null)));
  expect(sorted(await h.snapshot('contacts', Object.keys(userRow(account.users[0]!)), REFS))).toEqual(sorted(expected(account.users, id, userRow, (u) => u['active'] !== false)));
  expect(sorted(await h.snapshot('activities', Object.keys(ticketRow(account.tickets[0]!)), REFS))).toEqual(sorted(expected(account.tickets, id, ticketRow, (t) => t['status'] !== 'deleted')));
}

describe('Zendesk connector on sqlite', () => {
  const account = zendeskAccount({ organizations: 12, users: 150, tickets: 80 });
  const ctx = withConnector('zendesk', () => startZendesk({ ...account, ...AUTH }), (url) => ({ subdomain: 'acme', email: AUTH.email, api_token: AUTH.apiToken, base_url: url }));

  it('copies the account in full, then follows changes through the incremental exports', async () => {
    const full = await ctx.h.syncAll(MAPPINGS, { full: true });
    expect(full['zendesk-users']!.records).toMatchObject({ read: 150, created: 150, rejected: 0 });
    expect(full['zendesk-users']!.pages).toBe(2);
    await expectEqual(ctx.h, account);

    Object.assign(account.organizations[0]!, { name: 'Renamed Org', domain_names: ['renamed.example'], updated_at: later(1) });
    account.organizations.push({ id: 369_999, name: 'New Org', domain_names: ['neworg.example'], details: '', notes: '', tags: [], created_at: later(2), updated_at: later(2), deleted_at: null });
    Object.assign(account.users[1]!, { name: 'Grace Brewster Hopper', organization_id: 369_999, updated_at: later(3) });
    Object.assign(account.users[2]!, { active: false, updated_at: later(3) });
    account.users.push({ id: 499_999, name: 'Solo', email: 'SOLO@example.com', phone: null, role: 'end-user', organization_id: null, active: true, created_at: later(4), updated_at: later(4) });
    Object.assign(account.tickets[0]!, { status: 'solved', subject: 'Solved it', updated_at: later(5) });
    Object.assign(account.tickets[1]!, { status: 'deleted', updated_at: later(5) });

    const before = ctx.api.requests.length;
    const inc = await ctx.h.syncAll(MAPPINGS);
    expect([...new Set(ctx.api.requests.slice(before).map((r) => r.path))]).toEqual(['/api/v2/incremental/organizations.json', '/api/v2/incremental/users/cursor.json', '/api/v2/incremental/tickets/cursor.json']);
    expect(inc['zendesk-organizations']!.records).toMatchObject({ created: 1, updated: 1 });
    expect(inc['zendesk-users']!.records).toMatchObject({ created: 1, updated: 1, deleted: 1 });
    expect(inc['zendesk-tickets']!.records).toMatchObject({ updated: 1, deleted: 1 });
    await expectEqual(ctx.h, account);

    const sweep = await ctx.h.syncAll(MAPPINGS, { full: true });
    for (const s of Object.values(sweep)) expect(s.records).toMatchObject({ created: 0, updated: 0, deleted: 0, rejected: 0 });
    await expectEqual(ctx.h, account);
  });

  it('creates or updates users by email', async () => {
    const client = await actionClient('zendesk', { subdomain: 'acme', email: AUTH.email, api_token: AUTH.apiToken, base_url: ctx.api.url });
    const created = await sendAction(client, 'create_or_update_user', { user: { email: 'pushed@example.com', name: 'Pushed User' } });
    expect(created.status).toBe(201);
    const again = await sendAction(client, 'create_or_update_user', { user: { email: 'PUSHED@example.com', phone: '+1-555-9999' } });
    expect(again.status).toBe(200);
    expect((again.body as { user: { id: number } }).user.id).toBe((created.body as { user: { id: number } }).user.id);
    expect(account.users.find((u) => u['email'] === 'pushed@example.com')).toMatchObject({ name: 'Pushed User', phone: '+1-555-9999' });
  });
});

describe('Zendesk export limit', () => {
  it('meets 429s of the exports with their Retry-After and still copies every ticket once', async () => {
    const account = zendeskAccount({ organizations: 2, users: 10, tickets: 30 });
    const api = await startZendesk({ ...account, ...AUTH, exportPageSize: 6, exportLimit: { requests: 2, perSeconds: 1 } });
    await withOwnConnector('zendesk', api, { subdomain: 'acme', email: AUTH.email, api_token: AUTH.apiToken, base_url: api.url }, async (h) => {
      await h.syncAll(['zendesk-organizations', 'zendesk-users'], { full: true });
      const tickets = await h.sync('zendesk-tickets', { full: true });
      expect(tickets.records).toMatchObject({ read: 30, created: 30 });
      expect(tickets.retries).toBeGreaterThan(0);
      expect(api.requests.filter((r) => r.path.includes('/incremental/tickets/')).length).toBe(5 + tickets.retries);
      await expectEqual(h, account);
    });
  });
});
