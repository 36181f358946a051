// Child-stream throughput: 10,000 parents, one child request each, 20 ms of API latency per
// request, a declared limit of 200 requests per second (concurrency 8). A Switchboard full run
// into SQLite must reach at least 80% of the declared limit; beside it, a sequential loop
// (fetch a parent page, then each parent's notes one after the other, write them with knex)
// measured in the same run over the first 1,000 parents. The API runs in its own process.
// Run: npm run bench:child-streams [-- --parents 10000 --latency 20 --limit 200]
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
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
  options: { parents: { type: 'string', default: '10000' }, latency: { type: 'string', default: '20' }, limit: { type: 'string', default: '200' }, sequential: { type: 'string', default: '1000' }, child: { type: 'string' } },
});
const PARENTS = Number(values.parents);
const LATENCY = Number(values.latency);
const LIMIT = Number(values.limit);

function connector(limit: number): ConnectorDefinition {
  return {
    id: 'bench-notes',
    name: 'Bench: notes per contact',
    base_url: '{{config.base_url}}',
    rate_limit: { requests: limit, per_seconds: 1, concurrency: 8 },
    streams: {
      contacts: { request: { path: '/contacts' }, records: 'data', primary_key: 'id', pagination: { type: 'cursor', cursor_path: 'next', cursor_param: 'after' } },
      notes: { parent: { stream: 'contacts' }, request: { path: '/contacts/{{parent.id}}/notes' }, records: 'data', primary_key: 'id' },
    },
  } as ConnectorDefinition;
}

const mapping: MappingDefinition = {
  id: 'bench-notes',
  connector: 'bench-notes',
  stream: 'notes',
  entity: 'activities',
  fields: {
    type: { value: 'note' },
    body: 'text',
    occurred_at: 'created_at',
    'custom.contact': { path: 'id', from: 'parent' },
  },
};

// --- the API, in a child process ----------------------------------------------------------------

async function childMain(n: number, latency: number): Promise<void> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let body: string;
    const notes = /^\/contacts\/(\d+)\/notes$/.exec(url.pathname);
    if (notes !== null) {
      body = JSON.stringify({ data: [{ id: `n${notes[1]}`, text: `Note on contact ${notes[1]}`, created_at: '2024-01-01T00:00:00Z' }] });
    } else {
      const after = Number(url.searchParams.get('after') ?? 0);
      const data = Array.from({ length: Math.max(0, Math.min(100, n - after)) }, (_, i) => ({ id: String(after + i + 1), name: `Contact ${after + i + 1}` }));
      body = JSON.stringify({ data, next: after + 100 < n ? String(after + 100) : null });
    }
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }, latency);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.send?.({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
}

function startApi(): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(__filename, ['--child', '1', '--parents', String(PARENTS), '--latency', String(LATENCY)], { execArgv: ['--require', require.resolve('tsx/cjs')], stdio: 'inherit' });
  return new Promise((resolve) => child.once('message', (m: { url: string }) => resolve({ url: m.url, child })));
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function getJson(url: string): Promise<{ data: Array<Record<string, string>>; next?: string | null }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The plain loop: a parent page, then each parent's notes one after the other, written per parent page. */
async function sequential(base: string, dir: string, parents: number): Promise<{ ms: number; requests: number }> {
  const knex = openDatabase(resolveDatabaseTarget(join(dir, 'sequential.db')));
  await migrate(knex);
  const t0 = performance.now();
  let requests = 0;
  let after: string | null | undefined;
  let done = 0;
  const now = new Date().toISOString();
  do {
    const page = await getJson(`${base}/contacts${after ? `?after=${after}` : ''}`);
    requests += 1;
    const rows: Record<string, unknown>[] = [];
    for (const contact of page.data) {
      if (done >= parents) break;
      const notes = await getJson(`${base}/contacts/${contact['id']}/notes`);
      requests += 1;
      done += 1;
      for (const n of notes.data) rows.push({ id: n['id']!.padStart(36, '0'), type: 'note', body: n['text'], occurred_at: n['created_at'], custom: JSON.stringify({ contact: contact['id'] }), created_at: now, updated_at: now });
    }
    if (rows.length > 0) await knex.transaction((trx) => trx('activities').insert(rows).onConflict('id').merge());
    after = page.next;
  } while (after !== null && after !== undefined && done < parents);
  const ms = performance.now() - t0;
  await knex.destroy();
  return { ms, requests };
}

async function main(): Promise<void> {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const api = await startApi();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-child-'));
  try {
    console.log(`child stream into SQLite: ${PARENTS.toLocaleString('en-US')} parents, one child request each, ${LATENCY} ms of API latency per request, declared limit ${LIMIT} requests/s (concurrency 8); load average ${load}`);
    const seq = await sequential(api.url, dir, Math.min(PARENTS, Number(values.sequential)));
    const seqRate = seq.requests / (seq.ms / 1000);
    console.log(`  sequential loop (first ${Math.min(PARENTS, Number(values.sequential)).toLocaleString('en-US')} parents)   ${seqRate.toFixed(1)} requests/s  (${seq.requests.toLocaleString('en-US')} requests in ${Math.round(seq.ms)} ms)`);

    const knex = openDatabase(resolveDatabaseTarget(join(dir, 'switchboard.db')));
    const registry = createRegistry(new Map([['bench-notes', connector(LIMIT)]]), new Map([['bench-notes', mapping]]));
    const engine = await Engine.open({ knex, registry, box: new SecretBox(randomBytes(32)), logger: silentLogger(), queue: 'memory', concurrency: 0 });
    try {
      const conn = await engine.createConnection({ name: 'bench', connectorId: 'bench-notes', config: { base_url: api.url } });
      const { run } = await syncRuns.requestRun(engine.db, { connectionId: conn.id, mappingId: 'bench-notes', mode: 'full', trigger: 'cli' });
      const t0 = performance.now();
      await engine.executeRun(run.id, {});
      const ms = performance.now() - t0;
      const done = await syncRuns.get(engine.db, run.id);
      const rate = done.counts.requests / (ms / 1000);
      console.log(`  switchboard full run                  ${rate.toFixed(1)} requests/s  (${done.counts.requests.toLocaleString('en-US')} requests in ${Math.round(ms)} ms; ${done.status}, ${done.counts.records_created.toLocaleString('en-US')} created)`);
      console.log(`  ratios: switchboard / declared limit = ${((100 * rate) / LIMIT).toFixed(1)}% (at least 80% wanted); switchboard / sequential = ${(rate / seqRate).toFixed(2)}x; load average after ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      if (done.status !== 'succeeded' || done.counts.records_created !== PARENTS) process.exitCode = 1;
    } finally {
      await engine.close();
      await knex.destroy();
    }
  } finally {
    api.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.child !== undefined) void childMain(PARENTS, LATENCY);
else
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
