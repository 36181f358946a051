// Two `switchboard worker` processes on the real Redis drain runs of several connections; one
// is killed with SIGKILL mid-run, and its run is taken over and still finishes with exact data.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db';
import { Engine } from '../../core/engine';
import { loadRegistry } from '../../core/definitions';
import { silentLogger } from '../../core/logger';
import { SecretBox } from '../../core/secrets';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { QUEUE_NAME } from '../../core/queue/bullmq';
import { hubspotContacts, startHubSpot, type MockApi } from '../../examples/mock-apis';
import { startWorkerProcess } from '../helpers/e2e';
import { REDIS_URL, waitFor } from '../helpers/wait';

const FIXTURES = join(__dirname, '..', 'fixtures', 'e2e');
const KEY = 'c'.repeat(64);

describe('worker processes on BullMQ', () => {
  let db: TestDatabase;
  let engine: Engine;
  const prefix = `sbtest-${randomBytes(5).toString('hex')}`;
  const workers: ChildProcess[] = [];
  const apis: MockApi[] = [];

  async function startWorker(): Promise<ChildProcess> {
    const child = await startWorkerProcess(['--concurrency', '2', '--stalled-interval-ms', '1000', '--db', db.url, '--connectors-dir', join(FIXTURES, 'connectors'), '--mappings-dir', join(FIXTURES, 'mappings')], {
      REDIS_URL,
      SWITCHBOARD_QUEUE_PREFIX: prefix,
      SWITCHBOARD_SECRET_KEY: KEY,
    });
    workers.push(child);
    return child;
  }

  beforeAll(async () => {
    db = await createMigratedDatabase('sqlite');
    const registry = await loadRegistry({ connectorsDir: join(FIXTURES, 'connectors'), mappingsDir: join(FIXTURES, 'mappings') });
    engine = await Engine.open({ knex: db.knex, registry, box: new SecretBox(Buffer.from(KEY, 'hex')), logger: silentLogger(), queue: 'bullmq', redisUrl: REDIS_URL, queuePrefix: prefix, concurrency: 0 });
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => (w.exitCode !== null || w.signalCode !== null ? undefined : new Promise((r) => w.once('exit', r)))));
    await engine.close();
    const q = new Queue(QUEUE_NAME, { connection: { url: REDIS_URL }, prefix });
    await q.obliterate({ force: true });
    await q.close();
    await Promise.all(apis.map((a) => a.close()));
    await db.cleanup();
  });

  it('shares the runs, and survives a worker killed mid-run', async () => {
    await Promise.all([startWorker(), startWorker()]);
    const sizes = [1500, 300, 200, 400];
    const conns: { conn: { id: string }; tag: string; n: number; api: MockApi }[] = [];
    for (const [i, n] of sizes.entries()) {
      const tag = randomBytes(4).toString('hex');
      const source = hubspotContacts(n).map((r) => ({ ...r, properties: { ...r.properties, email: `${tag}-${r.properties['email']}` } }));
      // The first connection's API is slow, so its run is surely mid-way when a worker dies.
      const api = await startHubSpot({ objects: { contacts: source }, token: 'tok', ...(i === 0 ? { faults: () => ({ delayMs: 60 }) } : {}) });
      apis.push(api);
      conns.push({ conn: await engine.createConnection({ name: `w-${tag}`, connectorId: 'crm-hub', config: { access_token: 'tok', base_url: api.url } }), tag, n, api });
    }
    const runs = await Promise.all(conns.map((c) => engine.requestRun({ connection: c.conn.id, mapping: 'crm-hub-contacts', mode: 'full' })));

    const slow = runs[0]!.run.id;
    const victim = await waitFor('the slow run to commit pages', async () => {
      const run = await syncRuns.get(db.knex, slow);
      return run.status === 'running' && run.counts.pages >= 2 ? run.worker : undefined;
    });
    const pid = Number(victim!.split(':')[1]);
    const child = workers.find((w) => w.pid === pid)!;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const committedBeforeKill = (await syncRuns.get(db.knex, slow)).counts.pages;
    const listed = (): number => conns[0]!.api.requests.filter((r) => r.path.endsWith('/contacts')).length;
    const requestedBeforeKill = listed();

    const done = await Promise.all(
      runs.map((r) =>
        waitFor(`run ${r.run.id}`, async () => {
          const run = await syncRuns.get(db.knex, r.run.id);
          return ['succeeded', 'failed', 'canceled'].includes(run.status) ? run : undefined;
        }, 60_000),
      ),
    );
    expect(done.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const takenOver = done[0]!;
    expect(takenOver.worker === null || !takenOver.worker.endsWith(`:${pid}`)).toBe(true);
    // Exact: every record once, and the pages committed before the kill were not read again.
    expect(takenOver.counts).toMatchObject({ records_read: 1500, records_created: 1500, pages: 15 });
    // The new worker asked only for the pages after the last committed one.
    expect(listed()).toBe(requestedBeforeKill + 15 - committedBeforeKill);
    expect(committedBeforeKill).toBeGreaterThanOrEqual(2);
    for (const [i, c] of conns.entries()) {
      const n = (await db.knex('contacts').where('email', 'like', `${c.tag}-%`).count({ n: '*' }).first()) as { n: number };
      expect([i, Number(n.n)]).toEqual([i, c.n]);
    }
  });
});
