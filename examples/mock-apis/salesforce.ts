// Mock Salesforce REST (APIS.md): SOQL query results in batches linked by a relative
// `nextRecordsUrl` until `done`, data calls at the token response's `instance_url`, OAuth2
// refresh at `/services/oauth2/token`, Salesforce's array-shaped errors.
import { acceptsBearer, type TokenIssuer } from './oauth';
import { startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';

export interface SalesforceRecord {
  attributes: { type: string; url: string };
  Id: string;
  [field: string]: unknown;
}

export interface SalesforceOptions {
  records: SalesforceRecord[];
  /** Records per batch (Salesforce: up to 2,000). */
  batchSize?: number;
  /** A static session token to accept. */
  token?: string;
  /** Or OAuth2 tokens from this issuer, its endpoint at `/services/oauth2/token`; its responses get `instance_url` = this mock's URL. */
  tokens?: TokenIssuer;
  faults?: Faults;
}

const QUERY_PATH = '/services/data/v60.0/query';

function batch(opts: SalesforceOptions, matched: SalesforceRecord[], offset: number, locator: string): MockResponse {
  const size = opts.batchSize ?? 2000;
  const records = matched.slice(offset, offset + size);
  const done = offset + size >= matched.length;
  return {
    headers: { 'sforce-limit-info': 'api-usage=10/100000' },
    body: { totalSize: matched.length, done, ...(done ? {} : { nextRecordsUrl: `${QUERY_PATH}/${locator}-${offset + size}` }), records },
  };
}

/** Applies a `WHERE SystemModstamp > <ISO>` filter, the only SOQL the mock understands. */
function filter(records: SalesforceRecord[], soql: string): SalesforceRecord[] {
  const m = /SystemModstamp\s*>\s*(\S+)/i.exec(soql);
  if (m === null) return records;
  const bound = Date.parse(m[1]!);
  return records.filter((r) => Date.parse(String(r['SystemModstamp'])) > bound);
}

export function startSalesforce(opts: SalesforceOptions): Promise<MockApi> {
  const cursors = new Map<string, SalesforceRecord[]>();
  const guard = (req: LoggedRequest): MockResponse | undefined => {
    if (req.path === '/services/oauth2/token') return undefined;
    return acceptsBearer(req, opts) ? undefined : { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] };
  };
  const api = startMockServer(
    async (req) => {
      if (req.path === '/services/oauth2/token' && opts.tokens !== undefined) return opts.tokens.handle(req);
      if (req.path === QUERY_PATH) {
        const soql = req.query.get('q');
        if (soql === null) return { status: 400, body: [{ message: 'missing q', errorCode: 'MALFORMED_QUERY' }] };
        const locator = `01gD0000002HU6K${String(cursors.size).padStart(3, '0')}`;
        const matched = filter(opts.records, soql);
        cursors.set(locator, matched);
        return batch(opts, matched, 0, locator);
      }
      const next = /^\/services\/data\/v60\.0\/query\/([A-Za-z0-9]+)-(\d+)$/.exec(req.path);
      const matched = next === null ? undefined : cursors.get(next[1]!);
      if (next !== null && matched !== undefined) return batch(opts, matched, Number(next[2]), next[1]!);
      return { status: 404, body: [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }] };
    },
    { faults: opts.faults, guard },
  );
  return api.then((a) => {
    if (opts.tokens !== undefined) opts.tokens.extra = { instance_url: a.url, ...opts.tokens.extra };
    return a;
  });
}

/** `n` Salesforce contacts, modified one second apart from `since`. */
export function salesforceContacts(n: number, since = Date.UTC(2024, 0, 1)): SalesforceRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `003D${String(i + 1).padStart(11, '0')}`;
    return {
      attributes: { type: 'Contact', url: `/services/data/v60.0/sobjects/Contact/${id}` },
      Id: id,
      Email: `sf${i + 1}@example.com`,
      SystemModstamp: new Date(since + i * 1000).toISOString().replace('Z', '+0000'),
    };
  });
}
