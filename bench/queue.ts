// Queue overhead on the real Redis: enqueue-to-start latency (p50, p99) and small runs per second
// with one and with two workers, each next to bare BullMQ (no-op jobs) measured in the same run.
// A "small run" is a whole pull run of a mapping whose API answers with one empty page.
// Workers are processes of their own, as `switchboard worker` deploys them (and so are bare
// BullMQ's); this process asks for the runs and serves the API.
// Run: npm run bench:queue [-- --runs 3000]
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Engine } from '../core/engine';
import { createRegistry } from '../core/definitions';
import type { ConnectorDefinition } from '../core/generated/connector';
import type { MappingDefinition } from '../core/generated/mapping';
import { silentLogger } from '../core/logger';
import { SecretBox } from '../core/secrets';
import { openDatabase, resolveDatabaseTarget } from '../core/store/db';
import { migrate } from '../core/store/migrate';
import * as syncRuns from '../core/store/tables/sync-runs';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3000' }, concurrency: { type: 'string', default: '8' }, worker: { type: 'string' }, prefix: { type: 'string' }, db: { type: 'string' } },
});
const RUNS = Number(values.runs);
const CONCURRENCY = Number(values.concurrency);
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const LATENCY_SAMPLES = 200;

const pct = (sorted: number[], p: number): number => Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN) * 10) / 10;

interface Figures {
  p50: number;
  p99: number;
  perSecond: number;
  /** Switchboard: how fast one client asked for the runs (row inserted, job added). */
  askedPerSecond?: number;
}

// --- worker processes ------------------------------------------------------------------------

/** Starts a worker process (`bare`: a BullMQ worker with a no-op processor; `switchboard`: an engine with a queue worker). */
function startWorker(kind: 'bare' | 'switchboard', prefix: string, db?: string, key?: Buffer): Promise<ChildProcess> {
  const args = ['--worker', kind, '--prefix', prefix, '--concurrency', String(CONCURRENCY), ...(db === undefined ? [] : ['--db', db])];
  const child = fork(__filename, args, { execArgv: ['--require', require.resolve('tsx/cjs')], stdio: 'inherit', env: { ...process.env, BENCH_KEY: key?.toString('hex') ?? '' } });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

function stopWorker(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function workerMain(kind: string): Promise<void> {
  const prefix = values.prefix!;
  let close: () => Promise<void>;
  if (kind === 'bare') {
    const worker = new Worker('bare', async (job) => {
      process.send?.({ id: job.id, at: performance.timeOrigin + performance.now() });
    }, { connection: new IORedis(REDIS_URL, { maxRetriesPerRequest: null }), prefix, concurrency: CONCURRENCY });
    await worker.waitUntilReady();
    close = () => worker.close();
  } else {
    const registry = createRegistry(new Map([[connector.id, connector]]), new Map([[mapping.id, mapping]]));
    const engine = await Engine.open({ db: values.db!, registry, box: new SecretBox(Buffer.from(process.env['BENCH_KEY'] ?? '', 'hex')), logger: silentLogger(), queue: 'bullmq', redisUrl: REDIS_URL, queuePrefix: prefix, concurrency: CONCURRENCY });
    close = () => engine.close();
  }
  process.once('SIGTERM', () => void close().then(() => process.exit(0)));
  process.send?.('ready');
}

async function bareBullmq(workers: number): Promise<Figures> {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('bare', { connection, prefix });
  const started = new Map<string, number>();
  let done = 0;
  let onDone: () => void = () => undefined;
  const ws = await Promise.all(Array.from({ length: workers }, () => startWorker('bare', prefix)));
  for (const w of ws) {
    w.on('message', (m: { id: string; at: number }) => {
      started.set(m.id, m.at);
      done += 1;
      onDone();
    });
  }
  // Latency on an idle queue: one job at a time, from add to the processor's first line.
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const at = performance.timeOrigin + performance.now();
    const seen = new Promise<void>((r) => (onDone = r));
    await queue.add('job', {}, { jobId: `l${i}`, removeOnComplete: true });
    await seen;
    latencies.push(started.get(`l${i}`)! - at);
  }
  // Throughput: a burst of RUNS jobs.
  done = 0;
  const all = new Promise<void>((r) => (onDone = () => { if (done === RUNS) r(); }));
  const t0 = performance.now();
  await queue.addBulk(Array.from({ length: RUNS }, (_, i) => ({ name: 'job', data: {}, opts: { jobId: `j${i}`, removeOnComplete: true } })));
  await all;
  const ms = performance.now() - t0;
  await Promise.all(ws.map(stopWorker));
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  latencies.sort((a, b) => a - b);
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), perSecond: (RUNS * 1000) / ms };
}

const connector = {
  id: 'tiny',
  name: 'Tiny API',
  version: '1.0.0',
  base_url: '{{config.base_url}}',
  auth: { type: 'none' },
  streams: { items: { request: { method: 'GET', path: '/items' }, records: 'items', primary_key: 'id', pagination: { type: 'none' } } },
} as ConnectorDefinition;
const mapping: MappingDefinition = { id: 'tiny-items', connector: 'tiny', stream: 'items', entity: 'contacts', fields: { email: 'email' } };

async function switchboard(workers: number, api: string, dir: string): Promise<Figures> {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  // DATABASE_URL (e.g. a postgres:// URL) overrides the default SQLite file.
  const file = process.env['DATABASE_URL'] || join(dir, `queue-${workers}.db`);
  const setup = openDatabase(resolveDatabaseTarget(file));
  await migrate(setup);
  const registry = createRegistry(new Map([[connector.id, connector]]), new Map([[mapping.id, mapping]]));
  const key = randomBytes(32);
  const box = new SecretBox(key);
  const client = await Engine.open({ db: file, registry, box, logger: silentLogger(), queue: 'bullmq', redisUrl: REDIS_URL, queuePrefix: prefix, concurrency: 0 });
  // One connection per run: at most one run per connection and mapping is queued at a time.
  const ids: string[] = [];
  for (let i = 0; i < RUNS; i++) ids.push((await client.createConnection({ name: `${prefix}-c${i}`, connectorId: 'tiny', config: { base_url: api } })).id);
  const engines = await Promise.all(Array.from({ length: workers }, () => startWorker('switchboard', prefix, file, key)));
  const finished = async (runId: string): Promise<syncRuns.SyncRun> => {
    for (;;) {
      const run = await syncRuns.get(client.db, runId);
      if (run.status !== 'queued' && run.status !== 'running') return run;
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  // Latency on an idle queue: one run at a time, from the request to the run's start.
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const at = Date.now();
    const { run } = await client.requestRun({ connection: ids[i % ids.length]!, mapping: 'tiny-items', mode: 'full' });
    const done = await finished(run.id);
    latencies.push(Date.parse(done.startedAt ?? '') - at);
  }
  await client.db('sync_runs').delete();
  // Throughput: a burst of RUNS runs, each a whole pull run.
  const t0 = performance.now();
  // Asked for as an API under load would be: up to CONCURRENCY requests in flight.
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < ids.length) await client.requestRun({ connection: ids[next++]!, mapping: 'tiny-items', mode: 'full' });
  }));
  const askedMs = performance.now() - t0;
  for (;;) {
    const left = await syncRuns.list(client.db, { status: ['queued', 'running'], limit: 1 });
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  const failed = ((await client.db('sync_runs').whereNot('status', 'succeeded').count({ n: '*' }).first()) as { n: number }).n;
  if (Number(failed) > 0) console.log(`  (${failed} runs did not succeed)`);
  latencies.sort((a, b) => a - b);
  await Promise.all(engines.map(stopWorker));
  const q = new Queue('sync', { connection: { url: REDIS_URL }, prefix });
  await q.obliterate({ force: true });
  await q.close();
  await client.close();
  await setup.destroy();
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), perSecond: (RUNS * 1000) / ms, askedPerSecond: (RUNS * 1000) / askedMs };
}

async function main(): Promise<void> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"items":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const api = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-queue-bench-'));
  try {
    console.log(`queue: ${RUNS} runs, worker concurrency ${CONCURRENCY}, store: ${process.env['DATABASE_URL'] ? 'DATABASE_URL' : 'SQLite'}`);
    for (const workers of [1, 2]) {
      const bare = await bareBullmq(workers);
      const sb = await switchboard(workers, api, dir);
      console.log(`  ${workers} worker(s): bare BullMQ start p50 ${bare.p50} ms, p99 ${bare.p99} ms, ${Math.round(bare.perSecond)} jobs/s`);
      console.log(`               switchboard run start p50 ${sb.p50} ms, p99 ${sb.p99} ms, ${Math.round(sb.perSecond)} runs/s (each a full pull run; asked for at ${Math.round(sb.askedPerSecond ?? 0)}/s by one client, ${CONCURRENCY} requests at a time)`);
      console.log(`               ratios: p50 ${(sb.p50 / Math.max(bare.p50, 1)).toFixed(1)}x, throughput ${(sb.perSecond / bare.perSecond).toFixed(2)}`);
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

(values.worker === undefined ? main() : workerMain(values.worker)).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
