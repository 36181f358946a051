// Mock Zendesk Support (APIS.md): users and organizations with cursor pagination
// (`page[size]`, `page[after]`, `meta.has_more`), the cursor-based ticket and user exports
// (`start_time`, `cursor`, `after_url`, `end_of_stream`), the time-based organization export
// (`next_page`, `end_time`), exports leaving out the last minute and limited to 10 requests a
// minute (429 with `Retry-After`), ticket comments per ticket (`/tickets/{id}/comments.json`,
// no ticket id in a comment; 404 `RecordNotFound` for a ticket that is gone), users created or
// updated by email, Basic
// `{email}/token:{api_token}` auth, rate-limit headers.
import { basicCredentials, decodeCursor, encodeCursor, intParam, jsonBody, SlidingWindow, startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';
import { zdTime, type ZendeskRecord } from './zendesk-data';

export type { ZendeskAccount, ZendeskRecord } from './zendesk-data';

export interface ZendeskOptions {
  users: ZendeskRecord[];
  organizations?: ZendeskRecord[];
  tickets?: ZendeskRecord[];
  /** Comments by ticket id (Zendesk's comments carry no ticket id: they are read per ticket). */
  comments?: Map<number, ZendeskRecord[]>;
  /** Tickets still listed whose comments answer 404 (deleted between a listing and the comments request). */
  goneTickets?: Set<number>;
  email: string;
  apiToken: string;
  /** Items per export page at most (Zendesk: 1,000; `per_page` may ask for fewer). */
  exportPageSize?: number;
  /** The export endpoints' budget (Zendesk: 10 requests per 60 seconds). */
  exportLimit?: { requests: number; perSeconds: number };
  faults?: Faults;
}

const V2 = '/api/v2';
const LIST_HEADERS = { 'x-rate-limit': '700', 'x-rate-limit-remaining': '699' };

const seconds = (r: ZendeskRecord): number => Date.parse(r.updated_at) / 1000;
/** Exports leave out what changed in the last minute (so that it is complete when read). */
const settled = (r: ZendeskRecord): boolean => seconds(r) <= Date.now() / 1000 - 60;
const byTime = (a: ZendeskRecord, b: ZendeskRecord): number => seconds(a) - seconds(b) || a.id - b.id;

function list(key: string, items: ZendeskRecord[], req: LoggedRequest, base: string): MockResponse {
  const size = Math.max(1, intParam(req.query, 'page[size]', 100, 100));
  const offset = Number(decodeCursor(req.query.get('page[after]'))?.['o'] ?? 0);
  const page = items.slice(offset, offset + size);
  const hasMore = offset + size < items.length;
  const after = encodeCursor({ o: offset + size });
  const before = encodeCursor({ o: Math.max(0, offset - size) });
  const url = `${base}${V2}/${key}.json?page%5Bsize%5D=${size}`;
  return {
    headers: LIST_HEADERS,
    body: {
      [key]: page,
      meta: { has_more: hasMore, after_cursor: hasMore ? after : null, before_cursor: offset > 0 ? before : null },
      links: { next: hasMore ? `${url}&page%5Bafter%5D=${after}` : null, prev: offset > 0 ? `${url}&page%5Bbefore%5D=${before}` : null },
    },
  };
}

function pageSize(opts: ZendeskOptions, req: LoggedRequest): number {
  return Math.max(1, Math.min(opts.exportPageSize ?? 1000, intParam(req.query, 'per_page', 1000, 1000)));
}

/** Cursor-based export: `start_time` starts it, `cursor` (from `after_url`) goes on. */
function cursorExport(opts: ZendeskOptions, key: string, items: ZendeskRecord[], req: LoggedRequest, base: string): MockResponse {
  const size = pageSize(opts, req);
  const cursor = decodeCursor(req.query.get('cursor'));
  if (req.query.get('start_time') === null && cursor === undefined) return { status: 400, body: { error: 'InvalidValue', description: 'start_time or cursor is required' } };
  const start = Number(req.query.get('start_time') ?? cursor?.['t'] ?? 0);
  const matched = items.filter((t) => seconds(t) >= start && settled(t)).sort(byTime);
  const offset = Number(cursor?.['o'] ?? 0);
  const page = matched.slice(offset, offset + size);
  const end = offset + size >= matched.length;
  const after = encodeCursor({ t: start, o: offset + page.length });
  const perPage = req.query.get('per_page') === null ? '' : `&per_page=${size}`;
  return { body: { [key]: page, after_cursor: after, after_url: `${base}${V2}/incremental/${key}/cursor.json?cursor=${after}${perPage}`, before_cursor: null, before_url: null, end_of_stream: end } };
}

/** Time-based export: `start_time`; `next_page` starts again at the last item's time (items of that second come again). */
function timeExport(opts: ZendeskOptions, key: string, items: ZendeskRecord[], req: LoggedRequest, base: string): MockResponse {
  const start = req.query.get('start_time');
  if (start === null || !/^\d+$/.test(start)) return { status: 400, body: { error: 'InvalidValue', description: 'start_time must be a Unix epoch time' } };
  const size = pageSize(opts, req);
  const matched = items.filter((t) => seconds(t) >= Number(start) && settled(t)).sort(byTime);
  const page = matched.slice(0, size);
  const end = matched.length <= size;
  const endTime = page.length === 0 ? Number(start) : Math.floor(seconds(page[page.length - 1]!));
  const perPage = req.query.get('per_page') === null ? '' : `&per_page=${size}`;
  return { body: { [key]: page, count: page.length, end_of_stream: end, end_time: endTime, next_page: `${base}${V2}/incremental/${key}.json?start_time=${endTime}${perPage}` } };
}

/** POST /api/v2/users/create_or_update.json: matched by email; 201 when created, 200 when updated. */
function createOrUpdateUser(opts: ZendeskOptions, req: LoggedRequest): MockResponse {
  const user = (jsonBody(req) as { user?: Record<string, unknown> } | undefined)?.user;
  if (user === undefined || typeof user !== 'object' || user === null) return { status: 400, body: { error: 'RecordInvalid', description: 'Record validation errors', details: { user: [{ description: 'user is required' }] } } };
  const email = typeof user['email'] === 'string' ? user['email'].toLowerCase() : undefined;
  const now = zdTime(Date.now());
  const found = email === undefined ? undefined : opts.users.find((u) => String(u['email']).toLowerCase() === email);
  // Zendesk keeps email addresses in lower case.
  if (found !== undefined) {
    Object.assign(found, user, { ...(email === undefined ? {} : { email }), updated_at: now });
    return { status: 200, body: { user: found } };
  }
  if (typeof user['name'] !== 'string') return { status: 422, body: { error: 'RecordInvalid', description: 'Record validation errors', details: { name: [{ description: 'Name: is too short (minimum one character)' }] } } };
  const created: ZendeskRecord = { role: 'end-user', active: true, organization_id: null, phone: null, ...user, email, id: opts.users.reduce((m, u) => Math.max(m, u.id), 400_000) + 1, created_at: now, updated_at: now };
  opts.users.push(created);
  return { status: 201, body: { user: created } };
}

export function startZendesk(opts: ZendeskOptions): Promise<MockApi> {
  const limit = opts.exportLimit ?? { requests: 10, perSeconds: 60 };
  const exports = new SlidingWindow(limit.requests, limit.perSeconds * 1000);
  const guard = (req: LoggedRequest): MockResponse | undefined =>
    basicCredentials(req) === `${opts.email}/token:${opts.apiToken}` ? undefined : { status: 401, body: { error: "Couldn't authenticate you" } };
  return startMockServer(
    (req, base) => {
      if (req.path.startsWith(`${V2}/incremental/`)) {
        const taken = exports.take('account');
        if (!taken.ok) return zendeskRateLimited(Math.ceil(taken.retryAfterMs / 1000));
      }
      const organizations = opts.organizations ?? [];
      const comments = /^\/api\/v2\/tickets\/(\d+)\/comments\.json$/.exec(req.path);
      if (comments !== null && req.method === 'GET') return ticketComments(opts, Number(comments[1]), req, base);
      switch (`${req.method} ${req.path}`) {
        case `GET ${V2}/users.json`:
          return list('users', opts.users.filter((u) => u['active'] !== false), req, base);
        case `GET ${V2}/organizations.json`:
          return list('organizations', organizations.filter((o) => o['deleted_at'] === null || o['deleted_at'] === undefined), req, base);
        case `GET ${V2}/tickets.json`:
          return list('tickets', opts.tickets ?? [], req, base);
        case `GET ${V2}/users/me.json`:
          return { body: { user: { id: 1, name: 'Admin', email: opts.email, role: 'admin' } } };
        case `POST ${V2}/users/create_or_update.json`:
          return createOrUpdateUser(opts, req);
        case `GET ${V2}/incremental/tickets/cursor.json`:
          return cursorExport(opts, 'tickets', opts.tickets ?? [], req, base);
        case `GET ${V2}/incremental/users/cursor.json`:
          return cursorExport(opts, 'users', opts.users, req, base);
        case `GET ${V2}/incremental/organizations.json`:
          return timeExport(opts, 'organizations', organizations, req, base);
        default:
          return { status: 404, body: { error: 'InvalidEndpoint', description: 'Not found' } };
      }
    },
    { faults: opts.faults, guard },
  );
}

/**
 * `GET /api/v2/tickets/{ticket_id}/comments.json` (Ticket Comments, "List Comments"): the
 * ticket's comments, oldest first, with cursor pagination; a ticket that does not exist is a
 * 404 `RecordNotFound`.
 */
function ticketComments(opts: ZendeskOptions, ticketId: number, req: LoggedRequest, base: string): MockResponse {
  const exists = (opts.tickets ?? []).some((t) => t.id === ticketId);
  if (!exists || opts.goneTickets?.has(ticketId) === true) return { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
  const answer = list('comments', opts.comments?.get(ticketId) ?? [], req, base);
  return answer;
}

/** Zendesk's 429 answer, asking to wait `seconds`. */
export function zendeskRateLimited(seconds: number): MockResponse {
  return { status: 429, headers: { 'retry-after': String(seconds) }, body: { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' } };
}

export { zdTime, zendeskAccount, zendeskComment, zendeskComments, zendeskRecords } from './zendesk-data';
