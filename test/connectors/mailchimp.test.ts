// connectors/mailchimp.json and its mapping, unchanged, against the Mailchimp mock: the base URL
// from the key's data centre (overridden here), offset pages until total_items, runs
// since_last_changed, archived members found by full runs, members upserted by email.
import { mailchimpAudience, mailchimpTime, startMailchimp, subscriberHash, type MailchimpMember } from '../../examples/mock-apis';
import { actionClient, expected, sendAction, sorted, withConnector, type Row } from './harness';

const KEY = '0123456789abcdef-us6';
const LIST = '57afe96172';
const later = (s: number): string => mailchimpTime(Date.UTC(2025, 0, 1) + s * 1000);
const live = (m: MailchimpMember): boolean => m.status !== 'archived';
const row = (m: MailchimpMember): Row => ({
  email: m.email_address.toLowerCase(),
  first_name: m.merge_fields['FNAME'] ?? null,
  last_name: m.merge_fields['LNAME'] ?? null,
  phone: m.merge_fields['PHONE'] === '' ? null : (m.merge_fields['PHONE'] ?? null),
  lifecycle_stage: m.status === 'subscribed' ? 'subscriber' : 'other',
  'custom.mailchimp_status': m.status,
});

describe('Mailchimp connector on sqlite', () => {
  const members = mailchimpAudience(2300);
  const ctx = withConnector('mailchimp', () => startMailchimp({ listId: LIST, members, apiKey: KEY }), (url) => ({ api_key: KEY, list_id: LIST, base_url: url }));

  const snapshot = async () => sorted(await ctx.h.snapshot('contacts', Object.keys(row(members[0]!))));

  it('copies the audience in full, follows changes since_last_changed, and finds archived members in full runs', async () => {
    const full = await ctx.h.sync('mailchimp-members', { full: true });
    expect(full).toMatchObject({ records: { read: 2300, created: 2300, rejected: 0 }, pages: 3 });
    expect(ctx.api.requests.map((r) => `${r.path}?offset=${r.query.get('offset')}&count=${r.query.get('count')}`)).toEqual([0, 1000, 2000].map((o) => `/3.0/lists/${LIST}/members?offset=${o}&count=1000`));
    expect(ctx.api.requests.every((r) => r.headers['authorization'] === `Basic ${Buffer.from(`anystring:${KEY}`).toString('base64')}`)).toBe(true);
    expect(await snapshot()).toEqual(sorted(expected(members, (m) => m.id, row)));

    Object.assign(members[0]!, { merge_fields: { ...members[0]!.merge_fields, LNAME: 'Changed' }, last_changed: later(1) });
    Object.assign(members[1]!, { status: members[1]!.status === 'subscribed' ? 'unsubscribed' : 'subscribed', last_changed: later(1) });
    Object.assign(members[2]!, { status: 'archived', last_changed: later(2) });
    const email = 'new.member@example.com';
    members.push({ id: subscriberHash(email), email_address: email, full_name: 'New Member', status: 'subscribed', merge_fields: { FNAME: 'New', LNAME: 'Member' }, last_changed: later(3) });
    const before = ctx.api.requests.length;
    const inc = await ctx.h.sync('mailchimp-members');
    expect(ctx.api.requests.slice(before).map((r) => r.query.get('since_last_changed'))).toEqual([expect.stringMatching(/^2024-01-01T00:3\d:\d\d\.000Z$/)]);
    expect(inc.records).toMatchObject({ created: 1, updated: 2, deleted: 0 });

    const sweep = await ctx.h.sync('mailchimp-members', { full: true });
    expect(sweep.records).toMatchObject({ deleted: 1, created: 0, updated: 0 });
    expect(await snapshot()).toEqual(sorted(expected(members, (m) => m.id, row, live)));
  });

  it('adds members as pending and updates them by email', async () => {
    const client = await actionClient('mailchimp', { api_key: KEY, list_id: LIST, base_url: ctx.api.url });
    const added = await sendAction(client, 'upsert_member', { email_address: 'Pushed@Example.com', merge_fields: { FNAME: 'Pushed' } });
    expect(added.body).toMatchObject({ id: subscriberHash('pushed@example.com'), status: 'pending' });
    expect(ctx.api.requests.at(-1)).toMatchObject({ method: 'PUT', path: `/3.0/lists/${LIST}/members/pushed%40example.com` });
    await sendAction(client, 'upsert_member', { email_address: 'pushed@example.com', merge_fields: { LNAME: 'Again' } });
    expect(members.find((m) => m.email_address === 'pushed@example.com')).toMatchObject({ status: 'pending', merge_fields: { FNAME: 'Pushed', LNAME: 'Again' } });
  });
});
