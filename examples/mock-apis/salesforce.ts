// Mock Salesforce REST (APIS.md, and Salesforce's REST API guide: "Query", "QueryAll" at
// developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall): SOQL query and
// queryAll results in batches linked by a relative `nextRecordsUrl` (`/query/<locator>` for
// both) until `done`, only the selected fields; `query` leaves out deleted records and archived
// activities (IsArchived Task and Event rows), `queryAll` returns both; Bulk API 2.0 query jobs
// (salesforce-bulk.ts); upserts by external id;
// `/limits`; data calls at the token response's `instance_url`, OAuth2 refresh at
// `/services/oauth2/token`; the daily request limit (`Sforce-Limit-Info`, a 403 once spent);
// Salesforce's array-shaped errors.
import { acceptsBearer, type TokenIssuer } from './oauth';
import { sfRecord, sfTime, type SalesforceRecord } from './salesforce-data';
import { bulkEndpoints, type BulkOptions, type BulkStats } from './salesforce-bulk';
import { parseSoql, runSoql, SoqlError } from './salesforce-soql';
import { jsonBody, startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';

export type { SalesforceRecord } from './salesforce-data';

export interface SalesforceOptions {
  /** Records of any sObject type (by `attributes.type`), e.g. contacts. */
  records?: SalesforceRecord[];
  /** Records by sObject type, e.g. `{ Account: [...], Contact: [...] }`. Upserts change these arrays. */
  objects?: Record<string, SalesforceRecord[]>;
  /** Records per batch (Salesforce: up to 2,000). */
  batchSize?: number;
  /** A static session token to accept. */
  token?: string;
  /** Or OAuth2 tokens from this issuer, its endpoint at `/services/oauth2/token`; its responses get `instance_url` = this mock's URL. */
  tokens?: TokenIssuer;
  /** API requests allowed per day (default 100,000); past it, Salesforce answers 403 REQUEST_LIMIT_EXCEEDED. */
  dailyLimit?: number;
  /** How Bulk API 2.0 query jobs behave (polls to completion, failures, set sizes). */
  bulk?: BulkOptions;
  faults?: Faults;
}

/** The mock, and what its Bulk API endpoints did. */
export type SalesforceMock = MockApi & { bulk: BulkStats };

const VERSION = '/services/data/v60.0';
const PREFIXES: Record<string, string> = { Account: '001', Contact: '003', Opportunity: '006', Task: '00T', Event: '00U', Lead: '00Q' };

function sfError(status: number, errorCode: string, message: string): MockResponse {
  return { status, body: [{ message, errorCode }] };
}

export function startSalesforce(opts: SalesforceOptions): Promise<SalesforceMock> {
  const objects: Record<string, SalesforceRecord[]> = opts.objects ?? {};
  for (const r of opts.records ?? []) (objects[r.attributes.type] ??= []).push(r);
  const cursors = new Map<string, SalesforceRecord[]>();
  const daily = opts.dailyLimit ?? 100_000;
  let used = 0;
  let created = 0;

  const batch = (matched: SalesforceRecord[], offset: number, locator: string): MockResponse => {
    const size = opts.batchSize ?? 2000;
    const records = matched.slice(offset, offset + size);
    const done = offset + size >= matched.length;
    return { body: { totalSize: matched.length, done, ...(done ? {} : { nextRecordsUrl: `${VERSION}/query/${locator}-${offset + size}` }), records } };
  };

  const query = (req: LoggedRequest, all: boolean): MockResponse => {
    const soql = req.query.get('q');
    if (soql === null) return sfError(400, 'MALFORMED_QUERY', 'The query string is missing: q');
    try {
      const q = parseSoql(soql, (o) => objects[o] !== undefined || PREFIXES[o] !== undefined);
      const locator = `01gD0000002HU6K${String(cursors.size).padStart(3, '0')}`;
      const matched = runSoql(objects[q.object] ?? [], q, all);
      cursors.set(locator, matched);
      return batch(matched, 0, locator);
    } catch (err) {
      if (err instanceof SoqlError) return sfError(400, err.errorCode, err.message);
      throw err;
    }
  };

  /** PATCH /sobjects/{Type}/{Field}/{Value}: 201 with `created: true`, or 200 with `created: false`. */
  const upsert = (type: string, field: string, value: string, req: LoggedRequest): MockResponse => {
    const body = jsonBody(req);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return sfError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
    const fields = body as Record<string, unknown>;
    if ('Id' in fields) return sfError(400, 'INVALID_FIELD', 'Unable to create/update fields: Id. Please check the security settings of this field.');
    if (field in fields && fields[field] !== value) return sfError(400, 'INVALID_FIELD', `The value of ${field} in the body must match the one in the URL`);
    const records = (objects[type] ??= []);
    const found = records.filter((r) => r['IsDeleted'] !== true && r[field] === value);
    if (found.length > 1) return { status: 300, body: found.map((r) => r.attributes.url) };
    const now = sfTime(Date.now());
    if (found.length === 1) {
      Object.assign(found[0]!, fields, { SystemModstamp: now, LastModifiedDate: now });
      return { status: 200, body: { id: found[0]!.Id, success: true, errors: [], created: false } };
    }
    created += 1;
    const id = `${PREFIXES[type] ?? 'a00'}N${String(created).padStart(11, '0')}`;
    records.push(sfRecord(type, id, { ...fields, [field]: value, CreatedDate: now, SystemModstamp: now, LastModifiedDate: now }));
    return { status: 201, body: { id, success: true, errors: [], created: true } };
  };

  const guard = (req: LoggedRequest): MockResponse | undefined => {
    if (req.path === '/services/oauth2/token') return undefined;
    if (!acceptsBearer(req, opts)) return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    used += 1;
    if (used > daily) return { ...sfError(403, 'REQUEST_LIMIT_EXCEEDED', `TotalRequests Limit exceeded.`), headers: { 'sforce-limit-info': `api-usage=${used}/${daily}` } };
    return undefined;
  };
  const bulk = bulkEndpoints(objects, (o) => objects[o] !== undefined || PREFIXES[o] !== undefined, opts.bulk);
  const api = startMockServer(
    async (req) => {
      if (req.path === '/services/oauth2/token' && opts.tokens !== undefined) return opts.tokens.handle(req);
      const headers = { 'sforce-limit-info': `api-usage=${used}/${daily}` };
      let answer: MockResponse;
      const job = bulk.handle(req);
      const next = /^\/services\/data\/v60\.0\/query\/([A-Za-z0-9]+)-(\d+)$/.exec(req.path);
      const upsertPath = /^\/services\/data\/v60\.0\/sobjects\/(\w+)\/(\w+)\/([^/]+)$/.exec(req.path);
      if (job !== undefined) answer = job;
      else if ((req.path === `${VERSION}/query` || req.path === `${VERSION}/queryAll`) && req.method === 'GET') answer = query(req, req.path.endsWith('All'));
      else if (next !== null && cursors.has(next[1]!)) answer = batch(cursors.get(next[1]!)!, Number(next[2]), next[1]!);
      else if (upsertPath !== null && req.method === 'PATCH') answer = upsert(upsertPath[1]!, upsertPath[2]!, decodeURIComponent(upsertPath[3]!), req);
      else if (req.path === `${VERSION}/limits` && req.method === 'GET') answer = { body: { DailyApiRequests: { Max: daily, Remaining: Math.max(0, daily - used) } } };
      else answer = sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      return { ...answer, headers: { ...headers, ...answer.headers } };
    },
    { faults: opts.faults, guard },
  );
  return api.then((a) => {
    if (opts.tokens !== undefined) opts.tokens.extra = { instance_url: a.url, ...opts.tokens.extra };
    return Object.assign(a, { bulk: bulk.stats });
  });
}

export { salesforceContacts, salesforceOrg, sfId, sfTime } from './salesforce-data';
