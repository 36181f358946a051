// Pull-sync throughput: N records, 100 per page, from a local HubSpot-style API (in its own
// process) into SQLite through a ten-field mapping with three transforms, beside
//   (a) the same fetches with no writes (the ceiling), and
//   (b) a hand-written script: fetch a page, map it with plain code, knex insert ... onConflict().merge()
//       in a transaction, repeat.
// Also: an incremental run with 100 changes over the same source, and peak memory at two sizes.
// Run: npm run bench:pull-sync [-- --records 100000]   (node --expose-gc, for the memory figures)
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Knex } from 'knex';
import { Engine } from '../core/engine';
import { createRegistry } from '../core/definitions';
import type { ConnectorDefinition } from '../core/generated/connector';
import type { MappingDefinition } from '../core/generated/mapping';
import { silentLogger } from '../core/logger';
import { SecretBox } from '../core/secrets';
import { openDatabase, resolveDatabaseTarget } from '../core/store/db';
import { migrate } from '../core/store/migrate';
import * as syncRuns from '../core/store/tables/sync-runs';

const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, child: { type: 'string' } } });

const connector: ConnectorDefinition = {
  id: 'bench-hub',
  name: 'Bench HubSpot-style API',
  version: '1.0.0',
  base_url: '{{config.base_url}}',
  auth: { type: 'bearer', token: '{{config.token}}' },
  streams: {
    contacts: {
      request: { method: 'GET', path: '/crm/v3/objects/contacts', query: { limit: 100 } },
      records: 'results',
      primary_key: 'id',
      pagination: { type: 'cursor', cursor_path: 'paging.next.after', cursor_param: 'after' },
      incremental: {
        cursor_field: 'properties.lastmodifieddate',
        request: {
          method: 'POST',
          path: '/crm/v3/objects/contacts/search',
          body: { filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '{{state.cursor}}' }] }], limit: 100 },
        },
        pagination: { type: 'cursor', cursor_path: 'paging.next.after', cursor_param: 'after', in: 'body' },
      },
    },
  },
} as ConnectorDefinition;

const mapping: MappingDefinition = {
  id: 'bench-contacts',
  connector: 'bench-hub',
  stream: 'contacts',
  entity: 'contacts',
  fields: {
    email: { path: 'properties.email', transform: ['trim', 'lowercase'] },
    first_name: 'properties.firstname',
    last_name: { path: 'properties.lastname', transform: ['trim'] },
    phone: 'properties.phone',
    title: 'properties.jobtitle',
    lifecycle_stage: 'properties.lifecyclestage',
    owner: 'properties.hubspot_owner_id',
    'custom.city': 'properties.city',
    'custom.score': { path: 'properties.hubspotscore', transform: ['number'] },
    'custom.source': 'properties.hs_analytics_source',
  },
};

/** The hand-written equivalent of the mapping above. */
function handMap(r: { id: string; properties: Record<string, string | null> }): Record<string, unknown> {
  const p = r.properties;
  return {
    email: p['email']?.trim().toLowerCase() ?? null,
    first_name: p['firstname'] ?? null,
    last_name: p['lastname']?.trim() ?? null,
    phone: p['phone'] ?? null,
    title: p['jobtitle'] ?? null,
    lifecycle_stage: p['lifecyclestage'] ?? null,
    owner: p['hubspot_owner_id'] ?? null,
    custom: JSON.stringify({ city: p['city'], score: Number(p['hubspotscore']), source: p['hs_analytics_source'] }),
  };
}

// --- the API, in a child process so it has its own core -------------------------------------
// HubSpot's wire format (list paged by `paging.next.after`, search by lastmodifieddate), with
// list pages serialized once up front so the API costs as little as a real one's network does.

interface Contact {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

async function childMain(n: number): Promise<void> {
  const since = Date.UTC(2024, 0, 1);
  const contacts: Contact[] = Array.from({ length: n }, (_, i) => {
    const id = String(i + 1);
    const at = new Date(since + i * 1000).toISOString();
    return {
      id,
      properties: {
        email: ` Contact${id}@Example.com`, firstname: `First${id}`, lastname: `Last${id} `, phone: `+1 555 ${id.padStart(7, '0')}`, jobtitle: 'Engineer',
        lifecyclestage: 'customer', hubspot_owner_id: String(i % 50), city: 'Paris', hubspotscore: String(i % 100), hs_analytics_source: 'ORGANIC_SEARCH', lastmodifieddate: at, hs_object_id: id,
      },
      createdAt: at, updatedAt: at, archived: false,
    };
  });
  let pages: string[] = [];
  const paginate = (list: Contact[]): string[] => {
    const out: string[] = [];
    for (let o = 0; o < list.length; o += 100) {
      const next = o + 100 < list.length ? { paging: { next: { after: String(o + 100) } } } : {};
      out.push(JSON.stringify({ results: list.slice(o, o + 100), ...next }));
    }
    return out;
  };
  pages = paginate(contacts);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      let body: string;
      if (req.method === 'POST' && url.pathname.endsWith('/search')) {
        const q = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { after?: string; filterGroups: { filters: { value: string }[] }[] };
        const bound = Date.parse(q.filterGroups[0]!.filters[0]!.value);
        const matched = contacts.filter((c) => Date.parse(c.properties['lastmodifieddate']!) >= bound).sort((a, b) => a.properties['lastmodifieddate']!.localeCompare(b.properties['lastmodifieddate']!));
        body = paginate(matched)[Number(q.after ?? 0) / 100] ?? JSON.stringify({ results: [] });
      } else {
        body = pages[Number(url.searchParams.get('after') ?? 0) / 100] ?? JSON.stringify({ results: [] });
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.send?.({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
  process.on('message', (m: { touch?: number }) => {
    // Modify `touch` records, stamped after everything else.
    const later = Date.UTC(2030, 0, 1);
    for (let i = 0; i < (m.touch ?? 0); i++) {
      const c = contacts[(i * 997) % contacts.length]!;
      c.properties['firstname'] = `Changed${i}`;
      c.properties['lastmodifieddate'] = c.updatedAt = new Date(later + i).toISOString();
    }
    pages = paginate(contacts);
    process.send?.({ touched: m.touch });
  });
}

function startApi(n: number): Promise<{ url: string; child: ChildProcess; touch(count: number): Promise<void> }> {
  const child = fork(__filename, ['--child', String(n)], { execArgv: ['--require', require.resolve('tsx/cjs')], stdio: 'inherit' });
  return new Promise((resolve) => {
    child.once('message', (m: { url: string }) =>
      resolve({
        url: m.url,
        child,
        touch: (count) => new Promise((r) => { child.once('message', () => r()); child.send({ touch: count }); }),
      }),
    );
  });
}

// --- the three contenders --------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function getJson(url: string): Promise<{ results: { id: string; properties: Record<string, string | null> }[]; paging?: { next?: { after: string } } }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers: { authorization: 'Bearer bench', accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function fetchOnly(base: string): Promise<number> {
  let after: string | undefined;
  let n = 0;
  do {
    const body = await getJson(`${base}/crm/v3/objects/contacts?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    n += body.results.length;
    after = body.paging?.next?.after;
  } while (after !== undefined);
  return n;
}

async function handWritten(base: string, knex: Knex): Promise<number> {
  let after: string | undefined;
  let n = 0;
  const now = new Date().toISOString();
  do {
    const body = await getJson(`${base}/crm/v3/objects/contacts?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    const rows = body.results.map((r) => ({ id: r.id.padStart(36, '0'), ...handMap(r), created_at: now, updated_at: now }));
    await knex.transaction(async (trx) => {
      await trx('contacts').insert(rows).onConflict('id').merge();
    });
    n += rows.length;
    after = body.paging?.next?.after;
  } while (after !== undefined);
  return n;
}

async function switchboardRun(engine: Engine, connection: string, mode: 'full' | 'incremental'): Promise<syncRuns.SyncRun> {
  const { run } = await syncRuns.requestRun(engine.db, { connectionId: connection, mappingId: 'bench-contacts', mode, trigger: 'cli' });
  await engine.executeRun(run.id, {});
  return syncRuns.get(engine.db, run.id);
}

function freshSqlite(dir: string, name: string): Knex {
  return openDatabase(resolveDatabaseTarget(join(dir, name)));
}

async function measure<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

const fmt = (v: number): string => Math.round(v).toLocaleString('en-US');

/**
 * What a full run of `n` records holds on to: the live heap, sampled right after a forced
 * garbage collection (run with --expose-gc, as `npm run bench:pull-sync` does), so lazy
 * collection does not pass for retention; and the peak RSS.
 */
async function memoryAt(n: number, dir: string, registry: ReturnType<typeof createRegistry>): Promise<{ heap: number; rss: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const api = await startApi(n);
  const db = freshSqlite(dir, `memory-${n}.db`);
  const engine = await Engine.open({ knex: db, registry, box: new SecretBox(randomBytes(32)), logger: silentLogger(), queue: 'memory', concurrency: 0 });
  try {
    const conn = await engine.createConnection({ name: 'memory', connectorId: 'bench-hub', config: { base_url: api.url, token: 'bench' } });
    gc?.();
    const base = process.memoryUsage();
    let heap = base.heapUsed;
    let rss = base.rss;
    const sampler = setInterval(() => {
      gc?.();
      const m = process.memoryUsage();
      heap = Math.max(heap, m.heapUsed);
      rss = Math.max(rss, m.rss);
    }, 50);
    await switchboardRun(engine, conn.id, 'full');
    clearInterval(sampler);
    return { heap: heap - base.heapUsed, rss: rss - base.rss };
  } finally {
    await engine.close();
    await db.destroy();
    api.child.kill();
  }
}

async function main(): Promise<void> {
  const n = Number(values.records);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const api = await startApi(n);
  try {
    const registry = createRegistry(new Map([[connector.id, connector]]), new Map([[mapping.id, mapping]]));
    await fetchOnly(api.url); // warm up both processes

    const ceiling = await measure(() => fetchOnly(api.url));

    const handDb = freshSqlite(dir, 'hand.db');
    await migrate(handDb);
    const hand = await measure(() => handWritten(api.url, handDb));
    await handDb.destroy();

    const sbDb = freshSqlite(dir, 'switchboard.db');
    const engine = await Engine.open({ knex: sbDb, registry, box: new SecretBox(randomBytes(32)), logger: silentLogger(), queue: 'memory', concurrency: 0 });
    const conn = await engine.createConnection({ name: 'bench', connectorId: 'bench-hub', config: { base_url: api.url, token: 'bench' } });
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    const full = await measure(() => switchboardRun(engine, conn.id, 'full'));
    clearInterval(sampler);
    await api.touch(100);
    const inc = await measure(() => switchboardRun(engine, conn.id, 'incremental'));
    await engine.close();
    await sbDb.destroy();

    const rate = (count: number, ms: number): number => (count * 1000) / ms;
    const r = { ceiling: rate(ceiling.value, ceiling.ms), hand: rate(hand.value, hand.ms), sb: rate(full.value.counts.records_read, full.ms) };
    console.log(`pull sync into SQLite: ${fmt(n)} records, 100 per page, ten-field mapping with three transforms`);
    console.log(`  (a) fetch only, no writes (ceiling)   ${fmt(r.ceiling).padStart(8)} records/s  (${fmt(ceiling.ms)} ms)`);
    console.log(`  (b) hand-written fetch+map+knex loop  ${fmt(r.hand).padStart(8)} records/s  (${fmt(hand.ms)} ms)`);
    console.log(`  switchboard full run                  ${fmt(r.sb).padStart(8)} records/s  (${fmt(full.ms)} ms; ${full.value.status}, ${fmt(full.value.counts.records_created)} created)`);
    console.log(`  ratios: switchboard / hand-written = ${(r.sb / r.hand).toFixed(2)}x; switchboard / ceiling = ${(r.sb / r.ceiling).toFixed(2)}`);
    console.log(`  incremental run, 100 changes: ${fmt(inc.ms)} ms = ${((inc.ms / full.ms) * 100).toFixed(1)}% of the full run (${inc.value.counts.records_read} read, ${inc.value.counts.records_updated} updated, ${inc.value.counts.requests} requests)`);
    console.log(`  memory: rss ${fmt(rss0 / 1048576)} MiB before the full run, peak ${fmt(peak / 1048576)} MiB during it`);
    const small = await memoryAt(Math.max(1, Math.round(n / 10)), dir, registry);
    const large = await memoryAt(n, dir, registry);
    const mib = (b: number): string => (b / 1048576).toFixed(0);
    const how = (globalThis as { gc?: unknown }).gc === undefined ? 'peak heap (run with --expose-gc for live heap)' : 'live heap after GC';
    console.log(`  memory during a full run, ${how}: ${fmt(n / 10)} records +${mib(small.heap)} MiB (rss +${mib(small.rss)}); ${fmt(n)} records +${mib(large.heap)} MiB (rss +${mib(large.rss)})`);
  } finally {
    api.child.kill();
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.child !== undefined) void childMain(Number(values.child));
else main().catch((err: unknown) => { console.error(err); process.exitCode = 1; });
