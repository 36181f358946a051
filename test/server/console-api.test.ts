// What the console needs from the management API, on both databases: several schedules per
// mapping with next fire times in their own time zones, rejected records as JSON lines, test
// reads through a connection, previews with the stream's primary key, saving definitions only
// when they validate, and a CRM record's links and history.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../helpers/db';
import { startMockServer, type MockApi } from '../../examples/mock-apis/server';
import { Engine } from '../../core/engine';
import { silentLogger } from '../../core/logger';
import { SecretBox } from '../../core/secrets';
import * as recordLinks from '../../core/store/tables/record-links';
import * as rejectedRecords from '../../core/store/tables/rejected-records';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { buildApp } from '../../server/app';
import { ALL_SCOPES } from '../../server/auth/scopes';
import * as apiClients from '../../core/store/tables/api-clients';
import { demoConnector, demoMapping } from './helpers';

type Json = Record<string, unknown>;

const PEOPLE = Array.from({ length: 5 }, (_, i) => ({ id: `p${i + 1}`, email: i === 2 ? '' : `p${i + 1}@example.com`, name: `Person ${i + 1}`, updated: '2026-01-01T00:00:00Z' }));

describe.each(DIALECTS)('console API on %s', (dialect) => {
  let db: TestDatabase;
  let dir: string;
  let engine: Engine;
  let app: FastifyInstance;
  let api: MockApi;
  let token: string;
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload === undefined ? {} : typeof payload === 'string' ? { payload, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers } } : { payload: payload as Json }) });

  beforeAll(async () => {
    db = await createMigratedDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), 'switchboard-defs-'));
    mkdirSync(join(dir, 'connectors'));
    mkdirSync(join(dir, 'mappings'));
    writeFileSync(join(dir, 'connectors', 'demo.json'), JSON.stringify(demoConnector, null, 2));
    writeFileSync(join(dir, 'mappings', 'demo-contacts.json'), JSON.stringify(demoMapping, null, 2));
    api = await startMockServer((req) => {
      if (req.headers['x-api-key'] !== 'key') return { status: 401, body: { message: 'bad key' } };
      if (req.path === '/people') {
        const page = Number(req.query.get('page') ?? '1');
        return { body: { data: page === 1 ? PEOPLE.slice(0, 3) : PEOPLE.slice(3) } };
      }
      return { status: 404, body: {} };
    });
    engine = await Engine.open({ knex: db.knex, connectorsDir: join(dir, 'connectors'), mappingsDir: join(dir, 'mappings'), box: new SecretBox(randomBytes(32)), logger: silentLogger(), queue: 'memory', concurrency: 0 });
    app = await buildApp(engine, { redisUrl: '', rateLimit: false, uiDir: false });
    const { client, clientSecret } = await apiClients.create(db.knex, { name: 'all', scopes: ALL_SCOPES });
    token = (await app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: clientSecret } })).json().access_token;
    expect((await call('POST', '/connections', { name: 'main', connector: 'demo', config: { base_url: api.url, api_key: 'key' } })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close();
    await api?.close();
    await db?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps several schedules of one mapping, each with its next fire times in its time zone', async () => {
    const quarter = await call('POST', '/connections/main/schedules', { name: 'every 15 minutes', mapping: 'demo-contacts', cron: '*/15 * * * *' });
    const nightly = await call('POST', '/connections/main/schedules', { name: 'nightly full', mapping: 'demo-contacts', mode: 'full', cron: '0 2 * * *', timezone: 'Europe/Paris' });
    expect([quarter.statusCode, nightly.statusCode]).toEqual([201, 201]);
    const list = (await call('GET', '/connections/main/schedules')).json() as Json[];
    expect(list.map((s) => [s['name'], s['mapping'], s['mode'], s['cron']])).toEqual([
      ['every 15 minutes', 'demo-contacts', 'incremental', '*/15 * * * *'],
      ['nightly full', 'demo-contacts', 'full', '0 2 * * *'],
    ]);
    const times = list[1]!['next_fire_times'] as string[];
    expect(times).toHaveLength(3);
    for (const t of times) expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T02:00:00\+0[12]:00$/);
    expect(new Date(times[1]!).getTime() - new Date(times[0]!).getTime()).toBeGreaterThanOrEqual(23 * 3600_000);
    expect((list[0]!['next_fire_times'] as string[])[0]).toMatch(/:(00|15|30|45):00\+00:00$/);
    // Putting the default schedule adds a third and leaves the two alone.
    expect((await call('PUT', '/connections/main/schedules', { mapping: 'demo-contacts', cron: '0 * * * *' })).statusCode).toBe(200);
    expect((await call('GET', '/connections/main/schedules')).json()).toHaveLength(3);
    const id = String(nightly.json()['id']);
    const off = await call('PATCH', `/connections/main/schedules/${id}`, { enabled: false });
    expect(off.json()).toMatchObject({ enabled: false, next_fire_times: [], name: 'nightly full', mode: 'full' });
    expect((await call('PATCH', `/connections/main/schedules/${id}`, { timezone: 'Mars/Olympus' })).json()).toMatchObject({ statusCode: 400, code: 'SB_BAD_REQUEST' });
    expect((await call('PATCH', `/connections/main/schedules/${id}`, { cron: 'often' })).statusCode).toBe(400);
    expect((await call('PATCH', '/connections/main/schedules/nope', { enabled: true })).statusCode).toBe(404);
    expect((await call('DELETE', `/connections/main/schedules/${id}`)).statusCode).toBe(204);
    expect((await call('GET', '/connections/main/schedules')).json()).toHaveLength(2);
  });

  it('serves a run\'s rejected records as JSON lines, with reasons and source records', async () => {
    const connection = (await call('GET', '/connections/main')).json() as Json;
    const { run } = await syncRuns.requestRun(db.knex, { connectionId: String(connection['id']), mappingId: 'demo-contacts', direction: 'pull', mode: 'full', trigger: 'api' });
    const rejects = Array.from({ length: 1203 }, (_, i) => ({ runId: run.id, connectionId: run.connectionId, mappingId: 'demo-contacts', externalId: `x${i}`, record: { id: `x${i}`, n: i }, code: 'SB_MAPPING_FAILED', field: 'email', reason: 'email is required but missing' }));
    await rejectedRecords.add(db.knex, rejects);
    const res = await call('GET', `/runs/${run.id}/rejected.jsonl`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="run-${run.id}-rejected.jsonl"`);
    const lines = res.body.trimEnd().split('\n').map((l) => JSON.parse(l) as Json);
    expect(lines).toHaveLength(1203);
    expect(lines[1202]).toMatchObject({ run_id: run.id, external_id: 'x1202', record: { id: 'x1202', n: 1202 }, code: 'SB_MAPPING_FAILED', field: 'email', reason: 'email is required but missing' });
    expect((await call('GET', '/runs/00000000-0000-0000-0000-000000000000/rejected.jsonl')).statusCode).toBe(404);
    await syncRuns.requestCancel(db.knex, run.id);
  });

  it('test-reads the first pages of a stream through a connection, writing nothing', async () => {
    const before = api.requests.length;
    const one = (await call('POST', '/connections/main/read', { stream: 'people' })).json() as Json;
    expect(one).toMatchObject({ connection: 'main', stream: 'people', mode: 'full', pages: 1, requests: 1, records: PEOPLE.slice(0, 3) });
    expect(api.requests[before]!.headers['x-api-key']).toBe('key');
    // The stream has no pagination: its one page is all there is.
    const two = (await call('POST', '/connections/main/read', { stream: 'people', pages: 5 })).json() as Json;
    expect(two).toMatchObject({ pages: 1, more: false, records: PEOPLE.slice(0, 3) });
    expect(Number(((await db.knex('contacts').count({ n: '*' })) as Array<{ n: unknown }>)[0]!.n)).toBe(0);
    expect((await call('POST', '/connections/main/read', { stream: 'nope' })).statusCode).toBeGreaterThanOrEqual(400);
    expect((await call('POST', '/connections/main/read', { stream: 'people', pages: 9 })).statusCode).toBe(400);
    await call('PATCH', '/connections/main', { config: { api_key: 'wrong' } });
    const failed = await call('POST', '/connections/main/read', { stream: 'people' });
    expect(failed.statusCode).toBeGreaterThanOrEqual(400);
    expect(failed.body).not.toContain('"wrong"');
    await call('PATCH', '/connections/main', { config: { api_key: 'key' } });
  });

  it('previews records with the stream\'s primary key: rows and rejects with reasons', async () => {
    const res = (await call('POST', '/mappings/preview', { definition: demoMapping, records: [...PEOPLE, { email: 'no-id@example.com' }] })).json() as Json;
    expect((res['rows'] as Json[]).map((r) => r['external_id'])).toEqual(['p1', 'p2', 'p4', 'p5']);
    expect(res['errors']).toEqual([
      { index: 2, external_id: 'p3', code: 'SB_MAPPING_FAILED', field: 'email', reason: expect.stringContaining('email') },
      { index: 5, external_id: null, code: 'SB_MAPPING_FAILED', field: 'id', reason: 'the record has no primary key at "id"' },
    ]);
  });

  it('saves a definition only when it validates, and serves it at once', async () => {
    const file = join(dir, 'mappings', 'demo-contacts.json');
    const original = readFileSync(file, 'utf8');
    const broken = JSON.stringify({ ...demoMapping, fields: { ...demoMapping.fields, emial: 'email' } }, null, 2);
    const refused = await call('PUT', '/mappings/demo-contacts', broken);
    expect(refused.statusCode).toBe(422);
    const problems = refused.json().details.problems as Array<{ line: number; column: number; message: string }>;
    expect(problems[0]).toMatchObject({ line: broken.split('\n').findIndex((l) => l.includes('"emial"')) + 1, message: expect.stringContaining('emial') });
    expect(readFileSync(file, 'utf8')).toBe(original);
    expect((await call('PUT', '/mappings/other-id', JSON.stringify(demoMapping))).statusCode).toBe(422);
    expect((await call('PUT', '/mappings/..%2Fescape', JSON.stringify(demoMapping))).statusCode).toBe(400);
    expect((await call('PUT', '/mappings/demo-contacts', '{ "id": ')).json().details.problems[0]).toMatchObject({ line: 1 });

    const changed = `${JSON.stringify({ ...demoMapping, fields: { ...demoMapping.fields, title: 'role' } }, null, 2)}\n`;
    const saved = await call('PUT', '/mappings/demo-contacts', changed);
    expect(saved.json()).toEqual({ kind: 'mapping', id: 'demo-contacts', file: 'mappings/demo-contacts.json', created: false });
    expect(readFileSync(file, 'utf8')).toBe(changed);
    expect((await call('GET', '/mappings/demo-contacts')).json().fields.title).toBe('role');
    const preview = (await call('POST', '/mappings/demo-contacts/preview', { records: [{ id: 'a', email: 'a@example.com', role: 'CTO' }] })).json() as Json;
    expect((preview['rows'] as Json[])[0]!['values']).toMatchObject({ title: 'CTO' });

    // A connector change that would break its mapping is refused.
    const { webhooks: _webhooks, ...withoutWebhooks } = demoConnector;
    const noStream = { ...withoutWebhooks, streams: { other: (demoConnector.streams as Record<string, unknown>)['people'] } };
    const breaking = await call('PUT', '/connectors/demo', JSON.stringify(noStream, null, 2));
    expect(breaking.statusCode).toBe(422);
    expect(breaking.json().details.problems[0].file).toBe('mappings/demo-contacts.json');
    const added = await call('PUT', '/connectors/demo2', JSON.stringify({ ...demoConnector, id: 'demo2' }, null, 2));
    expect(added.json()).toMatchObject({ kind: 'connector', id: 'demo2', created: true });
    expect((await call('GET', '/connectors')).json().map((c: Json) => c['id'])).toContain('demo2');
  });

  it('lists a CRM record\'s external ids per connection and its change history, newest first', async () => {
    const created = (await call('POST', '/crm/contacts', { email: 'h@example.com', first_name: 'H' })).json() as Json;
    const id = String(created['id']);
    await call('PATCH', `/crm/contacts/${id}`, { title: 'CTO' });
    const history = (await call('GET', `/crm/contacts/${id}/history?limit=1`)).json() as { items: Json[]; next_cursor: string };
    expect(history.items).toEqual([expect.objectContaining({ operation: 'update', origin: 'api', changes: expect.objectContaining({ title: 'CTO' }) })]);
    const rest = (await call('GET', `/crm/contacts/${id}/history?cursor=${history.next_cursor}`)).json() as { items: Json[]; next_cursor: null };
    expect(rest.items.map((c) => c['operation'])).toEqual(['create']);
    const connection = (await call('GET', '/connections/main')).json() as Json;
    await recordLinks.upsert(db.knex, String(connection['id']), 'contacts', [{ crmId: id, externalId: 'ext-42', hash: null }]);
    expect((await call('GET', `/crm/contacts/${id}/links`)).json()).toEqual([expect.objectContaining({ connection: 'main', connector: 'demo', external_id: 'ext-42' })]);
    expect((await call('GET', '/crm/companies/none/links')).json()).toEqual([]);
    expect((await call('GET', `/crm/contacts/${id}/history?cursor=abc`)).statusCode).toBe(400);
  });
});
