// PostgreSQL stopped for 5 s (`pg_ctl stop -m immediate`) in the middle of a run on a
// `switchboard worker`, in a cluster this test owns: the run waits for the store, resumes in
// place once it answers (no attempt spent, nothing restarted) and finishes with the exact data.
// It used to spend its three attempts inside the outage and stay `running` for good.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { Engine } from '../../core/engine';
import { silentLogger } from '../../core/logger';
import { SecretBox } from '../../core/secrets';
import { openDatabase, resolveDatabaseTarget } from '../../core/store/db';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { hubspotContacts, startHubSpot, type MockApi } from '../../examples/mock-apis';
import { fixtureRegistry, obliterateQueue, workerArgs } from '../helpers/e2e';
import { startOwnedPostgres, startWorker, stopWorkers, waitThrough, type OwnedPostgres, type WorkerProcess } from '../helpers/owned';
import { REDIS_URL, waitFor } from '../helpers/wait';

const KEY = 'd'.repeat(64);
const RECORDS = 5000;

describe('a run while PostgreSQL is stopped for 5 seconds', () => {
  let pg: OwnedPostgres;
  let url: string;
  let engine: Engine;
  let knex: Knex;
  let api: MockApi;
  const workers: WorkerProcess[] = [];
  const prefix = `sbtest-${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    pg = await startOwnedPostgres();
    url = `${pg.url}?schema=outage`;
    engine = await Engine.open({ db: url, registry: await fixtureRegistry(), box: new SecretBox(Buffer.from(KEY, 'hex')), logger: silentLogger(), queue: 'bullmq', redisUrl: REDIS_URL, queuePrefix: prefix, concurrency: 0, runs: { reconcileIntervalMs: 0 } });
    knex = openDatabase(resolveDatabaseTarget(url), { poolMax: 2 });
    // 50 pages, each answered after 40 ms: the run is surely mid-way when the store goes.
    api = await startHubSpot({ objects: { contacts: hubspotContacts(RECORDS) }, token: 'tok', faults: () => ({ delayMs: 40 }) });
  }, 60_000);
  afterAll(async () => {
    await stopWorkers(workers);
    await engine?.close();
    await knex?.destroy();
    await obliterateQueue(prefix);
    await api?.close();
    pg?.destroy();
  });

  it('waits for the store, resumes the run in place and finishes it exactly', async () => {
    workers.push(
      await startWorker(workerArgs(url, '--concurrency', '1', '--stalled-interval-ms', '1000'), {
        REDIS_URL,
        SWITCHBOARD_QUEUE_PREFIX: prefix,
        SWITCHBOARD_SECRET_KEY: KEY,
        LOG_LEVEL: 'warn',
        // Heartbeats go stale well within the outage: the reconciler must still leave the run to its holder.
        SWITCHBOARD_HEARTBEAT_MS: '200',
        SWITCHBOARD_RECONCILE_INTERVAL_MS: '300',
      }),
    );
    const conn = await engine.createConnection({ name: 'outage', connectorId: 'crm-hub', config: { access_token: 'tok', base_url: api.url } });
    const { run } = await engine.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', mode: 'full' });
    await waitFor('a few committed pages', async () => (await syncRuns.get(knex, run.id)).counts.pages >= 5);

    pg.crash();
    const requestsAtCrash = api.requests.length;
    await new Promise((r) => setTimeout(r, 5000));
    pg.start();

    const done = await waitThrough(`run ${run.id} to finish`, async () => {
      const r = await syncRuns.get(knex, run.id);
      return ['succeeded', 'failed', 'canceled'].includes(r.status) ? r : undefined;
    }, 90_000);
    expect(requestsAtCrash).toBeLessThan(50);
    // One attempt, no failure: the outage was waited out by the run's holder.
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, failures: 0, counts: { records_read: RECORDS, records_created: RECORDS, records_updated: 0, pages: 50 } });
    const rows = (await knex('contacts').count({ n: '*' }).first()) as { n: unknown };
    const emails = (await knex('contacts').countDistinct({ n: 'email' }).first()) as { n: unknown };
    expect([Number(rows.n), Number(emails.n)]).toEqual([RECORDS, RECORDS]);
    expect(workers[0]!.stderr()).toContain('the store is unreachable: runs wait for it and resume');
  }, 120_000);
});
