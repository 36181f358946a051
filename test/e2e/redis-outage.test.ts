// Redis going away, in a Redis this test owns (the shared one is never flushed): a run that was
// waiting in the queue when Redis restarted empty is enqueued again by the reconciler and
// finishes, next to the run that was active meanwhile (it used to stay `queued` forever); and
// asking for a run while Redis is unreachable answers 503 with Retry-After instead of hanging,
// keeping the run recorded so that the reconciler enqueues it once Redis is back.
import type { FastifyInstance } from 'fastify';
import { Engine, type EngineOptions } from '../../core/engine';
import type { Registry } from '../../core/definitions';
import { silentLogger } from '../../core/logger';
import { SecretBox } from '../../core/secrets';
import * as apiClients from '../../core/store/tables/api-clients';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { buildApp } from '../../server/app';
import type { MockApi } from '../../examples/mock-apis';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db';
import { fixtureRegistry, runFinished, slowPages, taggedConnection, taggedContacts, workerArgs } from '../helpers/e2e';
import { freePort, startOwnedRedis, startWorker, stopWorkers, type OwnedRedis, type WorkerProcess } from '../helpers/owned';
import { waitFor } from '../helpers/wait';

const KEY = 'f'.repeat(64);

describe('Redis going away', () => {
  let db: TestDatabase;
  let registry: Registry;
  const redises: OwnedRedis[] = [];
  const engines: Engine[] = [];
  const workers: WorkerProcess[] = [];
  const apis: MockApi[] = [];

  beforeAll(async () => {
    db = await createMigratedDatabase('sqlite');
    registry = await fixtureRegistry();
  });
  // Workers reconcile the shared database with their own Redis: none outlives its test.
  afterEach(async () => stopWorkers(workers.splice(0)));
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
    await Promise.all(redises.map((r) => r.kill()));
    await Promise.all(apis.map((a) => a.close()));
    await db.cleanup();
  });

  async function producer(redisUrl: string, options: Partial<EngineOptions> = {}): Promise<Engine> {
    const engine = await Engine.open({ knex: db.knex, registry, box: new SecretBox(Buffer.from(KEY, 'hex')), logger: silentLogger(), queue: 'bullmq', redisUrl, concurrency: 0, ...options, runs: { reconcileIntervalMs: 0, ...options.runs } });
    engines.push(engine);
    return engine;
  }

  const connection = (engine: Engine, records: number, delayMs?: number) => taggedConnection(engine, records, apis, delayMs === undefined ? undefined : slowPages(delayMs));
  const finished = (id: string) => runFinished(db.knex, id);

  it('enqueues again a run that waited in the queue when Redis restarted empty, and finishes both runs exactly', async () => {
    const redis = await startOwnedRedis();
    redises.push(redis);
    const engine = await producer(redis.url);
    // One run at a time: the second one waits in the queue while the first is active.
    workers.push(
      await startWorker(workerArgs(db.url, '--concurrency', '1', '--stalled-interval-ms', '1000'), {
        REDIS_URL: redis.url,
        SWITCHBOARD_SECRET_KEY: KEY,
        LOG_LEVEL: 'warn',
        SWITCHBOARD_RECONCILE_INTERVAL_MS: '300',
      }),
    );
    const active = await connection(engine, 2000, 40);
    const waiting = await connection(engine, 300);
    const a = (await engine.requestRun({ connection: active.conn.id, mapping: 'crm-hub-contacts', mode: 'full' })).run;
    await waitFor('the first run to commit pages', async () => (await syncRuns.get(db.knex, a.id)).counts.pages >= 2);
    const b = (await engine.requestRun({ connection: waiting.conn.id, mapping: 'crm-hub-contacts', mode: 'full' })).run;
    expect((await engine.queue.jobStates([b.id])).get(b.id)).toEqual({ state: 'waiting' });

    await redis.kill();
    await redis.start(); // same port, empty: the waiting job is gone
    expect(await syncRuns.get(db.knex, b.id)).toMatchObject({ status: 'queued' });

    const [doneA, doneB] = await Promise.all([finished(a.id), finished(b.id)]);
    expect(doneA).toMatchObject({ status: 'succeeded', counts: { records_created: 2000, pages: 20 } });
    expect(doneB).toMatchObject({ status: 'succeeded', failures: 0, counts: { records_created: 300 } });
    expect([await taggedContacts(db.knex, active.tag), await taggedContacts(db.knex, waiting.tag)]).toEqual([
      [2000, 2000],
      [300, 300],
    ]);
    expect(workers[0]!.stderr()).toContain('queued runs without a job enqueued again');
  }, 120_000);

  it('answers 503 with Retry-After when asked for a run while Redis is unreachable, and enqueues the recorded run once it is back', async () => {
    const port = await freePort();
    const redis = await startOwnedRedis(port); // not started: nothing listens on the port yet
    redises.push(redis);
    const engine = await producer(redis.url, { runs: { queueTimeoutMs: 300, reconcileIntervalMs: 100 } });
    const { conn } = await connection(engine, 10);
    const app: FastifyInstance = await buildApp(engine, { redisUrl: '', rateLimit: false });
    try {
      const { client, clientSecret } = await apiClients.create(db.knex, { name: 'outage', scopes: ['runs:write', 'runs:read'] });
      const token = (await app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: clientSecret } })).json() as { access_token: string };
      const ask = () => app.inject({ method: 'POST', url: `/connections/${conn.name}/runs`, payload: { mapping: 'crm-hub-contacts', mode: 'full' }, headers: { authorization: `Bearer ${token.access_token}` } });

      const refused = await ask();
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      const body = refused.json() as { code: string; message: string; details: { run: string } };
      expect(body).toMatchObject({ code: 'SB_QUEUE_UNAVAILABLE', details: { run: expect.any(String) } });
      expect(body.message).toContain('asking again returns it');
      // The row is the truth: recorded, queued; asking again names the same run.
      expect(await syncRuns.get(db.knex, body.details.run)).toMatchObject({ status: 'queued', connectionId: conn.id });
      expect((await ask()).json()).toMatchObject({ code: 'SB_QUEUE_UNAVAILABLE', details: { run: body.details.run } });

      await redis.start();
      const job = await waitFor('the reconciler to enqueue the recorded run', async () => {
        const state = (await engine.queue.jobStates([body.details.run]).catch(() => undefined))?.get(body.details.run);
        return state?.state === 'waiting' ? state : undefined;
      });
      expect(job).toEqual({ state: 'waiting' });
      const again = await ask();
      expect(again.statusCode).toBe(202);
      expect(again.json()).toMatchObject({ created: false, run: { id: body.details.run, status: 'queued' } });
    } finally {
      await app.close();
    }
  }, 60_000);
});
