// The queues, in-process and BullMQ on the real Redis: one run per request, runs drained with
// exact data, cancel, retries, and schedules that fire on time and never double.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import { Engine } from '../../../core/engine';
import { loadRegistry, type Registry } from '../../../core/definitions';
import { silentLogger } from '../../../core/logger';
import { SecretBox } from '../../../core/secrets';
import * as syncRuns from '../../../core/store/tables/sync-runs';
import { QUEUE_NAME } from '../../../core/queue/bullmq';
import { hubspotContacts, startHubSpot, type MockApi } from '../../../examples/mock-apis';
import { REDIS_URL, waitFor } from '../../helpers/wait';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'e2e');
describe.each(['memory', 'bullmq'] as const)('%s queue', (kind) => {
  let db: TestDatabase;
  let registry: Registry;
  let engine: Engine;
  let prefix: string;
  const apis: MockApi[] = [];

  beforeAll(async () => {
    db = await createMigratedDatabase('sqlite');
    registry = await loadRegistry({ connectorsDir: join(FIXTURES, 'connectors'), mappingsDir: join(FIXTURES, 'mappings') });
  });
  beforeEach(async () => {
    prefix = `sbtest-${randomBytes(5).toString('hex')}`;
    engine = await open();
  });
  afterEach(async () => {
    await engine.close();
    if (kind === 'bullmq') {
      const q = new Queue(QUEUE_NAME, { connection: { url: REDIS_URL }, prefix });
      await q.obliterate({ force: true });
      await q.close();
    }
  });
  afterAll(async () => {
    await Promise.all(apis.map((a) => a.close()));
    await db.cleanup();
  });

  function open(): Promise<Engine> {
    return Engine.open({ knex: db.knex, registry, box: new SecretBox(Buffer.alloc(32, 7)), logger: silentLogger(), queue: kind, redisUrl: REDIS_URL, queuePrefix: prefix, concurrency: 2, backoffMs: 50, attempts: 3 });
  }

  async function connection(records: number, options: { delayMs?: number; failFirst?: number } = {}) {
    // Emails unique to this connection: the fixture mapping merges contacts by email.
    const tag = randomBytes(4).toString('hex');
    const source = hubspotContacts(records).map((r) => ({ ...r, properties: { ...r.properties, email: `${tag}-${r.properties['email']}` } }));
    let served = 0;
    const api = await startHubSpot({
      objects: { contacts: source },
      token: 'tok',
      faults: () => {
        served += 1;
        if (options.failFirst !== undefined && served <= options.failFirst) return { status: 503, body: { status: 'error', message: 'unavailable' } };
        return options.delayMs === undefined ? undefined : { delayMs: options.delayMs };
      },
    });
    apis.push(api);
    const conn = await engine.createConnection({ name: `c-${randomBytes(4).toString('hex')}`, connectorId: 'crm-hub', config: { access_token: 'tok', base_url: api.url } });
    return { conn, api, source };
  }

  const finished = (id: string) => waitFor(`run ${id} to finish`, async () => {
    const run = await syncRuns.get(db.knex, id);
    return ['succeeded', 'failed', 'canceled'].includes(run.status) ? run : undefined;
  });

  it('yields one run when asked twice, and runs it once', async () => {
    const { conn, api } = await connection(50, { delayMs: 20 });
    const [a, b] = await Promise.all([
      engine.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', mode: 'full' }),
      engine.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', mode: 'full' }),
    ]);
    expect(a.run.id).toBe(b.run.id);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    expect((await finished(a.run.id)).status).toBe('succeeded');
    expect(api.requests.filter((r) => r.path.endsWith('/contacts'))).toHaveLength(1);
  });

  it('drains runs of several connections with exact data', async () => {
    const conns = await Promise.all([connection(120), connection(80), connection(230)]);
    const runs = await Promise.all(conns.map((c) => engine.requestRun({ connection: c.conn.id, mapping: 'crm-hub-contacts', mode: 'full' })));
    const done = await Promise.all(runs.map((r) => finished(r.run.id)));
    expect(done.map((r) => [r.status, r.counts.records_created])).toEqual([
      ['succeeded', 120],
      ['succeeded', 80],
      ['succeeded', 230],
    ]);
  });

  it('records every count on the run row, those of a last empty page and of the sweep included', async () => {
    const { conn, source } = await connection(40);
    const first = await engine.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', mode: 'full' });
    expect(await finished(first.run.id)).toMatchObject({ status: 'succeeded', counts: { records_created: 40, pages: 1, requests: 1 } });
    // Everything gone at the source: one empty page, counted; a run that reads none of the 40
    // looks truncated, so it does not sweep.
    const all = source.splice(0);
    const second = await engine.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', mode: 'full' });
    expect(await finished(second.run.id)).toMatchObject({ status: 'succeeded', counts: { records_read: 0, records_deleted: 0, pages: 1, requests: 1 }, warnings: [{ code: 'sweep_skipped' }] });
    // 25 of the 40 back: the sweep runs, and its deletions are on the row.
    source.push(...all.slice(0, 25));
    const third = await engine.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', mode: 'full' });
    expect(await finished(third.run.id)).toMatchObject({ status: 'succeeded', counts: { records_read: 25, records_deleted: 15, pages: 1, requests: 1 }, warnings: [] });
  });

  it('runs nothing for a disabled connection: asking is refused (409), its schedule fires nothing', async () => {
    const { conn, api } = await connection(5);
    await engine.updateConnection(conn.id, { status: 'disabled' });
    await expect(engine.requestRun({ connection: conn.name, mapping: 'crm-hub-contacts', mode: 'full' })).rejects.toMatchObject({ code: 'SB_CONFLICT', message: expect.stringMatching(/is disabled/) });
    await engine.fireSchedule({ connectionId: conn.id, mappingId: null, direction: 'pull', mode: 'full' }, 'test-key');
    expect(await syncRuns.list(db.knex, { connectionId: conn.id })).toEqual([]);
    expect(api.requests).toHaveLength(0);
    await engine.updateConnection(conn.id, { status: 'active' });
    const { run } = await engine.requestRun({ connection: conn.name, mapping: 'crm-hub-contacts', mode: 'full' });
    expect((await finished(run.id)).status).toBe('succeeded');
  });

  it('retries a transient failure and finishes the run', async () => {
    const { conn } = await connection(30, { failFirst: 8 }); // more 503s than the connector's own retries
    const { run } = await engine.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', mode: 'full' });
    const done = await finished(run.id);
    expect(done).toMatchObject({ status: 'succeeded', counts: { records_created: 30 } });
    expect(done.attempts).toBeGreaterThan(1);
  });

  it('cancels a running run between pages', async () => {
    const { conn, api } = await connection(3000, { delayMs: 30 });
    const { run } = await engine.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', mode: 'full' });
    await waitFor('the run to start', async () => (await syncRuns.get(db.knex, run.id)).status === 'running');
    await waitFor('a few pages', async () => api.requests.length >= 3);
    await engine.cancelRun(run.id);
    const done = await finished(run.id);
    expect(done.status).toBe('canceled');
    expect(done.counts.pages).toBeLessThan(30);
  });

  it('fires a schedule on time, and keeps one schedule per key across restarts', async () => {
    const { conn } = await connection(5);
    const t0 = Date.now();
    const schedule = await engine.putSchedule({ connection: conn.id, mapping: 'crm-hub-contacts', cron: '* * * * * *', timezone: 'UTC', mode: 'full' });
    const first = await waitFor('the schedule to fire', async () => (await syncRuns.list(db.knex, { connectionId: conn.id }))[0]);
    expect(first.trigger).toBe('schedule');
    expect(Date.now() - t0).toBeLessThan(2500);
    // A restart (a deploy) registers the schedules again: still one per key.
    await engine.close();
    engine = await open();
    await engine.loadSchedules();
    await engine.putSchedule({ connection: conn.id, mapping: 'crm-hub-contacts', cron: '* * * * * *', timezone: 'UTC', mode: 'full' });
    if (kind === 'bullmq') {
      const q = new Queue(QUEUE_NAME, { connection: { url: REDIS_URL }, prefix });
      expect((await q.getJobSchedulers()).map((s) => s.key)).toEqual([schedule.key]);
      await q.close();
    }
    const before = (await syncRuns.list(db.knex, { connectionId: conn.id, limit: 1000 })).length;
    await new Promise((r) => setTimeout(r, 3200));
    const after = (await syncRuns.list(db.knex, { connectionId: conn.id, limit: 1000 })).length;
    // One run a second at most (at most one active per mapping), never two per firing.
    expect(after - before).toBeGreaterThanOrEqual(2);
    expect(after - before).toBeLessThanOrEqual(4);
    await engine.removeSchedule(schedule.key);
  });
});
