// Mock Zendesk Support (APIS.md): users with cursor pagination (`page[size]`, `page[after]`,
// `meta.has_more`), the incremental ticket export (`start_time`, `cursor`, `end_of_stream`),
// Basic `{email}/token:{api_token}` auth, rate-limit headers, 429 with `Retry-After`.
import { basicCredentials, decodeCursor, encodeCursor, intParam, startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';

export interface ZendeskRecord {
  id: number;
  updated_at: string;
  [field: string]: unknown;
}

export interface ZendeskOptions {
  users: ZendeskRecord[];
  tickets?: ZendeskRecord[];
  email: string;
  apiToken: string;
  /** Tickets per export page (Zendesk: 1,000). */
  exportPageSize?: number;
  faults?: Faults;
}

function users(opts: ZendeskOptions, req: LoggedRequest, base: string): MockResponse {
  const size = Math.max(1, intParam(req.query, 'page[size]', 100, 100));
  const offset = Number(decodeCursor(req.query.get('page[after]'))?.['o'] ?? 0);
  const page = opts.users.slice(offset, offset + size);
  const hasMore = offset + size < opts.users.length;
  const after = encodeCursor({ o: offset + size });
  const before = encodeCursor({ o: Math.max(0, offset - size) });
  const url = `${base}/api/v2/users.json?page%5Bsize%5D=${size}`;
  return {
    headers: { 'x-rate-limit': '700', 'x-rate-limit-remaining': '699' },
    body: {
      users: page,
      meta: { has_more: hasMore, after_cursor: hasMore ? after : null, before_cursor: offset > 0 ? before : null },
      links: { next: hasMore ? `${url}&page%5Bafter%5D=${after}` : null, prev: offset > 0 ? `${url}&page%5Bbefore%5D=${before}` : null },
    },
  };
}

function ticketExport(opts: ZendeskOptions, req: LoggedRequest, base: string): MockResponse {
  const size = opts.exportPageSize ?? 1000;
  const cursor = decodeCursor(req.query.get('cursor'));
  const start = Number(req.query.get('start_time') ?? cursor?.['t'] ?? 0);
  const matched = (opts.tickets ?? []).filter((t) => Date.parse(t.updated_at) / 1000 >= start);
  const offset = Number(cursor?.['o'] ?? 0);
  const tickets = matched.slice(offset, offset + size);
  const end = offset + size >= matched.length;
  const after = encodeCursor({ t: start, o: offset + tickets.length });
  return { body: { tickets, after_cursor: after, after_url: `${base}/api/v2/incremental/tickets/cursor.json?cursor=${after}`, before_cursor: null, end_of_stream: end } };
}

export function startZendesk(opts: ZendeskOptions): Promise<MockApi> {
  const guard = (req: LoggedRequest): MockResponse | undefined =>
    basicCredentials(req) === `${opts.email}/token:${opts.apiToken}` ? undefined : { status: 401, body: { error: "Couldn't authenticate you" } };
  return startMockServer(
    (req, base) => {
      if (req.path === '/api/v2/users.json') return users(opts, req, base);
      if (req.path === '/api/v2/incremental/tickets/cursor.json') return ticketExport(opts, req, base);
      return { status: 404, body: { error: 'InvalidEndpoint', description: 'Not found' } };
    },
    { faults: opts.faults, guard },
  );
}

/** Zendesk's 429 answer, asking to wait `seconds`. */
export function zendeskRateLimited(seconds: number): MockResponse {
  return { status: 429, headers: { 'retry-after': String(seconds) }, body: { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' } };
}

/** `n` Zendesk users (or tickets), updated one second apart from `since`. */
export function zendeskRecords(n: number, since = Date.UTC(2024, 0, 1)): ZendeskRecord[] {
  return Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `User ${i + 1}`, email: `user${i + 1}@example.com`, updated_at: new Date(since + i * 1000).toISOString().replace('.000Z', 'Z') }));
}
