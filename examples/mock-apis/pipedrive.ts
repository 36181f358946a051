// Mock Pipedrive (APIS.md): v1 persons paged by `start`/`limit` with
// `more_items_in_collection`, v2 persons with `next_cursor` and `updated_since`, the
// `x-api-token` header or legacy `api_token` query, rate-limit headers, Pipedrive's errors.
import { decodeCursor, encodeCursor, intParam, startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';

export interface PipedrivePerson {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  email: { value: string; primary: boolean; label: string }[];
  phone: { value: string; primary: boolean }[];
  org_id: number | null;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  update_time: string;
}

export interface PipedriveOptions {
  persons: PipedrivePerson[];
  apiToken: string;
  faults?: Faults;
}

function limitHeaders(): Record<string, string> {
  return { 'x-ratelimit-limit': '80', 'x-ratelimit-remaining': '79', 'x-ratelimit-reset': '2' };
}

function error(status: number, message: string): MockResponse {
  return { status, body: { success: false, error: message, error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.', data: null, additional_data: null } };
}

function v1(opts: PipedriveOptions, req: LoggedRequest): MockResponse {
  const start = intParam(req.query, 'start', 0);
  const limit = intParam(req.query, 'limit', 100, 500);
  const data = opts.persons.slice(start, start + limit);
  const more = start + limit < opts.persons.length;
  return {
    headers: limitHeaders(),
    body: {
      success: true,
      // Pipedrive answers `data: null`, not an empty array, past the end.
      data: data.length === 0 ? null : data,
      additional_data: { pagination: { start, limit, more_items_in_collection: more, ...(more ? { next_start: start + limit } : {}) } },
    },
  };
}

function v2(opts: PipedriveOptions, req: LoggedRequest): MockResponse {
  const since = req.query.get('updated_since');
  const bound = since === null ? -Infinity : Date.parse(since);
  const matched = opts.persons.filter((p) => Date.parse(`${p.update_time.replace(' ', 'T')}Z`) >= bound);
  const offset = Number(decodeCursor(req.query.get('cursor'))?.['o'] ?? 0);
  const limit = intParam(req.query, 'limit', 100, 500);
  const data = matched.slice(offset, offset + limit);
  const next = offset + limit < matched.length ? encodeCursor({ o: offset + limit }) : null;
  return { headers: limitHeaders(), body: { success: true, data, additional_data: { next_cursor: next } } };
}

export function startPipedrive(opts: PipedriveOptions): Promise<MockApi> {
  const guard = (req: LoggedRequest): MockResponse | undefined => {
    const token = req.headers['x-api-token'] ?? req.query.get('api_token');
    return token === opts.apiToken ? undefined : error(401, 'unauthorized access');
  };
  return startMockServer(
    (req) => {
      if (req.path === '/api/v1/persons') return v1(opts, req);
      if (req.path === '/api/v2/persons') return v2(opts, req);
      return error(404, `Unknown method ${req.path}`);
    },
    { faults: opts.faults, guard },
  );
}

/** `n` Pipedrive persons with ids from 1, updated one second apart from `since`. */
export function pipedrivePersons(n: number, since = Date.UTC(2024, 0, 1)): PipedrivePerson[] {
  return Array.from({ length: n }, (_, i) => {
    const iso = new Date(since + i * 1000).toISOString();
    return {
      id: i + 1,
      name: `Person ${i + 1}`,
      first_name: 'Person',
      last_name: String(i + 1),
      email: [{ value: `person${i + 1}@example.com`, primary: true, label: 'work' }],
      phone: [{ value: `555${i + 1}`, primary: true }],
      org_id: null,
      update_time: `${iso.slice(0, 10)} ${iso.slice(11, 19)}`,
    };
  });
}
