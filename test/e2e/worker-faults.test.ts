// `switchboard worker` processes on BullMQ losing the run they hold: SIGTERMed (a pool scaled
// down by one: the run goes back to the queue at a page boundary and another worker finishes
// it at once; it used to be failed for good as SB_RUN_CANCELED and stay queued), and SIGKILLed
// three times in a row (BullMQ fails the job, "stalled more than allowable limit", and the
// reconciler of a surviving worker puts the run back). Each ends with the exact data and no
// process restarted.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Engine } from '../../core/engine';
import { loadRegistry } from '../../core/definitions';
import { silentLogger } from '../../core/logger';
import { QUEUE_NAME } from '../../core/queue/bullmq';
import { SecretBox } from '../../core/secrets';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { hubspotContacts, startHubSpot, type MockApi } from '../../examples/mock-apis';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db';
import { startWorker, stopWorkers, type WorkerProcess } from '../helpers/owned';
import { REDIS_URL, waitFor } from '../helpers/wait';

const FIXTURES = join(__dirname, '..', 'fixtures', 'e2e');
const KEY = 'e'.repeat(64);
const FINAL = ['succeeded', 'failed', 'canceled'];

describe('workers losing the run they hold', () => {
  let db: TestDatabase;
  let engine: Engine;
  const prefix = `sbtest-${randomBytes(5).toString('hex')}`;
  const workers: WorkerProcess[] = [];
  const apis: MockApi[] = [];

  beforeAll(async () => {
    db = await createMigratedDatabase('sqlite');
    const registry = await loadRegistry({ connectorsDir: join(FIXTURES, 'connectors'), mappingsDir: join(FIXTURES, 'mappings') });
    engine = await Engine.open({ knex: db.knex, registry, box: new SecretBox(Buffer.from(KEY, 'hex')), logger: silentLogger(), queue: 'bullmq', redisUrl: REDIS_URL, queuePrefix: prefix, concurrency: 0, runs: { reconcileIntervalMs: 0 } });
  });
  afterEach(async () => stopWorkers(workers.splice(0)));
  afterAll(async () => {
    await engine.close();
    const q = new Queue(QUEUE_NAME, { connection: { url: REDIS_URL }, prefix });
    await q.obliterate({ force: true });
    await q.close();
    await Promise.all(apis.map((a) => a.close()));
    await db.cleanup();
  });

  function worker(): Promise<WorkerProcess> {
    return startWorker(['--concurrency', '1', '--stalled-interval-ms', '1000', '--db', db.url, '--connectors-dir', join(FIXTURES, 'connectors'), '--mappings-dir', join(FIXTURES, 'mappings')], {
      REDIS_URL,
      SWITCHBOARD_QUEUE_PREFIX: prefix,
      SWITCHBOARD_SECRET_KEY: KEY,
      LOG_LEVEL: 'warn',
      SWITCHBOARD_RECONCILE_INTERVAL_MS: '300',
    });
  }

  async function slowRun(records: number, delayMs: number) {
    const tag = randomBytes(4).toString('hex');
    const source = hubspotContacts(records).map((r) => ({ ...r, properties: { ...r.properties, email: `${tag}-${r.properties['email']}` } }));
    const api = await startHubSpot({ objects: { contacts: source }, token: 'tok', faults: () => ({ delayMs }) });
    apis.push(api);
    const conn = await engine.createConnection({ name: `w-${tag}`, connectorId: 'crm-hub', config: { access_token: 'tok', base_url: api.url } });
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

  const finished = (runId: string, timeoutMs: number) =>
    waitFor(`run ${runId} to finish`, async () => {
      const r = await syncRuns.get(db.knex, runId);
      return FINAL.includes(r.status) ? r : undefined;
    }, timeoutMs);

  async function contacts(tag: string): Promise<[number, number]> {
    const rows = (await db.knex('contacts').where('email', 'like', `${tag}-%`).count({ n: '*' }).first()) as { n: unknown };
    const emails = (await db.knex('contacts').where('email', 'like', `${tag}-%`).countDistinct({ n: 'email' }).first()) as { n: unknown };
    return [Number(rows.n), Number(emails.n)];
  }

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
    workers.push(...(await Promise.all([worker(), worker(), worker(), worker()])));
    const { run, tag } = await slowRun(4000, 60);
    const killed = new Set<number>();
    let pages = 0;
    for (let kill = 1; kill <= 3; kill++) {
      const holder = await holderPast(run.id, pages, killed);
      holder.w.child.kill('SIGKILL');
      expect(await holder.w.exited).toBe('SIGKILL');
      killed.add(holder.w.pid);
      pages = holder.pages;
    }
    const done = await finished(run.id, 60_000);
    // Three workers lost (two takeovers of the stalled job, then the reconciler), one that finished.
    expect(done).toMatchObject({ status: 'succeeded', failures: 3, attempts: 4, counts: { records_read: 4000, records_created: 4000, pages: 40 } });
    expect(killed.has(Number(done.worker?.split(':')[1]))).toBe(false);
    expect(await contacts(tag)).toEqual([4000, 4000]);
    const survivors = workers.filter((w) => !killed.has(w.pid));
    expect(survivors.map((w) => w.stderr()).join('')).toContain('job stalled more than allowable limit');
  }, 120_000);
});
