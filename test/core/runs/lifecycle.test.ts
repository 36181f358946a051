// The run executor and the reconciler with the in-process queue, on both databases: a run
// stopped gracefully mid-way goes back to the queue at no cost and another process finishes
// it (it used to be recorded finished and stay queued forever); queued runs without a job get
// one; a running run whose worker is gone is put back, or failed with the reason once its
// attempts are spent; a holder that lost its run stops without touching it; one reconciler at
// a time.
import { randomBytes } from 'node:crypto';
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import { Engine, type EngineOptions } from '../../../core/engine';
import type { Registry } from '../../../core/definitions';
import { silentLogger } from '../../../core/logger';
import { SecretBox } from '../../../core/secrets';
import * as syncRuns from '../../../core/store/tables/sync-runs';
import type { MockApi } from '../../../examples/mock-apis';
import { fixtureRegistry, runFinished, slowPages, taggedConnection, taggedContacts } from '../../helpers/e2e';
import { waitFor } from '../../helpers/wait';

describe.each(DIALECTS)('run lifecycle with the in-process queue on %s', (dialect) => {
  let db: TestDatabase;
  let registry: Registry;
  const box = new SecretBox(randomBytes(32));
  const engines: Engine[] = [];
  const apis: MockApi[] = [];

  beforeAll(async () => {
    db = await createMigratedDatabase(dialect);
    registry = await fixtureRegistry();
  });
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()));
  });
  afterAll(async () => {
    await Promise.all(apis.map((a) => a.close()));
    await db.cleanup();
  });

  /** An engine of its own (its own database connection), as another process would have. */
  async function open(workerId: string, options: Partial<EngineOptions> = {}): Promise<Engine> {
    const engine = await Engine.open({ db: db.url, registry, box, logger: silentLogger(), queue: 'memory', concurrency: 1, workerId, ...options, runs: { reconcileIntervalMs: 0, ...options.runs } });
    engines.push(engine);
    return engine;
  }

  const connection = (engine: Engine, records: number, delayMs?: number) => taggedConnection(engine, records, apis, delayMs === undefined ? undefined : slowPages(delayMs));
  const finished = (id: string) => runFinished(db.knex, id, 20_000);
  const contactsTagged = async (tag: string): Promise<number> => (await taggedContacts(db.knex, tag))[0];

  /** A run left `running` by a worker that is gone: not this machine's, silent for an hour. */
  async function abandoned(engine: Engine, failures = 0): Promise<{ run: syncRuns.SyncRun; tag: string }> {
    const { conn, tag } = await connection(engine, 250);
    const { run } = await syncRuns.requestRun(db.knex, { connectionId: conn.id, mappingId: 'crm-hub-contacts', mode: 'full' });
    await syncRuns.transition(db.knex, run.id, 'running', { worker: 'gone-host:4242' });
    await db.knex('sync_runs').where('id', run.id).update({ heartbeat_at: new Date(Date.now() - 3_600_000).toISOString(), failures });
    return { run, tag };
  }

  it('puts a run stopped by a graceful shutdown back in the queue at no cost, and another process resumes it at once', async () => {
    const a = await open('host-a:1');
    // B reconciles periodically: nothing but its own passes brings the run to it.
    const b = await open('host-b:2', { runs: { reconcileIntervalMs: 100 } });
    const { conn, api, tag } = await connection(a, 2000, 30);
    const { run } = await a.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', mode: 'full' });
    await waitFor('a few committed pages', async () => (await syncRuns.get(db.knex, run.id)).counts.pages >= 3);
    await a.close(); // graceful: the run stops at a page boundary
    const stopped = await syncRuns.get(db.knex, run.id);
    const requestedBeforeStop = api.requests.length;
    expect(stopped).toMatchObject({ status: 'queued', failures: 0, worker: null });
    const committed = stopped.counts.pages;
    expect(committed).toBeLessThan(20);
    const done = await finished(run.id);
    expect(done).toMatchObject({ status: 'succeeded', worker: 'host-b:2', attempts: 2, failures: 0, counts: { records_read: 2000, records_created: 2000, pages: 20 } });
    expect(await contactsTagged(tag)).toBe(2000);
    // Resumed from the checkpoint: never the first page again.
    const resumed = api.requests.slice(requestedBeforeStop);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((r) => r.query.get('after') !== null)).toBe(true);
    expect(b.queue.kind).toBe('memory');
  });

  it('gives a queued run with no job one again', async () => {
    const engine = await open('host-a:1');
    const { conn, tag } = await connection(engine, 120);
    // Recorded, never enqueued (as when the queue could not be reached).
    const { run } = await engine.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', mode: 'full', enqueue: false });
    await db.knex('sync_runs').where('id', run.id).update({ queued_at: new Date(Date.now() - 60_000).toISOString() });
    const report = await engine.reconcile();
    expect(report).toMatchObject({ leader: true, enqueued: [run.id], requeued: [], failed: [] });
    expect(await finished(run.id)).toMatchObject({ status: 'succeeded', counts: { records_created: 120 } });
    expect(await contactsTagged(tag)).toBe(120);
  });

  it('puts a running run whose worker is gone back in the queue, counting one failure, and finishes it', async () => {
    const engine = await open('host-a:1');
    const { run, tag } = await abandoned(engine);
    expect((await engine.reconcile()).requeued).toEqual([run.id]);
    const done = await finished(run.id);
    expect(done).toMatchObject({ status: 'succeeded', failures: 1, worker: 'host-a:1', counts: { records_created: 250 } });
    expect(await contactsTagged(tag)).toBe(250);
  });

  it('fails a run whose worker was lost once too often, with the reason', async () => {
    const engine = await open('host-a:1', { attempts: 3 });
    const { run } = await abandoned(engine, 2);
    expect((await engine.reconcile()).failed).toEqual([run.id]);
    expect(await syncRuns.get(db.knex, run.id)).toMatchObject({ status: 'failed', failures: 3, error: { code: 'SB_RUN_LOST', message: expect.stringMatching(/gone-host:4242 stopped \(no heartbeat since/) } });
  });

  it('leaves alone a running run whose worker still beats its heartbeat', async () => {
    const engine = await open('host-a:1');
    const { conn } = await connection(engine, 5);
    const { run } = await syncRuns.requestRun(db.knex, { connectionId: conn.id, mappingId: 'crm-hub-contacts' });
    await syncRuns.transition(db.knex, run.id, 'running', { worker: 'elsewhere:7' });
    expect(await engine.reconcile()).toMatchObject({ leader: true, requeued: [], failed: [] });
    expect(await syncRuns.get(db.knex, run.id)).toMatchObject({ status: 'running', worker: 'elsewhere:7' });
    await syncRuns.transition(db.knex, run.id, 'canceled');
  });

  it('stops a holder whose run was taken over without touching the run', async () => {
    const engine = await open('host-a:1', { concurrency: 0, runs: { heartbeatMs: 50 } });
    const { conn, tag } = await connection(engine, 3000, 30);
    const { run } = await engine.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', mode: 'full', enqueue: false });
    const attempt = engine.executeRun(run.id);
    const held = await waitFor('a committed page', async () => {
      const r = await syncRuns.get(db.knex, run.id);
      return r.counts.pages >= 2 ? r : undefined;
    });
    // Another worker takes the run over (as after a stalled job): this holder is fenced out.
    const over = await syncRuns.takeOver(db.knex, run.id, 'host-b:2', { worker: held.worker, attempt: held.attempts });
    expect(await attempt).toEqual({ next: 'done' });
    const after = await syncRuns.get(db.knex, run.id);
    expect(after).toMatchObject({ status: 'running', worker: 'host-b:2', attempts: over!.attempts });
    // No page of the old holder committed after the takeover.
    const pages = after.counts.pages;
    await new Promise((r) => setTimeout(r, 200));
    expect((await syncRuns.get(db.knex, run.id)).counts.pages).toBe(pages);
    expect(await contactsTagged(tag)).toBe(pages * 100);
    await syncRuns.transition(db.knex, run.id, 'canceled');
  });

  it('reconciles in one process at a time', async () => {
    const a = await open('host-a:1');
    const b = await open('host-b:2');
    const reports = await Promise.all([a.reconcile(), b.reconcile()]);
    expect(reports.filter((r) => r.leader)).toHaveLength(1);
    // The leader keeps the lease while it lives; the other one takes it once it is released.
    const leader = reports[0]!.leader ? a : b;
    const other = leader === a ? b : a;
    expect((await other.reconcile()).leader).toBe(false);
    await leader.close();
    expect((await other.reconcile()).leader).toBe(true);
  });
});
