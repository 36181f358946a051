// Scale-out proof: three `switchboard worker` processes, each in a network namespace of its own
// (created and removed here), share runs of several connections through BullMQ and one
// PostgreSQL store. The network of the worker holding the slowest run is cut mid-run (its
// packets dropped: connections hang, nothing is reset), then restored: its job stalls, another
// worker takes the run over and resumes it from its checkpoint, and the cut worker, once back,
// finds its writes refused (fenced) instead of mixed in. Every run finishes exactly once and the
// CRM equals the source. Skipped, saying why, only where namespaces cannot be created.
import { randomBytes } from 'node:crypto';
import { Engine } from '../../core/engine';
import { silentLogger } from '../../core/logger';
import { SecretBox } from '../../core/secrets';
import * as syncRuns from '../../core/store/tables/sync-runs';
import type { MockApi } from '../../examples/mock-apis';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db';
import { fixtureRegistry, obliterateQueue, runFinished, slowPages, taggedConnection, taggedContacts, workerArgs, type TaggedConnection } from '../helpers/e2e';
import { createNetns, netnsUnavailable, type Netns } from '../helpers/netns';
import { startWorker, stopWorkers, type WorkerProcess } from '../helpers/owned';
import { REDIS_URL, waitFor } from '../helpers/wait';

const KEY = 'a1'.repeat(32);
const unavailable = netnsUnavailable();
if (unavailable !== undefined) {
  // eslint-disable-next-line no-console
  console.warn(`scale-out test skipped: network namespaces cannot be created here (${unavailable}); run it as root on Linux with iproute2`);
}
const maybe = unavailable === undefined ? describe : describe.skip;

maybe('three workers in network namespaces of their own, one cut off mid-run', () => {
  let db: TestDatabase;
  let engine: Engine;
  let netns: Netns;
  const prefix = `sbtest-${randomBytes(5).toString('hex')}`;
  const workers: WorkerProcess[] = [];
  const apis: MockApi[] = [];

  beforeAll(async () => {
    db = await createMigratedDatabase('postgres');
    engine = await Engine.open({ knex: db.knex, registry: await fixtureRegistry(), box: new SecretBox(Buffer.from(KEY, 'hex')), logger: silentLogger(), queue: 'bullmq', redisUrl: REDIS_URL, queuePrefix: prefix, concurrency: 0, runs: { reconcileIntervalMs: 0 } });
    netns = await createNetns(3);
  }, 60_000);
  afterAll(async () => {
    await stopWorkers(workers);
    await netns?.remove();
    await engine?.close();
    await obliterateQueue(prefix);
    await Promise.all(apis.map((a) => a.close()));
    await db?.cleanup();
  });

  it('finishes every run exactly once with the CRM equal to the source', async () => {
    // The workers reach the store, Redis and the APIs at the host's address, through proxies.
    const pg = new URL(db.url);
    pg.hostname = netns.hostAddress;
    pg.port = String(await netns.forward(Number(new URL(db.url).port || 5432)));
    const redis = `redis://${netns.hostAddress}:${await netns.forward(Number(new URL(REDIS_URL).port || 6379))}`;
    const env = { REDIS_URL: redis, SWITCHBOARD_QUEUE_PREFIX: prefix, SWITCHBOARD_SECRET_KEY: KEY, LOG_LEVEL: 'warn', SWITCHBOARD_HEARTBEAT_MS: '500', SWITCHBOARD_RECONCILE_INTERVAL_MS: '500' };
    workers.push(...(await Promise.all(netns.namespaces.map((ns) => startWorker(workerArgs(pg.toString(), '--concurrency', '2', '--stalled-interval-ms', '1000'), env, ns.exec)))));

    // One slow connection (the one cut off mid-run) and five quicker ones.
    const sizes = [3000, 600, 400, 800, 500, 700];
    const conns: (TaggedConnection & { n: number })[] = [];
    for (const [i, n] of sizes.entries()) {
      const c = await taggedConnection(engine, n, apis, slowPages(i === 0 ? 100 : 20));
      // Their APIs, too, are reached through the host's address.
      const port = await netns.forward(Number(new URL(c.api.url).port));
      // A new base_url takes the credentials with it, given again (they follow no host by themselves).
      await engine.updateConnection(c.conn.id, { config: { base_url: `http://${netns.hostAddress}:${port}`, access_token: 'tok' } });
      conns.push({ ...c, n });
    }
    const runs = await Promise.all(conns.map((c) => engine.requestRun({ connection: c.conn.id, mapping: 'crm-hub-contacts', mode: 'full' })));
    const slow = runs[0]!.run.id;
    const holder = await waitFor('the slow run to commit pages', async () => {
      const r = await syncRuns.get(db.knex, slow);
      return r.status === 'running' && r.counts.pages >= 3 ? workers.find((w) => r.worker?.endsWith(`:${w.pid}`)) : undefined;
    });
    const ns = netns.namespaces[workers.indexOf(holder)]!;
    ns.cut();
    // Taken over while the holder is away: another worker now holds the run.
    await waitFor('another worker to take the slow run over', async () => {
      const r = await syncRuns.get(db.knex, slow);
      return r.status !== 'running' || !r.worker!.endsWith(`:${holder.pid}`);
    }, 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    ns.restore();

    const done = await Promise.all(runs.map((r) => runFinished(db.knex, r.run.id, 90_000)));
    for (const [i, run] of done.entries()) {
      const n = sizes[i]!;
      expect([i, run.status, run.counts.records_read, run.counts.records_created, run.counts.records_updated, run.counts.pages]).toEqual([i, 'succeeded', n, n, 0, n / 100]);
      // Exactly once: one run per connection, every source record once in the CRM.
      expect((await syncRuns.list(db.knex, { connectionId: conns[i]!.conn.id })).length).toBe(1);
      expect([i, await taggedContacts(db.knex, conns[i]!.tag)]).toEqual([i, [n, n]]);
    }
    expect(done[0]!.failures).toBeGreaterThanOrEqual(1);
    expect(done[0]!.worker!.endsWith(`:${holder.pid}`)).toBe(false);
    // The cut worker came back to a run that was no longer its own, and it is still serving.
    await waitFor('the cut worker to learn it lost the run', async () => /run lost|no longer held|another worker holds it/.test(holder.stderr()), 60_000);
    expect(holder.child.exitCode).toBeNull();
  }, 180_000);
});
