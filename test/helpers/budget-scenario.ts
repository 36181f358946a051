// The two-budget scenario of the rate-limit acceptance test and its benchmark: two
// `switchboard worker` processes on BullMQ drain three runs of one connection whose connector
// declares a search budget (5 per second) inside a general one (100 per 10 seconds), against
// a HubSpot-style API that refuses anything over either. Returns what the API saw.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { loadRegistry } from '../../core/definitions';
import { Engine } from '../../core/engine';
import { silentLogger } from '../../core/logger';
import { QUEUE_NAME } from '../../core/queue/bullmq';
import { SecretBox } from '../../core/secrets';
import * as runCosts from '../../core/store/tables/run-costs';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { hubspotCompanies, hubspotContacts, startHubSpot, type LoggedRequest } from '../../examples/mock-apis';
import { createMigratedDatabase } from './db';
import { startWorkerProcess } from './e2e';
import { REDIS_URL, waitFor } from './wait';

const FIXTURES = join(__dirname, '..', 'fixtures', 'e2e');
const KEY = 'd'.repeat(64);
export const MAPPINGS = ['hub-budgets-contacts-search', 'hub-budgets-companies-search', 'hub-budgets-contacts-list'] as const;

export interface BudgetScenarioResult {
  requests: LoggedRequest[];
  searches: number[];
  all: number[];
  runs: syncRuns.SyncRun[];
  costs: runCosts.RunCost[];
  /** Sliding windows (one starting at each request) holding more than the budget. */
  overSearch: number;
  overGeneral: number;
  /** Searches per second from the first to the last, over the search budget's 5 per second. */
  searchRateRatio: number;
}

/** Windows (one starting at each timestamp) of `windowMs` holding more than `limit` timestamps. */
export function windowsOver(timestamps: readonly number[], windowMs: number, limit: number): number {
  const sorted = [...timestamps].sort((a, b) => a - b);
  let over = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! - sorted[start]! < windowMs) end += 1;
    if (end - start > limit) over += 1;
  }
  return over;
}

export async function runBudgetScenario(options: { records: number; mappings: readonly string[] }): Promise<BudgetScenarioResult> {
  const { records, mappings } = options;
  const db = await createMigratedDatabase('sqlite');
  const prefix = `sbtest-${randomBytes(5).toString('hex')}`;
  const registry = await loadRegistry({ connectorsDir: join(FIXTURES, 'connectors'), mappingsDir: join(FIXTURES, 'mappings') });
  const engine = await Engine.open({ knex: db.knex, registry, box: new SecretBox(Buffer.from(KEY, 'hex')), logger: silentLogger(), queue: 'bullmq', redisUrl: REDIS_URL, queuePrefix: prefix, concurrency: 0 });
  // The API refuses what goes over either budget (429s would show up as retries).
  const api = await startHubSpot({ objects: { contacts: hubspotContacts(records), companies: hubspotCompanies(records) }, token: 'tok', enforceLimits: { max: 100 }, archivedInSearch: false });
  const workers: ChildProcess[] = [];
  try {
    const args = ['--concurrency', '2', '--db', db.url, '--connectors-dir', join(FIXTURES, 'connectors'), '--mappings-dir', join(FIXTURES, 'mappings')];
    const env = { REDIS_URL, SWITCHBOARD_QUEUE_PREFIX: prefix, SWITCHBOARD_SECRET_KEY: KEY };
    workers.push(...(await Promise.all([startWorkerProcess(args, env), startWorkerProcess(args, env)])));
    const conn = await engine.createConnection({ name: 'budgets', connectorId: 'hub-budgets', config: { access_token: 'tok', base_url: api.url } });
    const asked = await Promise.all(mappings.map((mapping) => engine.requestRun({ connection: conn.id, mapping, mode: 'full' })));
    const runs = await Promise.all(
      asked.map((a) =>
        waitFor(`run ${a.run.id}`, async () => {
          const run = await syncRuns.get(db.knex, a.run.id);
          return ['succeeded', 'failed', 'canceled'].includes(run.status) ? run : undefined;
        }, 120_000),
      ),
    );
    const costs = await Promise.all(runs.map((r) => runCosts.get(db.knex, r.id)));
    const requests = [...api.requests];
    const searches = requests.filter((r) => r.method === 'POST' && r.path.endsWith('/search')).map((r) => r.at);
    const all = requests.map((r) => r.at);
    const span = (searches.at(-1)! - searches[0]!) / 1000;
    return {
      requests,
      searches,
      all,
      runs,
      costs,
      overSearch: windowsOver(searches, 1000, 5),
      overGeneral: windowsOver(all, 10_000, 100),
      searchRateRatio: span > 0 ? (searches.length - 1) / span / 5 : 0,
    };
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => (w.exitCode !== null || w.signalCode !== null ? undefined : new Promise((r) => w.once('exit', r)))));
    await engine.close();
    const q = new Queue(QUEUE_NAME, { connection: { url: REDIS_URL }, prefix });
    await q.obliterate({ force: true });
    await q.close();
    await api.close();
    await db.cleanup();
  }
}
