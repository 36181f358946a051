// Mock HubSpot CRM v3 (APIS.md): object lists paged by `paging.next.after` with the requested
// properties and associations, the search endpoint (filters, sorts, 400 past 10,000 results,
// no associations), batch create/update/upsert/archive (100 inputs at most), bearer or OAuth2 tokens,
// rate-limit headers and, when asked, the ten-second and search budgets; HubSpot's errors; the
// v4 associations batch read (hubspot-associations.ts).
// Batch writes follow HubSpot's error-handling guide ("Multi-status errors") and its batch
// endpoints' reference (BatchResponseSimplePublicObjectWithErrors): inputs that carry an
// `objectWriteTraceId` are written or refused one by one, the answer is 207 with the written
// records in `results` (each echoing its trace id) and one StandardError per refused input in
// `errors` (`context.objectWriteTraceId: [id]`), plus `numErrors`; without trace ids one bad
// input refuses the whole batch (400), as before.
import { acceptsBearer, type TokenIssuer } from './oauth';
import { associationsBatchRead } from './hubspot-associations';
import { hubspotSearch, type SearchBody } from './hubspot-search';
import { DEFAULT_PROPERTIES, hubspotView, type HubSpotRecord } from './hubspot-view';
import { bearer, decodeCursor, encodeCursor, intParam, isoNow, jsonBody, SlidingWindow, startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';

export interface HubSpotOptions {
  /** Records per object type, e.g. `{ contacts: [...] }`. Writes change these arrays. */
  objects: Record<string, HubSpotRecord[]>;
  /** A static private-app token to accept. */
  token?: string;
  /** Or OAuth2: tokens issued by this issuer, its endpoint at `/oauth/v1/token`. */
  tokens?: TokenIssuer;
  /** The search endpoint's cap on `after` (HubSpot: 10,000). */
  searchLimit?: number;
  /**
   * Whether search results include archived records. HubSpot's search never returns them (so
   * incremental reads cannot see deletions); this mock used to, and a test relies on it, so the
   * default stays true: pass false for the real behaviour.
   */
  archivedInSearch?: boolean;
  /** Refuse requests over HubSpot's budgets with its 429s: `max` per ten seconds, 5 searches per second. Off by default (benchmarks). */
  enforceLimits?: { max?: number } | boolean;
  /** Answer batch writes this late, after applying them (a client killed meanwhile never learns of the write). */
  answerDelayMs?: number;
  faults?: Faults;
}

const INTERVAL_MS = 10_000;
const BATCH_MAX = 100;

function error(status: number, category: string, message: string, extra: Record<string, unknown> = {}): MockResponse {
  return { status, body: { status: 'error', message, correlationId: '00000000-0000-0000-0000-000000000000', category, ...extra } };
}

function unauthorized(): MockResponse {
  return error(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.');
}

function list(records: HubSpotRecord[], type: string, req: LoggedRequest, url: string): MockResponse {
  const offset = Number(decodeCursor(req.query.get('after'))?.['o'] ?? 0);
  const limit = intParam(req.query, 'limit', 10, 100);
  const archived = req.query.get('archived') === 'true';
  const matched = records.filter((r) => r.archived === archived);
  const properties = req.query.getAll('properties').flatMap((p) => p.split(',')).filter((p) => p !== '');
  const associations = req.query.getAll('associations').flatMap((p) => p.split(',')).filter((p) => p !== '');
  const results = matched.slice(offset, offset + limit).map((r) => hubspotView(r, type, properties.length > 0 ? properties : DEFAULT_PROPERTIES[type], associations));
  const next = offset + limit < matched.length ? encodeCursor({ o: offset + limit }) : undefined;
  return { body: { results, ...(next === undefined ? {} : { paging: { next: { after: next, link: `${url}?after=${next}` } } }) } };
}

/** Marks a record changed now, the way HubSpot stamps its modification properties. */
function touch(record: HubSpotRecord, type: string): void {
  const now = isoNow();
  record.updatedAt = now;
  record.properties[type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate'] = now;
}

function nextId(records: HubSpotRecord[]): string {
  return String(records.reduce((max, r) => Math.max(max, Number(r.id) || 0), 0) + 1);
}

function create(records: HubSpotRecord[], type: string, properties: Record<string, string | null>): HubSpotRecord {
  const now = isoNow();
  const id = nextId(records);
  const record: HubSpotRecord = { id, properties: { ...properties, hs_object_id: id, createdate: now }, createdAt: now, updatedAt: now, archived: false };
  touch(record, type);
  records.push(record);
  return record;
}

interface BatchInput {
  id?: string;
  idProperty?: string;
  properties?: Record<string, unknown>;
  objectWriteTraceId?: string;
}

/** Why HubSpot refuses an input's properties, or undefined: an email must look like one (HubSpot's INVALID_EMAIL). */
function invalidProperties(props: Record<string, string | null>): { message: string; code: string; name: string } | undefined {
  const email = props['email'];
  if (email !== undefined && email !== null && email !== '' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    return { message: `Email address ${email} is invalid`, code: 'INVALID_EMAIL', name: 'email' };
  }
  return undefined;
}

/** One refused input of a multi-status answer, as HubSpot's StandardError. */
function itemError(category: string, message: string, trace: string, details: Record<string, unknown>[] = []): Record<string, unknown> {
  return { status: 'error', category, message, context: { objectWriteTraceId: [trace] }, errors: details };
}

function text(props: Record<string, unknown> | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  // HubSpot stores every property value as text.
  for (const [k, v] of Object.entries(props ?? {})) out[k] = v === null || v === undefined ? null : typeof v === 'string' ? v : String(v);
  return out;
}

function batch(records: HubSpotRecord[], type: string, op: string, req: LoggedRequest): MockResponse {
  const body = jsonBody(req) as { inputs?: BatchInput[] } | undefined;
  const inputs = body?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) return error(400, 'VALIDATION_ERROR', 'Invalid input JSON: "inputs" must be a non-empty array');
  if (inputs.length > BATCH_MAX) return error(400, 'VALIDATION_ERROR', `Batch input limit exceeded: at most ${BATCH_MAX} inputs, got ${inputs.length}`);
  if (op === 'archive') return archive(records, type, inputs);
  // HubSpot checks a batch whole before writing any of it.
  if (op !== 'create' && inputs.some((input) => typeof input.id !== 'string' || input.id === '')) {
    return error(400, 'VALIDATION_ERROR', `every input needs an "id" (the value of ${op === 'upsert' ? (inputs[0]?.idProperty ?? 'hs_object_id') : 'hs_object_id'})`);
  }
  const startedAt = isoNow();
  // With trace ids, HubSpot answers per input (multi-status); without, one bad input refuses the batch.
  const traced = inputs.every((input) => typeof input.objectWriteTraceId === 'string' && input.objectWriteTraceId !== '');
  if (!traced) {
    for (const input of inputs) {
      const bad = invalidProperties(text(input.properties));
      if (bad !== undefined) return error(400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify([{ isValid: false, message: bad.message, error: bad.code, name: bad.name }])}`);
    }
  }
  const results: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  for (const input of inputs) {
    const props = text(input.properties);
    const trace = input.objectWriteTraceId;
    const echo = trace === undefined ? {} : { objectWriteTraceId: trace };
    const bad = invalidProperties(props);
    if (bad !== undefined && trace !== undefined) {
      errors.push(itemError('VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify([{ isValid: false, message: bad.message, error: bad.code, name: bad.name }])}`, trace, [{ message: bad.message, code: bad.code, in: bad.name }]));
      continue;
    }
    if (op === 'create') {
      results.push({ ...hubspotView(create(records, type, props), type, undefined), ...echo });
      continue;
    }
    const key = op === 'upsert' ? (input.idProperty ?? 'hs_object_id') : 'hs_object_id';
    if (typeof input.id !== 'string' || input.id === '') return error(400, 'VALIDATION_ERROR', `every input needs an "id" (the value of ${key})`);
    const wanted = key === 'email' ? input.id.toLowerCase() : input.id;
    const found = records.find((r) => !r.archived && (key === 'hs_object_id' ? r.id === input.id : (key === 'email' ? r.properties[key]?.toLowerCase() : r.properties[key]) === wanted));
    if (found === undefined) {
      if (op === 'update') {
        if (trace === undefined) return error(404, 'OBJECT_NOT_FOUND', `Object not found. objectId are usually numeric: ${input.id}`);
        errors.push({ ...itemError('OBJECT_NOT_FOUND', 'Object not found. objectId are usually numeric.', trace), context: { ids: [input.id], objectWriteTraceId: [trace] } });
        continue;
      }
      const made = create(records, type, { ...props, [key]: input.id });
      results.push({ ...hubspotView(made, type, undefined), new: true, ...echo });
      continue;
    }
    Object.assign(found.properties, props);
    touch(found, type);
    results.push({ ...hubspotView(found, type, undefined), ...(op === 'upsert' ? { new: false } : {}), ...echo });
  }
  const status = errors.length > 0 ? 207 : op === 'create' ? 201 : 200;
  return { status, body: { status: 'COMPLETE', results, ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}), startedAt, completedAt: isoNow() } };
}

/** Batch archive: `{ inputs: [{ id }] }`, 204 whether or not each id exists (as HubSpot does). */
function archive(records: HubSpotRecord[], type: string, inputs: BatchInput[]): MockResponse {
  for (const input of inputs) {
    const found = records.find((r) => !r.archived && r.id === input.id);
    if (found === undefined) continue;
    found.archived = true;
    touch(found, type);
  }
  return { status: 204 };
}

export function startHubSpot(opts: HubSpotOptions): Promise<MockApi> {
  const limits = opts.enforceLimits === undefined || opts.enforceLimits === false ? undefined : opts.enforceLimits === true ? {} : opts.enforceLimits;
  const window = new SlidingWindow(limits?.max ?? 150, INTERVAL_MS);
  const searches = new SlidingWindow(5, 1000);
  const guard = (req: LoggedRequest): MockResponse | undefined => {
    if (req.path === '/oauth/v1/token') return undefined;
    if (!acceptsBearer(req, opts)) return unauthorized();
    return undefined;
  };
  return startMockServer(
    async (req, base) => {
      if (req.path === '/oauth/v1/token' && req.method === 'POST' && opts.tokens !== undefined) return opts.tokens.handle(req);
      const key = bearer(req) ?? '';
      const budget = window.take(key);
      const headers: Record<string, string> = {
        'x-hubspot-ratelimit-max': String(window.limit),
        'x-hubspot-ratelimit-interval-milliseconds': String(INTERVAL_MS),
        'x-hubspot-ratelimit-remaining': String(budget.ok ? budget.remaining : 0),
        'x-hubspot-ratelimit-secondly': String(Math.ceil(window.limit / 10)),
      };
      if (limits !== undefined && !budget.ok) {
        return { ...error(429, 'RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.', { errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' }), headers };
      }
      const assoc = /^\/crm\/v4\/associations\/([a-z_]+)\/([a-z_]+)\/batch\/read$/.exec(req.path);
      if (assoc !== null && req.method === 'POST') return { ...associationsBatchRead(opts.objects[assoc[1]!], assoc[1]!, assoc[2]!, req), headers };
      const m = /^\/crm\/v3\/objects\/([a-z_]+)(?:\/(search|batch\/(create|update|upsert|archive)))?$/.exec(req.path);
      const type = m?.[1];
      const records = type === undefined ? undefined : opts.objects[type];
      if (m === null || type === undefined || records === undefined) return error(404, 'OBJECT_NOT_FOUND', `Unknown path ${req.path}`);
      let answer: MockResponse;
      if (m[2] === 'search' && req.method === 'POST') {
        if (limits !== undefined && !searches.take(key).ok) {
          return { ...error(429, 'RATE_LIMITS', 'You have reached your secondly limit.', { errorType: 'RATE_LIMIT', policyName: 'SECONDLY' }), headers };
        }
        const body = (jsonBody(req) ?? {}) as SearchBody;
        answer = hubspotSearch(records, type, body, { limit: opts.searchLimit ?? 10_000, archived: opts.archivedInSearch ?? true, url: `${base}/crm/v3/objects/${type}` });
      } else if (m[3] !== undefined && req.method === 'POST') {
        answer = batch(records, type, m[3], req);
        if (opts.answerDelayMs !== undefined) await new Promise((r) => setTimeout(r, opts.answerDelayMs));
      } else if (m[2] === undefined && req.method === 'GET') {
        answer = list(records, type, req, `${base}/crm/v3/objects/${type}`);
      } else {
        return error(405, 'VALIDATION_ERROR', `${req.method} is not supported on ${req.path}`);
      }
      return { ...answer, headers: { ...headers, ...answer.headers } };
    },
    { faults: opts.faults, guard },
  );
}

export type { HubSpotRecord } from './hubspot-view';
export { hubspotCompanies, hubspotContacts, hubspotDeals, hubspotEngagements, hubspotPeople } from './hubspot-data';
