// Mock Mailchimp Marketing (APIS.md): list members paged by `offset`/`count` with
// `total_items`, `since_last_changed` and `status` (archived members only when asked for),
// members added or updated by subscriber hash (or email), `/ping`, Basic `anystring:APIKEY`
// auth, problem-JSON errors, and the limit of 10 concurrent connections (429 `TooManyRequests`).
import { createHash } from 'node:crypto';
import { person, pick } from './fake';
import { basicCredentials, intParam, jsonBody, startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';

export interface MailchimpMember {
  id: string;
  email_address: string;
  full_name: string;
  status: 'subscribed' | 'unsubscribed' | 'cleaned' | 'pending' | 'transactional' | 'archived';
  merge_fields: Record<string, string>;
  last_changed: string;
  member_rating?: number;
  vip?: boolean;
  tags?: { id: number; name: string }[];
  timestamp_opt?: string;
  list_id?: string;
}

export interface MailchimpOptions {
  listId: string;
  /** Writes change this array. */
  members: MailchimpMember[];
  apiKey: string;
  /** Requests answered at once before 429 (Mailchimp: 10). */
  maxConcurrent?: number;
  /** Time each answer takes, in ms (makes concurrency observable). */
  latencyMs?: number;
  faults?: Faults;
}

const STATUSES = new Set(['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional', 'archived']);

function problem(status: number, title: string, detail: string): MockResponse {
  return { status, headers: { 'content-type': 'application/problem+json; charset=utf-8' }, body: { type: 'https://mailchimp.com/developer/marketing/docs/errors/', title, status, detail, instance: '00000000-0000-0000-0000-000000000000' } };
}

/** Mailchimp's subscriber hash: the MD5 of the lowercase email address. */
export function subscriberHash(email: string): string {
  return createHash('md5').update(email.toLowerCase()).digest('hex');
}

/** Mailchimp's time format: `2019-04-05T10:15:41+00:00`. */
export function mailchimpTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function members(opts: MailchimpOptions, req: LoggedRequest): MockResponse {
  const since = req.query.get('since_last_changed');
  if (since !== null && Number.isNaN(Date.parse(since))) return problem(400, 'Invalid Resource', 'since_last_changed must be an ISO 8601 time');
  const status = req.query.get('status');
  if (status !== null && !STATUSES.has(status)) return problem(400, 'Invalid Resource', `status must be one of ${[...STATUSES].join(', ')}`);
  const bound = since === null ? -Infinity : Date.parse(since);
  const matched = opts.members.filter((m) => Date.parse(m.last_changed) >= bound && (status === null ? m.status !== 'archived' : m.status === status));
  const offset = intParam(req.query, 'offset', 0);
  const count = intParam(req.query, 'count', 10, 1000);
  return { body: { members: matched.slice(offset, offset + count).map((m) => ({ ...m, list_id: opts.listId })), list_id: opts.listId, total_items: matched.length } };
}

/** PUT /lists/{id}/members/{hash}: adds (`status_if_new`) or updates the member; the hash may also be the email itself. */
function upsert(opts: MailchimpOptions, key: string, req: LoggedRequest): MockResponse {
  const body = jsonBody(req) as { email_address?: unknown; status?: unknown; status_if_new?: unknown; merge_fields?: Record<string, string> } | undefined;
  if (body === undefined || typeof body.email_address !== 'string') return problem(400, 'Invalid Resource', 'The resource submitted could not be validated: email_address is required.');
  const email = body.email_address.toLowerCase();
  const hash = key.includes('@') ? subscriberHash(key) : key.toLowerCase();
  if (hash !== subscriberHash(email)) return problem(400, 'Invalid Resource', 'The subscriber hash in the URL does not match email_address.');
  const now = mailchimpTime(Date.now());
  let member = opts.members.find((m) => subscriberHash(m.email_address) === hash);
  const status = (typeof body.status === 'string' ? body.status : undefined) ?? (member === undefined ? body.status_if_new : undefined);
  if (status !== undefined && (typeof status !== 'string' || !STATUSES.has(status))) return problem(400, 'Invalid Resource', 'status is not one of the allowed values');
  if (member === undefined) {
    if (status === undefined) return problem(400, 'Invalid Resource', 'status_if_new is required for new members');
    member = { id: hash, email_address: email, full_name: '', status: status as MailchimpMember['status'], merge_fields: {}, last_changed: now, timestamp_opt: now };
    opts.members.push(member);
  }
  member.email_address = email;
  if (status !== undefined) member.status = status as MailchimpMember['status'];
  member.merge_fields = { ...member.merge_fields, ...body.merge_fields };
  member.full_name = [member.merge_fields['FNAME'], member.merge_fields['LNAME']].filter((p) => p !== undefined && p !== '').join(' ');
  member.last_changed = now;
  return { body: { ...member, list_id: opts.listId } };
}

export function startMailchimp(opts: MailchimpOptions): Promise<MockApi> {
  let inFlight = 0;
  const guard = (req: LoggedRequest): MockResponse | undefined => {
    const password = basicCredentials(req)?.split(':').slice(1).join(':');
    return password === opts.apiKey ? undefined : problem(401, 'API Key Invalid', "Your API key may be invalid, or you've attempted to access the wrong datacenter.");
  };
  return startMockServer(
    async (req) => {
      if (inFlight >= (opts.maxConcurrent ?? 10)) return problem(429, 'Too Many Requests', 'You have exceeded the limit of 10 simultaneous connections.');
      inFlight += 1;
      try {
        if (opts.latencyMs !== undefined) await new Promise((r) => setTimeout(r, opts.latencyMs));
        if (req.path === '/3.0/ping') return { body: { health_status: "Everything's Chimpy!" } };
        const m = /^\/3\.0\/lists\/([^/]+)\/members(?:\/([^/]+))?$/.exec(req.path);
        if (m === null || m[1] !== opts.listId) return problem(404, 'Resource Not Found', 'The requested resource could not be found.');
        if (m[2] === undefined && req.method === 'GET') return members(opts, req);
        if (m[2] !== undefined && req.method === 'PUT') return upsert(opts, decodeURIComponent(m[2]), req);
        return problem(405, 'Method Not Allowed', `${req.method} is not allowed on ${req.path}`);
      } finally {
        inFlight -= 1;
      }
    },
    { faults: opts.faults, guard },
  );
}

/** `n` Mailchimp members, changed one second apart from `since`. */
export function mailchimpMembers(n: number, since = Date.UTC(2024, 0, 1)): MailchimpMember[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `m${String(i + 1).padStart(31, '0')}`,
    email_address: `member${i + 1}@example.com`,
    full_name: `Member ${i + 1}`,
    status: 'subscribed' as const,
    merge_fields: { FNAME: 'Member', LNAME: String(i + 1) },
    last_changed: new Date(since + i * 1000).toISOString().replace('.000Z', '+00:00'),
  }));
}

/** `n` members as Mailchimp keeps them (ids are subscriber hashes), changed one second apart from `since`. */
export function mailchimpAudience(n: number, since = Date.UTC(2024, 0, 1)): MailchimpMember[] {
  return Array.from({ length: n }, (_, i) => {
    const p = person(i + 1);
    const status = (['subscribed', 'subscribed', 'subscribed', 'unsubscribed', 'pending', 'cleaned'] as const)[pick(i, 6, 40)]!;
    return {
      id: subscriberHash(p.email), email_address: p.email, full_name: `${p.first} ${p.last}`, status, merge_fields: { FNAME: p.first, LNAME: p.last, PHONE: i % 2 === 0 ? p.phone : '' },
      last_changed: mailchimpTime(since + i * 1000), member_rating: 1 + pick(i, 5, 41), vip: i % 17 === 0, tags: i % 3 === 0 ? [{ id: 1, name: 'customer' }] : [], timestamp_opt: mailchimpTime(since + i * 1000),
    };
  });
}
