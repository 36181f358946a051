// Mock Mailchimp Marketing (APIS.md): list members paged by `offset`/`count` with
// `total_items`, `since_last_changed`, Basic `anystring:APIKEY` auth, problem-JSON errors, and
// the limit of 10 concurrent connections (429 `TooManyRequests`).
import { basicCredentials, intParam, startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';

export interface MailchimpMember {
  id: string;
  email_address: string;
  full_name: string;
  status: 'subscribed' | 'unsubscribed' | 'cleaned' | 'pending';
  merge_fields: Record<string, string>;
  last_changed: string;
}

export interface MailchimpOptions {
  listId: string;
  members: MailchimpMember[];
  apiKey: string;
  /** Requests answered at once before 429 (Mailchimp: 10). */
  maxConcurrent?: number;
  /** Time each answer takes, in ms (makes concurrency observable). */
  latencyMs?: number;
  faults?: Faults;
}

function problem(status: number, title: string, detail: string): MockResponse {
  return { status, headers: { 'content-type': 'application/problem+json; charset=utf-8' }, body: { type: 'https://mailchimp.com/developer/marketing/docs/errors/', title, status, detail, instance: '00000000-0000-0000-0000-000000000000' } };
}

export function startMailchimp(opts: MailchimpOptions): Promise<MockApi> {
  let inFlight = 0;
  const guard = (req: LoggedRequest): MockResponse | undefined => {
    const password = basicCredentials(req)?.split(':').slice(1).join(':');
    return password === opts.apiKey ? undefined : problem(401, 'API Key Invalid', 'Your API key may be invalid, or you\'ve attempted to access the wrong datacenter.');
  };
  return startMockServer(
    async (req) => {
      const m = /^\/3\.0\/lists\/([^/]+)\/members$/.exec(req.path);
      if (m === null || m[1] !== opts.listId) return problem(404, 'Resource Not Found', 'The requested resource could not be found.');
      if (inFlight >= (opts.maxConcurrent ?? 10)) return problem(429, 'Too Many Requests', 'You have exceeded the limit of 10 simultaneous connections.');
      inFlight += 1;
      try {
        if (opts.latencyMs !== undefined) await new Promise((r) => setTimeout(r, opts.latencyMs));
        const since = req.query.get('since_last_changed');
        const bound = since === null ? -Infinity : Date.parse(since);
        const matched = opts.members.filter((mem) => Date.parse(mem.last_changed) >= bound);
        const offset = intParam(req.query, 'offset', 0);
        const count = intParam(req.query, 'count', 10, 1000);
        return { body: { members: matched.slice(offset, offset + count), list_id: opts.listId, total_items: matched.length } };
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
