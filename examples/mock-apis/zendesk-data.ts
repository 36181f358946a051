// Records of the mock Zendesk Support: plain records (tests), or a connected account of
// organizations, users (end users and agents) and tickets, as the API sends them.
import { company, person, pick } from './fake';

export interface ZendeskRecord {
  id: number;
  updated_at: string;
  [field: string]: unknown;
}

/** Zendesk times: ISO-8601 UTC without fractions. */
export function zdTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `n` Zendesk users (or tickets), updated one second apart from `since`. */
export function zendeskRecords(n: number, since = Date.UTC(2024, 0, 1)): ZendeskRecord[] {
  return Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `User ${i + 1}`, email: `user${i + 1}@example.com`, updated_at: new Date(since + i * 1000).toISOString().replace('.000Z', 'Z') }));
}

export interface ZendeskAccount {
  organizations: ZendeskRecord[];
  users: ZendeskRecord[];
  tickets: ZendeskRecord[];
}

const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
const CHANNELS = ['email', 'web', 'api', 'voice'];

/** Organizations, their users (every tenth an agent), and tickets requested by end users; updated one second apart. */
export function zendeskAccount(sizes: { organizations: number; users: number; tickets: number }, since = Date.UTC(2024, 0, 1)): ZendeskAccount {
  const t = (i: number): string => zdTime(since + i * 1000);
  const organizations = Array.from({ length: sizes.organizations }, (_, i) => {
    const c = company(i);
    return { id: 360_000 + i, name: c.name, domain_names: [c.domain], details: `${c.city} office`, notes: '', tags: [], created_at: t(i), updated_at: t(i), deleted_at: null };
  });
  const users = Array.from({ length: sizes.users }, (_, i) => {
    const p = person(i + 1);
    const org = organizations[i % Math.max(1, organizations.length)];
    return {
      id: 400_000 + i, name: `${p.first} ${p.last}`, email: p.email, phone: p.phone, role: i % 10 === 9 ? 'agent' : 'end-user', organization_id: org?.id ?? null, active: true,
      time_zone: 'UTC', locale: 'en-US', tags: [], created_at: t(i), updated_at: t(i),
    };
  });
  const endUsers = users.filter((u) => u.role === 'end-user');
  const tickets = Array.from({ length: sizes.tickets }, (_, i) => {
    const requester = endUsers[pick(i, Math.max(1, endUsers.length), 20)];
    return {
      id: 1 + i, subject: `Help with order ${1000 + i}`, description: `The order ${1000 + i} did not arrive.`, status: STATUSES[pick(i, STATUSES.length, 21)], priority: ['low', 'normal', 'high', 'urgent'][pick(i, 4, 22)],
      type: 'question', requester_id: requester?.id ?? null, submitter_id: requester?.id ?? null, assignee_id: null, organization_id: requester?.organization_id ?? null,
      via: { channel: CHANNELS[pick(i, CHANNELS.length, 23)] }, tags: [], created_at: t(i), updated_at: t(i), generated_timestamp: Math.floor((since + i * 1000) / 1000),
    };
  });
  return { organizations, users, tickets };
}

/** A ticket comment as Zendesk sends it (Ticket Comments API): no ticket id inside. */
export function zendeskComment(id: number, authorId: unknown, text: string, createdAt: string): ZendeskRecord {
  return { id, type: 'Comment', author_id: authorId, body: text, html_body: `<div class="zd-comment"><p>${text}</p></div>`, plain_body: text, public: true, attachments: [], audit_id: id + 1_000_000, via: { channel: 'web', source: { from: {}, to: {}, rel: null } }, created_at: createdAt, updated_at: createdAt, metadata: { system: {}, custom: {} } };
}

/** `perTicket` comments for each ticket, by ticket id, written by its requester. */
export function zendeskComments(tickets: readonly ZendeskRecord[], perTicket: number): Map<number, ZendeskRecord[]> {
  let next = 900_000;
  return new Map(tickets.map((t) => [t.id, Array.from({ length: perTicket }, (_, i) => zendeskComment(next++, t['requester_id'] ?? null, `Comment ${i + 1} on ticket ${t.id}`, t.updated_at))] as const));
}
