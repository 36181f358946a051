// Runs over the API on both databases: ask (202, one active run per mapping), list with filters
// and pagination, get, cancel (queued: 200, running: 202, finished: 409), rejected records.
import { DIALECTS } from '../helpers/db';
import * as rejectedRecords from '../../core/store/tables/rejected-records';
import * as runCosts from '../../core/store/tables/run-costs';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { startMockServer } from '../../examples/mock-apis/server';
import { createTestServer, type TestServer } from './helpers';

type Json = Record<string, unknown>;

describe.each(DIALECTS)('runs API on %s', (dialect) => {
  let s: TestServer;
  let writer: string;
  let reader: string;
  let connectionId: string;

  beforeAll(async () => {
    s = await createTestServer(dialect);
    writer = await s.token(['runs:write', 'runs:read']);
    reader = await s.token(['runs:read']);
    const admin = await s.token(['connections:admin']);
    connectionId = String(((await s.call(admin, { method: 'POST', url: '/connections', payload: { name: 'src', connector: 'demo', config: { base_url: 'http://127.0.0.1:9', api_key: 'k' } } })).json() as Json)['id']);
    await s.call(admin, { method: 'POST', url: '/connections', payload: { name: 'pinger', connector: 'ping', config: { base_url: 'http://127.0.0.1:9' } } });
  });
  afterAll(async () => s.close());

  const ask = (connection: string, payload: Json) => s.call(writer, { method: 'POST', url: `/connections/${connection}/runs`, payload });

  it('accepts a run with 202 and Location; the same mapping again returns the active run, not a new one', async () => {
    const first = await ask('src', { mapping: 'demo-contacts', mode: 'full' });
    expect(first.statusCode).toBe(202);
    const body = first.json() as { created: boolean; run: Json };
    expect(body.created).toBe(true);
    expect(body.run).toMatchObject({ connection_id: connectionId, mapping: 'demo-contacts', mode: 'full', direction: 'pull', trigger: 'api', status: 'queued', counts: { read: 0, created: 0, rejected: 0, pages: 0 }, error: null, started_at: null });
    expect(first.headers['location']).toBe(`/runs/${String(body.run['id'])}`);
    expect(first.headers['run-created']).toBe('true');
    const second = await ask(connectionId, { mapping: 'demo-contacts' });
    expect(second.statusCode).toBe(202);
    expect(second.json()).toMatchObject({ created: false, run: { id: body.run['id'] } });
    expect(second.headers['run-created']).toBe('false');
  });

  it('refuses mappings of another connector (400), unknown mappings (422), push without a push section (400), bad modes (400)', async () => {
    expect((await ask('src', { mapping: 'ping-companies' })).statusCode).toBe(400);
    expect((await ask('src', { mapping: 'nope' })).statusCode).toBe(422);
    expect((await ask('src', { mapping: 'demo-contacts', direction: 'push' })).statusCode).toBe(400);
    expect((await ask('src', { mapping: 'demo-contacts', mode: 'sometimes' })).statusCode).toBe(400);
    expect((await ask('nope', { mapping: 'demo-contacts' })).statusCode).toBe(404);
  });

  it('gets, lists with filters and pages, and cancels runs', async () => {
    const pingRun = ((await ask('pinger', { mapping: 'ping-companies' })).json() as { run: Json }).run;
    const got = await s.call(reader, { method: 'GET', url: `/runs/${String(pingRun['id'])}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ id: pingRun['id'], status: 'queued', cost: { endpoints: [], budgets: [], bound_by: null } });
    // The cost of the run's requests, as its workers record it.
    await runCosts.add(s.db.knex, String(pingRun['id']), { endpoints: { 'GET /ping': { requests: 3, retries: 1 } }, budgets: { rate_limit: { requests: 3, waitMs: 250 } } });
    const costly = await s.call(reader, { method: 'GET', url: `/runs/${String(pingRun['id'])}` });
    expect(costly.json()).toMatchObject({ cost: { endpoints: [{ endpoint: 'GET /ping', requests: 3, retries: 1 }], budgets: [{ budget: 'rate_limit', requests: 3, wait_ms: 250 }], bound_by: 'rate_limit' } });
    expect((await s.call(reader, { method: 'GET', url: '/runs/0190f0a0-0000-7000-8000-000000000000' })).statusCode).toBe(404);

    const all = (await s.call(reader, { method: 'GET', url: '/runs' })).json() as { items: Json[] };
    expect(all.items.length).toBe(2);
    expect(all.items[0]!['id']).toBe(pingRun['id']); // newest first
    const byConnection = (await s.call(reader, { method: 'GET', url: '/runs?connection=pinger' })).json() as { items: Json[] };
    expect(byConnection.items.map((r) => r['id'])).toEqual([pingRun['id']]);
    expect(((await s.call(reader, { method: 'GET', url: '/runs?connection=unknown' })).json() as { items: Json[] }).items).toEqual([]);
    expect(((await s.call(reader, { method: 'GET', url: '/runs?mapping=demo-contacts&status=queued&status=running&direction=pull' })).json() as { items: Json[] }).items).toHaveLength(1);
    expect(((await s.call(reader, { method: 'GET', url: '/runs?status=failed' })).json() as { items: Json[] }).items).toHaveLength(0);
    const page1 = (await s.call(reader, { method: 'GET', url: '/runs?limit=1' })).json() as { items: Json[]; next_cursor: string };
    const page2 = (await s.call(reader, { method: 'GET', url: `/runs?limit=1&cursor=${page1.next_cursor}` })).json() as { items: Json[]; next_cursor: string | null };
    expect([page1.items[0]!['id'], page2.items[0]!['id']]).toEqual(all.items.map((r) => r['id']));
    expect(page2.next_cursor).toBeNull();
    expect((await s.call(reader, { method: 'GET', url: '/runs?cursor=nonsense' })).statusCode).toBe(400);
    expect((await s.call(reader, { method: 'GET', url: '/runs?status=lost' })).statusCode).toBe(400);

    const canceled = await s.call(writer, { method: 'POST', url: `/runs/${String(pingRun['id'])}/cancel` });
    expect(canceled.statusCode).toBe(200);
    expect(canceled.json()).toMatchObject({ status: 'canceled', cancel_requested: true });
    const again = await s.call(writer, { method: 'POST', url: `/runs/${String(pingRun['id'])}/cancel` });
    expect(again.statusCode).toBe(200);

    const active = (await syncRuns.findActive(s.db.knex, connectionId, 'demo-contacts'))!;
    await syncRuns.transition(s.db.knex, active.id, 'running', { worker: 'elsewhere:1' });
    const stopping = await s.call(writer, { method: 'POST', url: `/runs/${active.id}/cancel` });
    expect(stopping.statusCode).toBe(202);
    expect(stopping.json()).toMatchObject({ status: 'running', cancel_requested: true });
    await syncRuns.transition(s.db.knex, active.id, 'succeeded');
    const finished = await s.call(writer, { method: 'POST', url: `/runs/${active.id}/cancel` });
    expect(finished.statusCode).toBe(409);
    expect(finished.json()).toMatchObject({ code: 'SB_RUN_INVALID_TRANSITION' });
    const done = (await s.call(reader, { method: 'GET', url: `/runs/${active.id}` })).json() as Json;
    expect(done).toMatchObject({ status: 'succeeded', started_at: expect.any(String), finished_at: expect.any(String), duration_ms: expect.any(Number) });
  });

  it('pages through a run\'s rejected records', async () => {
    const { run } = await syncRuns.requestRun(s.db.knex, { connectionId, mappingId: 'demo-contacts' });
    await rejectedRecords.add(
      s.db.knex,
      [1, 2, 3].map((n) => ({ runId: run.id, connectionId, mappingId: 'demo-contacts', externalId: String(n), record: { id: n }, code: 'SB_MAPPING_FAILED', field: 'email', reason: 'email is required but missing' })),
    );
    const first = (await s.call(reader, { method: 'GET', url: `/runs/${run.id}/rejected?limit=2` })).json() as { items: Json[]; next_cursor: string };
    expect(first.items.map((r) => r['external_id'])).toEqual(['1', '2']);
    expect(first.items[0]).toMatchObject({ run_id: run.id, record: { id: 1 }, code: 'SB_MAPPING_FAILED', field: 'email', reason: expect.any(String) });
    const rest = (await s.call(reader, { method: 'GET', url: `/runs/${run.id}/rejected?limit=2&cursor=${first.next_cursor}` })).json() as { items: Json[]; next_cursor: string | null };
    expect(rest.items.map((r) => r['external_id'])).toEqual(['3']);
    expect(rest.next_cursor).toBeNull();
    expect((await s.call(reader, { method: 'GET', url: `/runs/${run.id}/rejected?cursor=abc` })).statusCode).toBe(400);
    expect((await s.call(reader, { method: 'GET', url: '/runs/0190f0a0-0000-7000-8000-000000000000/rejected' })).statusCode).toBe(404);
  });

  it('refuses runs of a disabled connection (409)', async () => {
    const admin = await s.token(['connections:admin']);
    await s.call(admin, { method: 'PATCH', url: '/connections/pinger', payload: { status: 'disabled' } });
    const res = await ask('pinger', { mapping: 'ping-companies' });
    expect(res.statusCode).toBe(409);
  });

  it('shows a run\'s warnings: a full run that looked truncated says it skipped its sweep', async () => {
    const people = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, email: `p${i}@example.com`, name: `P${i}` }));
    let served = people;
    const api = await startMockServer(() => ({ body: { data: served } }));
    try {
      const admin = await s.token(['connections:admin']);
      await s.call(admin, { method: 'POST', url: '/connections', payload: { name: 'shrinking', connector: 'demo', config: { base_url: api.url, api_key: 'k' } } });
      const runFull = async (): Promise<Json> => {
        const id = String(((await ask('shrinking', { mapping: 'demo-contacts', mode: 'full' })).json() as { run: Json }).run['id']);
        await s.engine.executeRun(id, {});
        return (await s.call(reader, { method: 'GET', url: `/runs/${id}` })).json() as Json;
      };
      expect(await runFull()).toMatchObject({ status: 'succeeded', warnings: [] });
      served = people.slice(0, 1);
      const truncated = await runFull();
      expect(truncated).toMatchObject({
        status: 'succeeded',
        counts: { read: 1, deleted: 0 },
        warnings: [{ code: 'sweep_skipped', message: expect.stringContaining('read 1 records, fewer than 50% of the 10'), details: { read: 1, last_full_run_read: 10, sweep_min_ratio: 0.5 } }],
      });
      const listed = (await s.call(reader, { method: 'GET', url: '/runs?connection=shrinking' })).json() as { items: Json[] };
      expect(listed.items[0]).toMatchObject({ id: truncated['id'], warnings: [{ code: 'sweep_skipped' }] });
    } finally {
      await api.close();
    }
  });
});
