// Mock Pipedrive (APIS.md): v1 persons paged by `start`/`limit` with
// `more_items_in_collection`; v2 persons, organizations, deals and activities with
// `next_cursor` and `updated_since` (deleted items left out); v2 person writes; the
// `x-api-token` header or legacy `api_token` query; the 2-second budget with its rate-limit
// headers and 429; Pipedrive's errors.
import { personV2, pdMs, pdTime, type PipedriveActivity, type PipedriveDeal, type PipedriveOrganization, type PipedrivePerson } from './pipedrive-data';
import { decodeCursor, encodeCursor, intParam, jsonBody, SlidingWindow, startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';

export type { PipedriveActivity, PipedriveDeal, PipedriveOrganization, PipedrivePerson } from './pipedrive-data';

export interface PipedriveOptions {
  /** Persons as v1 sends them; v2 answers convert them. Writes change this array. */
  persons: PipedrivePerson[];
  organizations?: PipedriveOrganization[];
  deals?: PipedriveDeal[];
  activities?: PipedriveActivity[];
  apiToken: string;
  /** Requests per 2-second window before 429 (default 80). */
  burst?: number;
  faults?: Faults;
}

const WINDOW_MS = 2000;

function error(status: number, message: string, headers: Record<string, string> = {}): MockResponse {
  return { status, headers, body: { success: false, error: message, error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.', data: null, additional_data: null } };
}

function v1(opts: PipedriveOptions, req: LoggedRequest): MockResponse {
  const start = intParam(req.query, 'start', 0);
  const limit = intParam(req.query, 'limit', 100, 500);
  const data = opts.persons.slice(start, start + limit);
  const more = start + limit < opts.persons.length;
  return {
    body: {
      success: true,
      // Pipedrive answers `data: null`, not an empty array, past the end.
      data: data.length === 0 ? null : data,
      additional_data: { pagination: { start, limit, more_items_in_collection: more, ...(more ? { next_start: start + limit } : {}) } },
    },
  };
}

/** A v2 collection: by id, `updated_since` (inclusive) and `updated_until` (exclusive), deleted items left out, cursor paging. */
function v2(items: { id: number; update_time: string; deleted: boolean; view: () => unknown }[], req: LoggedRequest): MockResponse {
  const since = req.query.get('updated_since');
  const until = req.query.get('updated_until');
  for (const [name, value] of [['updated_since', since], ['updated_until', until]] as const) {
    if (value !== null && Number.isNaN(Date.parse(value))) return error(400, `${name} must be in RFC3339 format, e.g. 2025-01-01T10:20:00Z`);
  }
  const matched = items
    .filter((p) => !p.deleted && (since === null || pdMs(p.update_time) >= Date.parse(since)) && (until === null || pdMs(p.update_time) < Date.parse(until)))
    .sort((a, b) => a.id - b.id);
  const offset = Number(decodeCursor(req.query.get('cursor'))?.['o'] ?? 0);
  const limit = Math.max(1, intParam(req.query, 'limit', 100, 500));
  const data = matched.slice(offset, offset + limit).map((p) => p.view());
  const next = offset + limit < matched.length ? encodeCursor({ o: offset + limit }) : null;
  return { body: { success: true, data, additional_data: { next_cursor: next } } };
}

/** POST /api/v2/persons and PATCH /api/v2/persons/{id}: v2 bodies (`emails`, `phones`), v2 answers. */
function writePerson(opts: PipedriveOptions, req: LoggedRequest, id: number | undefined): MockResponse {
  const body = jsonBody(req) as Record<string, unknown> | undefined;
  if (body === undefined || body === null || typeof body !== 'object') return error(400, 'The request body must be JSON');
  const emails = body['emails'];
  const phones = body['phones'];
  for (const [name, list] of [['emails', emails], ['phones', phones]] as const) {
    if (list !== undefined && (!Array.isArray(list) || list.some((e) => e === null || typeof e !== 'object' || typeof (e as { value?: unknown }).value !== 'string'))) {
      return error(400, `${name} must be an array of objects with a text "value"`);
    }
  }
  const now = pdTime(Date.now());
  let person = id === undefined ? undefined : opts.persons.find((p) => p.id === id && p.active_flag !== false);
  if (id !== undefined && person === undefined) return error(404, 'Person not found');
  if (person === undefined) {
    if (typeof body['name'] !== 'string' || body['name'] === '') return error(400, 'name is required');
    person = { id: opts.persons.reduce((m, p) => Math.max(m, p.id), 0) + 1, name: '', first_name: '', last_name: '', email: [], phone: [], org_id: null, update_time: now, add_time: now, owner_id: 1, active_flag: true };
    opts.persons.push(person);
  }
  if (typeof body['name'] === 'string') {
    person.name = body['name'];
    [person.first_name, person.last_name] = [body['name'].split(' ')[0] ?? '', body['name'].split(' ').slice(1).join(' ')];
  }
  if (Array.isArray(emails)) person.email = emails.map((e: { value: string; primary?: boolean; label?: string }, i) => ({ value: e.value, primary: e.primary ?? i === 0, label: e.label ?? 'work' }));
  if (Array.isArray(phones)) person.phone = phones.map((e: { value: string; primary?: boolean; label?: string }, i) => ({ value: e.value, primary: e.primary ?? i === 0, label: e.label ?? 'work' }));
  if (typeof body['org_id'] === 'number' || body['org_id'] === null) person.org_id = body['org_id'] as number | null;
  person.update_time = now;
  return { status: 200, body: { success: true, data: personV2(person) } };
}

export function startPipedrive(opts: PipedriveOptions): Promise<MockApi> {
  const budget = new SlidingWindow(opts.burst ?? 80, WINDOW_MS);
  const guard = (req: LoggedRequest): MockResponse | undefined => {
    const token = req.headers['x-api-token'] ?? req.query.get('api_token');
    return token === opts.apiToken ? undefined : error(401, 'unauthorized access');
  };
  return startMockServer(
    (req) => {
      const taken = budget.take(opts.apiToken);
      const headers: Record<string, string> = {
        'x-ratelimit-limit': String(budget.limit),
        'x-ratelimit-remaining': String(taken.ok ? taken.remaining : 0),
        'x-ratelimit-reset': String(taken.ok ? WINDOW_MS / 1000 : Math.ceil(taken.retryAfterMs / 1000)),
      };
      if (!taken.ok) return error(429, 'Request over limit', headers);
      const answer = route(opts, req);
      return { ...answer, headers: { ...headers, ...answer.headers } };
    },
    { faults: opts.faults, guard },
  );
}

function route(opts: PipedriveOptions, req: LoggedRequest): MockResponse {
  const one = /^\/api\/v2\/persons\/(\d+)$/.exec(req.path);
  if (req.path === '/api/v1/persons' && req.method === 'GET') return v1(opts, req);
  if (req.path === '/api/v1/users/me') return { body: { success: true, data: { id: 1, name: 'API user', email: 'api@example.com', company_domain: 'example' } } };
  if (req.path === '/api/v2/persons' && req.method === 'POST') return writePerson(opts, req, undefined);
  if (one !== null && req.method === 'PATCH') return writePerson(opts, req, Number(one[1]));
  if (req.method !== 'GET') return error(405, `${req.method} is not allowed on ${req.path}`);
  switch (req.path) {
    case '/api/v2/persons':
      return v2(opts.persons.map((p) => ({ id: p.id, update_time: p.update_time, deleted: p.active_flag === false, view: () => personV2(p) })), req);
    case '/api/v2/organizations':
      return v2((opts.organizations ?? []).map((o) => ({ id: o.id, update_time: o.update_time, deleted: o.is_deleted, view: () => o })), req);
    case '/api/v2/deals':
      return v2((opts.deals ?? []).map((d) => ({ id: d.id, update_time: d.update_time, deleted: d.is_deleted, view: () => d })), req);
    case '/api/v2/activities':
      return v2((opts.activities ?? []).map((a) => ({ id: a.id, update_time: a.update_time, deleted: a.is_deleted, view: () => a })), req);
    default:
      return error(404, `Unknown method ${req.path}`);
  }
}

export { pdIso, pdTime, pipedriveAccount, pipedrivePersons } from './pipedrive-data';
