// The store side of the run lifecycle on both databases: heartbeats and takeovers through the
// transition table (compare-and-set on the holder), holders fenced out of page commits once
// their run was taken over, failures counted apart from attempts, and leases (one holder at a
// time, expiring) for the reconciler.
import { randomBytes } from 'node:crypto';
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import { SecretBox } from '../../../core/secrets';
import * as connections from '../../../core/store/tables/connections';
import * as leases from '../../../core/store/tables/leases';
import * as syncRuns from '../../../core/store/tables/sync-runs';

describe.each(DIALECTS)('run lifecycle in the store on %s', (dialect) => {
  let db: TestDatabase;
  let connectionId: string;
  let n = 0;
  beforeAll(async () => {
    db = await createMigratedDatabase(dialect);
    connectionId = (await connections.create(db.knex, new SecretBox(randomBytes(32)), { name: 'main', connectorId: 'hubspot', config: {}, secretKeys: [] })).id;
  });
  afterAll(async () => db.cleanup());

  async function runningRun(worker = 'host-a:1'): Promise<syncRuns.SyncRun> {
    const { run } = await syncRuns.requestRun(db.knex, { connectionId, mappingId: `m-${++n}` });
    return syncRuns.transition(db.knex, run.id, 'running', { worker });
  }

  it('beats the heartbeat only for the holder that holds the run', async () => {
    const run = await runningRun();
    const holder = { worker: 'host-a:1', attempt: run.attempts };
    await new Promise((r) => setTimeout(r, 5));
    expect(await syncRuns.heartbeat(db.knex, run.id, holder)).toBe(true);
    const beaten = await syncRuns.get(db.knex, run.id);
    expect(beaten.heartbeatAt! > run.heartbeatAt!).toBe(true);
    expect(await syncRuns.heartbeat(db.knex, run.id, { worker: 'host-b:2', attempt: run.attempts })).toBe(false);
    expect(await syncRuns.heartbeat(db.knex, run.id, { worker: 'host-a:1', attempt: run.attempts + 1 })).toBe(false);
    await syncRuns.transition(db.knex, run.id, 'succeeded', {}, { holder });
    expect(await syncRuns.heartbeat(db.knex, run.id, holder)).toBe(false);
  });

  it('takes a run over from the holder it saw, once: one more attempt and one more failure', async () => {
    const run = await runningRun();
    const seen = { worker: run.worker, attempt: run.attempts };
    const both = await Promise.all([syncRuns.takeOver(db.knex, run.id, 'host-b:2', seen), syncRuns.takeOver(db.knex, run.id, 'host-c:3', seen)]);
    const winner = both.find((r) => r !== undefined)!;
    expect(both.filter(Boolean)).toHaveLength(1);
    expect(winner).toMatchObject({ status: 'running', attempts: run.attempts + 1, failures: 1 });
    expect(['host-b:2', 'host-c:3']).toContain(winner.worker);
    // A takeover is only ever asked for explicitly: a plain transition to running refuses a running run.
    expect(await syncRuns.tryTransition(db.knex, run.id, 'running', { worker: 'host-d:4' })).toBeUndefined();
  });

  it('fences out a holder whose run was taken over: its page commit rolls back, its end is refused', async () => {
    const run = await runningRun();
    const old = { worker: run.worker, attempt: run.attempts };
    await syncRuns.addCounts(db.knex, run.id, { records_read: 10, pages: 1 }, undefined, old);
    const over = await syncRuns.takeOver(db.knex, run.id, 'host-b:2', old);
    // The old holder's next batch: everything in its transaction is undone.
    const late = db.knex.transaction(async (trx) => {
      await trx('sync_runs').where('id', run.id).update({ progress: JSON.stringify({ late: true }) });
      await syncRuns.addCounts(trx, run.id, { records_read: 10, pages: 1 }, undefined, old);
    });
    await expect(late).rejects.toMatchObject({ code: 'SB_RUN_LOST' });
    await expect(syncRuns.transition(db.knex, run.id, 'succeeded', {}, { holder: old })).rejects.toMatchObject({ code: 'SB_RUN_INVALID_TRANSITION' });
    const now = await syncRuns.get(db.knex, run.id);
    expect(now).toMatchObject({ status: 'running', worker: 'host-b:2', progress: null, counts: { records_read: 10, pages: 1 } });
    await syncRuns.addCounts(db.knex, run.id, { records_read: 5, pages: 1 }, undefined, { worker: 'host-b:2', attempt: over!.attempts });
    expect((await syncRuns.transition(db.knex, run.id, 'succeeded', {}, { holder: { worker: 'host-b:2', attempt: over!.attempts } })).counts).toMatchObject({ records_read: 15, pages: 2 });
  });

  it('counts failures apart from attempts, and lists queued runs by when they were queued', async () => {
    const run = await runningRun();
    const holder = { worker: run.worker, attempt: run.attempts };
    const back = await syncRuns.transition(db.knex, run.id, 'queued', { worker: null, failed: true, error: { code: 'SB_HTTP_TIMEOUT', message: 'slow' } }, { holder });
    expect(back).toMatchObject({ status: 'queued', attempts: 1, failures: 1, worker: null, error: { code: 'SB_HTTP_TIMEOUT' } });
    // An interruption costs nothing.
    const again = await syncRuns.transition(db.knex, run.id, 'running', { worker: 'host-a:1' });
    expect(await syncRuns.transition(db.knex, run.id, 'queued', { worker: null }, { holder: { worker: 'host-a:1', attempt: again.attempts } })).toMatchObject({ attempts: 2, failures: 1 });
    const later = new Date(Date.now() + 60_000).toISOString();
    const earlier = new Date(Date.now() - 60_000).toISOString();
    expect((await syncRuns.list(db.knex, { status: 'queued', queuedBefore: later })).map((r) => r.id)).toContain(run.id);
    expect((await syncRuns.list(db.knex, { status: 'queued', queuedBefore: earlier })).map((r) => r.id)).not.toContain(run.id);
  });

  it('gives a lease to one holder at a time, renews it for that holder, and hands it on once it expired or was released', async () => {
    const t0 = Date.now();
    const takes = await Promise.all(['p1', 'p2', 'p3'].map((h) => leases.acquire(db.knex, 'chore', h, 1000, t0)));
    expect(takes.filter(Boolean)).toHaveLength(1);
    const holder = ['p1', 'p2', 'p3'][takes.indexOf(true)]!;
    const other = holder === 'p1' ? 'p2' : 'p1';
    expect(await leases.acquire(db.knex, 'chore', holder, 1000, t0 + 500)).toBe(true);
    expect(await leases.acquire(db.knex, 'chore', other, 1000, t0 + 1200)).toBe(false); // renewed until t0 + 1500
    expect(await leases.holderOf(db.knex, 'chore', t0 + 1200)).toBe(holder);
    expect(await leases.acquire(db.knex, 'chore', other, 1000, t0 + 1600)).toBe(true);
    await leases.release(db.knex, 'chore', holder); // not the holder any more: nothing happens
    expect(await leases.holderOf(db.knex, 'chore', t0 + 1700)).toBe(other);
    await leases.release(db.knex, 'chore', other);
    expect(await leases.acquire(db.knex, 'chore', holder, 1000, t0 + 1700)).toBe(true);
  });
});
