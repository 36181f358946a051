// `switchboard worker` processes on BullMQ losing the run they hold: SIGTERMed (a pool scaled
// down by one: the run goes back to the queue at a page boundary and another worker finishes
// it at once; it used to be failed for good as SB_RUN_CANCELED and stay queued), and SIGKILLed
// three times in a row (BullMQ fails the job, "stalled more than allowable limit", and the
// reconciler of a surviving worker puts the run back). Each ends with the exact data and no
// process restarted.
import { randomBytes } from 'node:crypto';
import { Engine } from '../../core/engine';
import { silentLogger } from '../../core/logger';
import { SecretBox } from '../../core/secrets';
import * as syncRuns from '../../core/store/tables/sync-runs';
import type { MockApi } from '../../examples/mock-apis';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db';
import { fixtureRegistry, obliterateQueue, runFinished, slowPages, taggedConnection, taggedContacts, workerArgs } from '../helpers/e2e';
import { startWorker, stopWorkers, type WorkerProcess } from '../helpers/owned';
import { REDIS_URL, waitFor } from '../helpers/wait';

const KEY = 'e'.repeat(64);

describe('workers losing the run they hold', () => {
  let db: TestDatabase;
  let engine: Engine;
  const prefix = `sbtest-${randomBytes(5).toString('hex')}`;
  const workers: WorkerProcess[] = [];
  const apis: MockApi[] = [];

  beforeAll(async () => {
    db = await createMigratedDatabase('sqlite');
    engine = await Engine.open({ knex: db.knex, registry: await fixtureRegistry(), box: new SecretBox(Buffer.from(KEY, 'hex')), logger: silentLogger(), queue: 'bullmq', redisUrl: REDIS_URL, queuePrefix: prefix, concurrency: 0, runs: { reconcileIntervalMs: 0 } });
  });
  afterEach(async () => stopWorkers(workers.splice(0)));
  afterAll(async () => {
    await engine.close();
    await obliterateQueue(prefix);
    await Promise.all(apis.map((a) => a.close()));
    await db.cleanup();
  });

  function worker(): Promise<WorkerProcess> {
    return startWorker(workerArgs(db.url, '--concurrency', '1', '--stalled-interval-ms', '1000'), {
      REDIS_URL,
      SWITCHBOARD_QUEUE_PREFIX: prefix,
      SWITCHBOARD_SECRET_KEY: KEY,
      LOG_LEVEL: 'warn',
      SWITCHBOARD_RECONCILE_INTERVAL_MS: '300',
    });
  }

  async function slowRun(records: number, delayMs: number) {
    const { conn, tag } = await taggedConnection(engine, records, apis, slowPages(delayMs));
    const { run } = await engine.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', mode: 'full' });
    return { run, tag };
  }

  /** The worker process holding the run, once it has committed more than `pages` pages. */
  const holderPast = (runId: string, pages: number, skip: ReadonlySet<number> = new Set()) =>
    waitFor(`a holder of run ${runId} past page ${pages}`, async () => {
      const r = await syncRuns.get(db.knex, runId);
      const pid = Number(r.worker?.split(':')[1]);
      const w = workers.find((x) => x.pid === pid);
      return r.status === 'running' && w !== undefined && !skip.has(pid) && r.counts.pages > pages ? { w, pages: r.counts.pages } : undefined;
    }, 30_000);

  const finished = (runId: string, timeoutMs: number) => runFinished(db.knex, runId, timeoutMs);
  const contacts = (tag: string) => taggedContacts(db.knex, tag);

  it('finishes a run on the second worker within seconds when the first is SIGTERMed mid-run', async () => {
    workers.push(...(await Promise.all([worker(), worker()])));
    const { run, tag } = await slowRun(2000, 40);
    const { w: holder } = await holderPast(run.id, 2);
    holder.child.kill('SIGTERM');
    expect(await holder.exited).toBe(0);
    const handedBack = await syncRuns.get(db.knex, run.id);
    expect(handedBack.counts.pages).toBeLessThan(20);
    // "Within seconds": the other worker resumes it at once; the bound leaves room for a loaded machine.
    const done = await finished(run.id, 15_000);
    const other = workers.find((w) => w !== holder)!;
    expect(done).toMatchObject({ status: 'succeeded', worker: expect.stringMatching(new RegExp(`:${other.pid}$`)), failures: 0, attempts: 2, counts: { records_read: 2000, records_created: 2000, pages: 20 } });
    expect(await contacts(tag)).toEqual([2000, 2000]);
    expect(holder.stderr()).not.toMatch(/"level":50/); // nothing logged as an error on the way out
  }, 60_000);

  it('finishes a run whose holder is SIGKILLed three times, after BullMQ gave its job up', async () => {
    workers.push(...(await Promise.all([worker(), worker()])));
    const { run, tag } = await slowRun(6000, 100);
    const killed = new Set<number>();
    const joining: Promise<number>[] = [];
    let pages = 0;
    for (let kill = 1; kill <= 3; kill++) {
      const holder = await holderPast(run.id, pages, killed);
      holder.w.child.kill('SIGKILL');
      expect(await holder.w.exited).toBe('SIGKILL');
      killed.add(holder.w.pid);
      pages = holder.pages;
      // The pool is kept at two, as a supervisor would; the run does not wait for the newcomer
      // (the worker that was idle takes it over).
      joining.push(worker().then((w) => workers.push(w)));
    }
    await Promise.all(joining);
    const done = await finished(run.id, 60_000);
    // Three workers lost (two takeovers of the stalled job, then the reconciler), one that finished.
    expect(done).toMatchObject({ status: 'succeeded', failures: 3, attempts: 4, counts: { records_read: 6000, records_created: 6000, pages: 60 } });
    expect(killed.has(Number(done.worker?.split(':')[1]))).toBe(false);
    expect(await contacts(tag)).toEqual([6000, 6000]);
    const survivors = workers.filter((w) => !killed.has(w.pid));
    expect(survivors.map((w) => w.stderr()).join('')).toContain('job stalled more than allowable limit');
  }, 120_000);
});
