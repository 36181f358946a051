// Address Book: the small, public-style REST API that docs/writing-a-connector.md builds a
// connector for. Bearer tokens, page-numbered lists with `updated_since`, people and
// organizations, people created, changed and deleted, each person's notes (which do not name
// the person: they are read per person) and the tags of many people at once. Run it with
// `npx tsx examples/addressbook/server.ts [--port 4010]`.
import { company, person, pick } from '../mock-apis/fake';
import { bearer, intParam, jsonBody, startMockServer, type LoggedRequest, type MockApi, type MockResponse } from '../mock-apis/server';

export const ADDRESSBOOK_TOKEN = 'ab_test_4f1c2e';
export const ADDRESSBOOK_PORT = 4010;

export interface Person {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  phone: string | null;
  job_title: string | null;
  organization_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface Organization {
  id: string;
  name: string;
  website: string;
  industry: string;
  created_at: string;
  updated_at: string;
}

export interface Note {
  id: string;
  text: string;
  created_at: string;
}

export interface AddressBook {
  people: Person[];
  organizations: Organization[];
  /** Notes by person id. */
  notes: Map<string, Note[]>;
  /** Tags by person id. */
  tags: Map<string, string[]>;
}

const SINCE = Date.UTC(2024, 5, 1);
const stamp = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const EDITABLE = ['first_name', 'last_name', 'email', 'phone', 'job_title', 'organization_id'] as const;

/** 12 organizations and 120 people working for them, last changed in June 2024. */
export function sampleAddressBook(): AddressBook {
  const organizations = Array.from({ length: 12 }, (_, i): Organization => {
    const c = company(i);
    return { id: `org_${String(i + 1).padStart(2, '0')}`, name: c.name, website: `https://${c.domain}`, industry: c.industry.toLowerCase(), created_at: stamp(SINCE + i * 60_000), updated_at: stamp(SINCE + i * 60_000) };
  });
  const people = Array.from({ length: 120 }, (_, i): Person => {
    const p = person(i + 1);
    return {
      id: `per_${String(i + 1).padStart(3, '0')}`, first_name: p.first, last_name: p.last, email: p.email, phone: i % 4 === 0 ? null : p.phone, job_title: p.title,
      organization_id: organizations[pick(i, organizations.length, 50)]!.id, created_at: stamp(SINCE + i * 60_000), updated_at: stamp(SINCE + i * 60_000),
    };
  });
  // Every third person has no note, the others one or two; every fifth is a `vip`, every seventh reads the `newsletter`.
  const notes = new Map(people.map((p, i) => [p.id, Array.from({ length: i % 3 }, (_, k): Note => ({ id: `note_${p.id.slice(4)}_${k + 1}`, text: k === 0 ? `Met ${p.first_name} at the fair` : `Called ${p.first_name} back`, created_at: stamp(SINCE + i * 60_000 + (k + 1) * 1000) }))] as const));
  const tags = new Map(people.map((p, i): [string, string[]] => [p.id, [...(i % 5 === 0 ? ['vip'] : []), ...(i % 7 === 0 ? ['newsletter'] : [])]]));
  return { people, organizations, notes, tags };
}

/** `GET /v1/people/{id}/notes?page=&per_page=`: the person's notes (without the person's id); 404 for a person that is not there. */
function personNotes(book: AddressBook, id: string, req: LoggedRequest): MockResponse {
  if (!book.people.some((p) => p.id === id)) return error(404, 'not_found', `no person ${id}`);
  const notes = book.notes.get(id) ?? [];
  const page = Math.max(1, intParam(req.query, 'page', 1));
  const perPage = Math.max(1, intParam(req.query, 'per_page', 25, 100));
  return { body: { data: notes.slice((page - 1) * perPage, page * perPage), meta: { page, per_page: perPage, total: notes.length, total_pages: Math.max(1, Math.ceil(notes.length / perPage)) } } };
}

/** `GET /v1/people/tags?ids=a,b,c` (100 ids at most): the tags of each person named, `{ person_id, tags }`. */
function peopleTags(book: AddressBook, req: LoggedRequest): MockResponse {
  const ids = (req.query.get('ids') ?? '').split(',').filter((id) => id !== '');
  if (ids.length === 0 || ids.length > 100) return error(400, 'invalid_parameter', 'ids must name 1 to 100 people, separated by commas');
  return { body: { data: ids.filter((id) => book.people.some((p) => p.id === id)).map((id) => ({ person_id: id, tags: book.tags.get(id) ?? [] })) } };
}

function error(status: number, code: string, message: string): MockResponse {
  return { status, body: { error: { code, message } } };
}

/** `GET /v1/{people,organizations}?page=&per_page=&updated_since=`: pages from 1, `meta.total_pages`. */
function list(items: (Person | Organization)[], req: LoggedRequest): MockResponse {
  const since = req.query.get('updated_since');
  if (since !== null && Number.isNaN(Date.parse(since))) return error(400, 'invalid_parameter', 'updated_since must be an ISO-8601 time');
  const page = Math.max(1, intParam(req.query, 'page', 1));
  const perPage = Math.max(1, intParam(req.query, 'per_page', 25, 100));
  const matched = items.filter((r) => since === null || Date.parse(r.updated_at) >= Date.parse(since));
  const totalPages = Math.max(1, Math.ceil(matched.length / perPage));
  return { body: { data: matched.slice((page - 1) * perPage, page * perPage), meta: { page, per_page: perPage, total: matched.length, total_pages: totalPages } } };
}

function writePerson(book: AddressBook, req: LoggedRequest, id: string | undefined): MockResponse {
  const body = jsonBody(req) as Record<string, unknown> | undefined;
  if (body === undefined || body === null || typeof body !== 'object') return error(400, 'invalid_body', 'send a JSON object');
  const now = stamp(Date.now());
  let target = id === undefined ? undefined : book.people.find((p) => p.id === id);
  if (id !== undefined && target === undefined) return error(404, 'not_found', `no person ${id}`);
  if (target === undefined) {
    if (typeof body['email'] !== 'string' || typeof body['last_name'] !== 'string') return error(422, 'invalid_person', 'a new person needs email and last_name');
    target = { id: `per_${String(book.people.length + 1).padStart(3, '0')}`, first_name: '', last_name: '', email: '', phone: null, job_title: null, organization_id: null, created_at: now, updated_at: now };
    book.people.push(target);
  }
  for (const key of EDITABLE) if (key in body) (target as unknown as Record<string, unknown>)[key] = body[key];
  target.updated_at = now;
  return { status: id === undefined ? 201 : 200, body: { data: target } };
}

/** Starts the Address Book API on 127.0.0.1 (`port` 0: any free port). */
export function startAddressBook(options: { port?: number; book?: AddressBook } = {}): Promise<MockApi> {
  const book = options.book ?? sampleAddressBook();
  const guard = (req: LoggedRequest): MockResponse | undefined => (bearer(req) === ADDRESSBOOK_TOKEN ? undefined : error(401, 'unauthorized', 'send Authorization: Bearer <api token>'));
  return startMockServer(
    (req) => {
      const one = /^\/v1\/people\/([\w-]+)$/.exec(req.path);
      if (req.method === 'GET' && req.path === '/v1/me') return { body: { account: { id: 'acc_1', name: 'Demo Address Book' } } };
      if (req.method === 'GET' && req.path === '/v1/people') return list(book.people, req);
      if (req.method === 'GET' && req.path === '/v1/people/tags') return peopleTags(book, req);
      const notes = /^\/v1\/people\/([\w-]+)\/notes$/.exec(req.path);
      if (req.method === 'GET' && notes !== null) return personNotes(book, notes[1]!, req);
      if (req.method === 'GET' && req.path === '/v1/organizations') return list(book.organizations, req);
      if (req.method === 'POST' && req.path === '/v1/people') return writePerson(book, req, undefined);
      if (req.method === 'PATCH' && one !== null) return writePerson(book, req, one[1]);
      if (req.method === 'DELETE' && one !== null) {
        const i = book.people.findIndex((p) => p.id === one[1]);
        if (i < 0) return error(404, 'not_found', `no person ${one[1]}`);
        book.people.splice(i, 1);
        return { status: 204 };
      }
      return error(404, 'not_found', `${req.method} ${req.path} does not exist`);
    },
    { guard, port: options.port ?? 0 },
  );
}

if (require.main === module) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : ADDRESSBOOK_PORT;
  startAddressBook({ port }).then(
    (api) => {
      process.stdout.write(`Address Book API at ${api.url}/v1 (token ${ADDRESSBOOK_TOKEN}); Ctrl-C to stop\n`);
      process.once('SIGINT', () => void api.close().then(() => process.exit(0)));
    },
    (err: unknown) => {
      process.stderr.write(`cannot start the Address Book API: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
