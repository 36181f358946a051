// Load on `GET /crm/contacts/:id` (1,000 contacts, requested in turn) with a bearer token, on
// SQLite, next to fastify's plain hello-world measured in the same run on the same machine:
// requests/s and p99 of each, and the ratio; plus GET /mappings, the same API layer without the
// database. Each server runs in its own child process, all started first and then loaded in
// turn, slice after slice; the load comes from this one over loopback keep-alive connections,
// for a bounded time (about 1.2 x seconds x 3, plus start-up).
// Run: npm run bench:api [-- --seconds 10 --connections 32 --json]
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface Target {
  port: number;
  /** Requested in turn (many records, so no two concurrent requests need be for the same one). */
  paths: string[];
  headers: Record<string, string>;
}

interface Result {
  name: string;
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

// --- the servers (child processes) ----------------------------------------------------------

/** Contacts in the store; requests go through them in turn. */
const RECORDS = 1000;

async function helloServer(): Promise<Target> {
  const { default: fastify } = await import('fastify');
  const app = fastify({ logger: false });
  app.get('/', async () => ({ hello: 'world' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as { port: number }).port, paths: ['/'], headers: {} };
}

async function switchboardServer(dir: string, route: 'contact' | 'mappings'): Promise<Target> {
  const { Engine } = await import('../core/engine');
  const { createRegistry } = await import('../core/definitions');
  const { silentLogger } = await import('../core/logger');
  const { SecretBox } = await import('../core/secrets');
  const { openDatabase, resolveDatabaseTarget } = await import('../core/store/db');
  const crm = await import('../core/store/crm');
  const apiClients = await import('../core/store/tables/api-clients');
  const { buildApp } = await import('../server/app');
  mkdirSync(dir, { recursive: true });
  const knex = openDatabase(resolveDatabaseTarget(join(dir, 'bench.db')));
  const engine = await Engine.open({ knex, registry: createRegistry(new Map(), new Map()), box: new SecretBox(randomBytes(32)), logger: silentLogger(), concurrency: 0, queue: 'memory' });
  // Rate limiting stays on (its cost is part of every request), with a ceiling this load never reaches.
  const app = await buildApp(engine, { rateLimit: { max: 1e9, timeWindowMs: 60_000 }, redisUrl: '' });
  const ids: string[] = [];
  for (let i = 0; i < RECORDS; i++) ids.push((await crm.create(knex, 'contacts', { first_name: `Ada ${i}`, last_name: 'Lovelace', email: `ada${i}@example.com`, custom: { score: i } })).id);
  const { client, clientSecret } = await apiClients.create(knex, { name: 'bench', scopes: ['crm:read', 'definitions:read'] });
  const tokenRes = await app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: clientSecret } });
  const token = (tokenRes.json() as { access_token: string }).access_token;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const paths = route === 'contact' ? ids.map((id) => `/crm/contacts/${id}`) : ['/mappings'];
  return { port: (app.server.address() as { port: number }).port, paths, headers: { authorization: `Bearer ${token}` } };
}

async function child(kind: string, dir: string): Promise<void> {
  const target = kind === 'hello' ? await helloServer() : await switchboardServer(dir, kind === 'mappings' ? 'mappings' : 'contact');
  process.send!(target);
}

// --- the load (this process) ----------------------------------------------------------------

function startServer(kind: string, dir: string): Promise<{ proc: ChildProcess; target: Target }> {
  return new Promise((resolve, reject) => {
    const proc = fork(__filename, ['--child', kind, '--dir', dir], { execArgv: process.execArgv, stdio: 'inherit' });
    proc.once('message', (target) => resolve({ proc, target: target as Target }));
    proc.once('exit', (code) => reject(new Error(`${kind} server exited with ${String(code)}`)));
  });
}

interface Sample {
  latencies: number[];
  errors: number;
  seconds: number;
}

/** Loads one server for `seconds` (after a short warm-up) and keeps its latencies. */
async function slice(target: Target, seconds: number, connections: number, into: Sample): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let measuring = false;
  let stop = false;
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const path = target.paths[next++ % target.paths.length]!;
      const started = process.hrtime.bigint();
      const req = http.get({ host: '127.0.0.1', port: target.port, path, headers: target.headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (measuring) {
            if (res.statusCode === 200) into.latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            else into.errors += 1;
          }
          resolve();
        });
      });
      req.on('error', () => {
        if (measuring) into.errors += 1;
        resolve();
      });
    });
  const worker = async (): Promise<void> => {
    while (!stop) await one();
  };
  const workers = Array.from({ length: connections }, worker);
  await new Promise((r) => setTimeout(r, 300)); // warm-up: connections, caches
  measuring = true;
  const began = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  into.seconds += Number(process.hrtime.bigint() - began) / 1e9;
  stop = true;
  await Promise.all(workers);
  agent.destroy();
}

function summary(name: string, sample: Sample): Result {
  const sorted = [...sample.latencies].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { name, requests: sorted.length, errors: sample.errors, rps: sorted.length / sample.seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** Slices of each server in turn, round after round, so a machine busy with other work weighs on all of them alike. */
async function load(targets: ReadonlyArray<{ name: string; target: Target }>, seconds: number, connections: number): Promise<Result[]> {
  const samples = targets.map(() => ({ latencies: [] as number[], errors: 0, seconds: 0 }));
  for (const t of targets) await slice(t.target, 1, connections, { latencies: [], errors: 0, seconds: 0 }); // JIT warm-up, not counted
  const rounds = Math.max(1, Math.round(seconds / 2));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < targets.length; i++) await slice(targets[i]!.target, seconds / rounds, connections, samples[i]!);
  }
  return targets.map((t, i) => summary(t.name, samples[i]!));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' }, json: { type: 'boolean' }, child: { type: 'string' }, dir: { type: 'string' } } });
  if (values.child !== undefined) return child(values.child, values.dir!);
  const seconds = Math.min(60, Math.max(1, Number(values.seconds)));
  const connections = Math.min(256, Math.max(1, Number(values.connections)));
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-api-'));
  const servers: ChildProcess[] = [];
  let results: Result[];
  try {
    // GET /mappings answers from memory: the same token check, rate limit, metrics and logging
    // without the database, which tells the API layer's cost from the store's.
    const targets: Array<{ name: string; target: Target }> = [];
    for (const [kind, name] of [['hello', 'fastify hello-world'], ['contact', 'GET /crm/contacts/:id'], ['mappings', 'GET /mappings (no database)']] as const) {
      const { proc, target } = await startServer(kind, join(dir, kind));
      servers.push(proc);
      targets.push({ name, target });
    }
    results = await load(targets, seconds, connections);
  } finally {
    for (const proc of servers) {
      proc.removeAllListeners('exit');
      proc.kill('SIGTERM');
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const [hello, api, memory] = results as [Result, Result, Result];
  const ratio = { rps: api.rps / hello.rps, p99: api.p99Ms / hello.p99Ms, noDatabaseRps: memory.rps / hello.rps };
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ seconds, connections, results, ratio }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${seconds} s per server, in 2 s slices taken in turn, ${connections} keep-alive connections over loopback\n\n`);
  for (const r of results) {
    process.stdout.write(`${r.name.padEnd(28)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50Ms.toFixed(2)} ms   p99 ${r.p99Ms.toFixed(2)} ms   (${r.requests} requests, ${r.errors} errors)\n`);
  }
  process.stdout.write(`\nGET /crm/contacts/:id / hello-world: ${(ratio.rps * 100).toFixed(0)}% of the requests/s, p99 x${ratio.p99.toFixed(2)}\n`);
  process.stdout.write(`GET /mappings / hello-world: ${(ratio.noDatabaseRps * 100).toFixed(0)}% of the requests/s\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:api failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
