// Salesforce Bulk API 2.0 query jobs for the mock Salesforce, as Salesforce documents them:
// "Create a Query Job" (developer.salesforce.com/docs/platform/api-asynch/guide/query-create-job:
// `operation` query | queryAll, `contentType` CSV, `columnDelimiter`, `lineEnding`), "Get
// Information About a Query Job" (job info, `errorMessage` when failed), "Job States"
// (UploadComplete, InProgress, JobComplete, Failed, Aborted) and "Get Results for a Query Job"
// (query-get-job-results: 412 JOB_NOT_COMPLETE before JobComplete, 409 for another API version,
// `locator` and `maxRecords`, `Sforce-Locator` naming the next set or the text `null` after the
// last, `Sforce-NumberOfRecords`, CSV with a header row in the SELECT's order). A deleted job
// (DELETE -> 204) is NOT_FOUND afterwards, as an expired one is.
import type { SalesforceRecord } from './salesforce-data';
import { parseSoql, runSoql, SoqlError } from './salesforce-soql';
import { jsonBody, type LoggedRequest, type MockResponse } from './server';

export interface BulkOptions {
  /** Polls of a job before it is JobComplete (default 2: UploadComplete, then InProgress, then JobComplete). */
  pollsToComplete?: number;
  /** Makes each new job end in this state with this message instead (tests of failures). */
  fail?: { state: 'Failed' | 'Aborted'; message: string };
  /** Records per results set when `maxRecords` is not given (default 50,000). */
  defaultMaxRecords?: number;
  /** A pause before each piece (about 16 KiB) of a results body: a slow download, for tests that kill a run mid-set. */
  pieceDelayMs?: number;
}

interface Job {
  id: string;
  version: string;
  operation: 'query' | 'queryAll';
  soql: string;
  object: string;
  delimiter: string;
  lineEnding: 'LF' | 'CRLF';
  state: string;
  polls: number;
  createdDate: string;
  rows: SalesforceRecord[] | undefined;
  fields: string[];
  errorMessage?: string;
}

const DELIMITERS: Record<string, string> = { COMMA: ',', TAB: '\t', PIPE: '|', SEMICOLON: ';', CARET: '^', BACKQUOTE: '`' };

/** What the bulk endpoints did, for tests: jobs created, result bytes sent, jobs deleted. */
export interface BulkStats {
  created: string[];
  deleted: string[];
  bytesSent: number;
  /** Jobs by id (tests may expire one: `jobs.delete(id)`). */
  jobs: Map<string, unknown>;
}

function sfError(status: number, errorCode: string, message: string): MockResponse {
  return { status, body: [{ errorCode, message }] };
}

/** A value as Bulk API CSV writes it: always quoted, quotes doubled, null as empty, dateTimes in UTC with Z. */
function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '""';
  let text = typeof value === 'string' ? value : String(value);
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/.test(text)) text = text.replace('+0000', 'Z');
  return `"${text.replace(/"/g, '""')}"`;
}

const locatorOf = (offset: number): string => Buffer.from(String(offset)).toString('base64').replace(/=+$/, '');
const offsetOf = (locator: string): number | undefined => {
  const n = Number(Buffer.from(locator, 'base64').toString('utf8'));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
};

export function bulkEndpoints(objects: Record<string, SalesforceRecord[]>, known: (object: string) => boolean, options: BulkOptions = {}) {
  const jobs = new Map<string, Job>();
  const stats: BulkStats = { created: [], deleted: [], bytesSent: 0, jobs: jobs as Map<string, unknown> };
  let n = 0;

  const info = (job: Job): Record<string, unknown> => ({
    id: job.id, operation: job.operation, object: job.object, createdById: '005R0000000GiwjIAC', createdDate: job.createdDate, systemModstamp: job.createdDate, state: job.state,
    concurrencyMode: 'Parallel', contentType: 'CSV', apiVersion: Number(job.version), jobType: 'V2Query', lineEnding: job.lineEnding,
    columnDelimiter: Object.entries(DELIMITERS).find(([, d]) => d === job.delimiter)![0], numberRecordsProcessed: job.rows?.length ?? 0, retries: 0, totalProcessingTime: job.rows === undefined ? 0 : 334,
    ...(job.errorMessage === undefined ? {} : { errorMessage: job.errorMessage }),
  });

  const create = (version: string, req: LoggedRequest): MockResponse => {
    const body = jsonBody(req) as Record<string, unknown> | undefined;
    if (body === undefined || body === null || typeof body !== 'object') return sfError(400, 'JSON_PARSER_ERROR', 'The request body must be JSON');
    const operation = body['operation'];
    if (operation !== 'query' && operation !== 'queryAll') return sfError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${String(operation)}`);
    if (body['contentType'] !== undefined && body['contentType'] !== 'CSV') return sfError(400, 'INVALIDJOB', 'InvalidJob : contentType: only CSV is supported');
    const delimiter = DELIMITERS[String(body['columnDelimiter'] ?? 'COMMA')];
    if (delimiter === undefined) return sfError(400, 'INVALIDJOB', `InvalidJob : Invalid columnDelimiter: ${String(body['columnDelimiter'])}`);
    const lineEnding = body['lineEnding'] ?? 'LF';
    if (lineEnding !== 'LF' && lineEnding !== 'CRLF') return sfError(400, 'INVALIDJOB', `InvalidJob : Invalid lineEnding: ${String(lineEnding)}`);
    let q;
    try {
      q = parseSoql(String(body['query'] ?? ''), known);
    } catch (err) {
      if (err instanceof SoqlError) return sfError(400, err.errorCode, err.message);
      throw err;
    }
    n += 1;
    const job: Job = { id: `750R0000000${String(n).padStart(4, '0')}IAA`, version, operation, soql: String(body['query']), object: q.object, delimiter, lineEnding, state: 'UploadComplete', polls: 0, createdDate: new Date().toISOString().replace('Z', '+0000'), rows: undefined, fields: q.fields };
    jobs.set(job.id, job);
    stats.created.push(job.id);
    return { body: info(job) };
  };

  /** Each poll moves the job on: UploadComplete -> InProgress -> ... -> JobComplete (its rows taken then), or the failure asked for. */
  const poll = (job: Job): MockResponse => {
    job.polls += 1;
    if (job.state === 'UploadComplete' || job.state === 'InProgress') {
      if (job.polls >= (options.pollsToComplete ?? 2)) {
        if (options.fail !== undefined) {
          job.state = options.fail.state;
          job.errorMessage = options.fail.message;
        } else {
          job.rows = runSoql(objects[job.object] ?? [], parseSoql(job.soql, known), job.operation === 'queryAll');
          job.state = 'JobComplete';
        }
      } else job.state = 'InProgress';
    }
    return { body: info(job) };
  };

  const results = (job: Job, version: string, req: LoggedRequest): MockResponse => {
    if (version !== job.version) return sfError(409, 'INVALIDJOBSTATE', `the job was created with API version ${job.version}: get its results with the same version`);
    if (job.state !== 'JobComplete' || job.rows === undefined) {
      return sfError(412, 'JOB_NOT_COMPLETE', `can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: ${job.state.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`);
    }
    const locator = req.query.get('locator');
    const offset = locator === null ? 0 : offsetOf(locator);
    if (offset === undefined || offset > job.rows.length) return sfError(400, 'INVALIDLOCATOR', `Invalid locator: ${locator}`);
    const max = Number(req.query.get('maxRecords') ?? options.defaultMaxRecords ?? 50_000);
    if (!Number.isInteger(max) || max < 1) return sfError(400, 'INVALIDMAXRECORDS', 'maxRecords must be a positive integer');
    const rows = job.rows.slice(offset, offset + max);
    const next = offset + max < job.rows.length ? locatorOf(offset + max) : 'null';
    const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
    const fields = job.fields;
    const d = job.delimiter;
    // Produced lazily, a few hundred rows at a time, as the client takes them.
    async function* body(): AsyncIterable<string> {
      let piece = fields.map((f) => `"${f}"`).join(d) + eol;
      for (const row of rows) {
        piece += fields.map((f) => csvValue(row[f])).join(d) + eol;
        if (piece.length >= 16_384) {
          if (options.pieceDelayMs !== undefined) await new Promise((r) => setTimeout(r, options.pieceDelayMs));
          stats.bytesSent += Buffer.byteLength(piece);
          yield piece;
          piece = '';
        }
      }
      stats.bytesSent += Buffer.byteLength(piece);
      yield piece;
    }
    return { headers: { 'content-type': 'text/csv', 'sforce-locator': next, 'sforce-numberofrecords': String(rows.length) }, stream: body() };
  };

  /** Answers `/services/data/vXX.X/jobs/query[/{id}[/results]]`, or undefined for other paths. */
  const handle = (req: LoggedRequest): MockResponse | undefined => {
    const m = /^\/services\/data\/v(\d+\.\d)\/jobs\/query(?:\/([A-Za-z0-9]+)(\/results)?)?$/.exec(req.path);
    if (m === null) return undefined;
    const [, version, id, sub] = m;
    if (id === undefined) return req.method === 'POST' ? create(version!, req) : sfError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are POST`);
    const job = jobs.get(id);
    if (job === undefined) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (sub !== undefined) return req.method === 'GET' ? results(job, version!, req) : sfError(405, 'METHOD_NOT_ALLOWED', 'Allowed are GET');
    if (req.method === 'GET') return poll(job);
    if (req.method === 'DELETE') {
      jobs.delete(id);
      stats.deleted.push(id);
      return { status: 204 };
    }
    return sfError(405, 'METHOD_NOT_ALLOWED', 'Allowed are GET, DELETE');
  };
  return { handle, stats };
}
