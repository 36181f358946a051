// The quick start (`npm run demo`): a local HubSpot-style API, a connection to it, full and
// incremental syncs of companies, contacts and deals into the embedded SQLite store, changes at
// the API in between, and what to look at next. No Redis, no PostgreSQL, no network.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Engine } from '../core/engine';
import { silentLogger } from '../core/logger';
import * as syncRuns from '../core/store/tables/sync-runs';
import { hubspotCompanies, hubspotDeals, hubspotPeople, isoNow, startHubSpot, type HubSpotRecord, type MockApi } from './mock-apis';

const TOKEN = 'pat-demo-0000-0000';
const CONNECTION = 'hubspot-demo';
const MAPPINGS = ['hubspot-companies', 'hubspot-contacts', 'hubspot-deals'] as const;
const COLUMNS = ['read', 'created', 'updated', 'unchanged', 'deleted', 'rejected'] as const;
/** The repository: its connectors/ and mappings/ are the ones the demo runs, from wherever it is started. */
const ROOT = resolve(__dirname, '..');

interface Options {
  db: string;
  keepRunning: boolean;
}

function parseOptions(argv: readonly string[], cwd: string): Options {
  let db = join(cwd, 'data', 'demo.db');
  let keepRunning = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--db' && argv[i + 1] !== undefined) db = resolve(cwd, argv[++i]!);
    else if (arg === '--keep-running') keepRunning = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('Usage: npm run demo [-- --db FILE] [-- --keep-running]\n\n  --db FILE         the SQLite file to create (default data/demo.db; replaced on every run)\n  --keep-running    leave the example API running, to try the CLI against it\n');
      process.exit(0);
    } else throw new Error(`unknown option ${arg} (try --help)`);
  }
  return { db, keepRunning };
}

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const n = (v: number): string => v.toLocaleString('en-US');

/** One run of a mapping in this process, as `switchboard sync` does it; returns the finished run. */
async function run(engine: Engine, connectionId: string, mapping: string, mode: syncRuns.RunMode): Promise<syncRuns.SyncRun> {
  const { run } = await engine.requestRun({ connection: connectionId, mapping, direction: 'pull', mode, trigger: 'cli', enqueue: false });
  return engine.runs.drive(run.id);
}

function table(title: string, runs: syncRuns.SyncRun[]): void {
  const head = ['mapping', ...COLUMNS, 'requests', 'time'];
  const rows = runs.map((r) => {
    const c = r.counts;
    const counts = { read: c.records_read, created: c.records_created, updated: c.records_updated, unchanged: c.records_unchanged, deleted: c.records_deleted, rejected: c.records_rejected };
    return [r.mappingId, ...COLUMNS.map((k) => n(counts[k])), n(c.requests), `${((r.durationMs ?? 0) / 1000).toFixed(2)}s`];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`;
  out(title);
  out(line(head));
  out(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) out(line(row));
  const failed = runs.filter((r) => r.status !== 'succeeded');
  for (const r of failed) out(`  ! ${r.mappingId} ${r.status}: ${r.error?.code ?? ''} ${r.error?.message ?? ''}`);
  if (failed.length > 0) throw new Error('a sync failed');
  out();
}

/** Changes a record the way HubSpot does: new property values, a new modification time. */
function edit(record: HubSpotRecord, props: Record<string, string | null>): void {
  const now = isoNow();
  Object.assign(record.properties, props, record.properties['lastmodifieddate'] !== undefined ? { lastmodifieddate: now } : { hs_lastmodifieddate: now });
  record.updatedAt = now;
}

/** Some changes at the API between the runs; returns what was done, in words. */
function changeTheSource(companies: HubSpotRecord[], contacts: HubSpotRecord[], deals: HubSpotRecord[]): string[] {
  edit(companies[0]!, { name: `${companies[0]!.properties['name']} Holdings` });
  edit(companies[1]!, { industry: 'RETAIL' });
  for (const c of contacts.slice(10, 15)) edit(c, { jobtitle: 'VP Partnerships' });
  const added = hubspotPeople(303, companies).slice(300).map((c, i) => ({ ...c, id: String(9001 + i) }));
  for (const c of added) edit(c, { hs_object_id: c.id });
  contacts.push(...added);
  contacts[20]!.archived = true;
  edit(contacts[20]!, {});
  for (const d of deals.slice(0, 4)) edit(d, { dealstage: 'closedwon' });
  const newDeals = hubspotDeals(2, added, undefined, companies).map((d, i) => ({ ...d, id: String(7001 + i) }));
  for (const d of newDeals) edit(d, { hs_object_id: d.id });
  deals.push(...newDeals);
  deals[10]!.archived = true;
  return ['2 companies edited', '5 contacts edited', '3 contacts added', '1 contact archived', '4 deals won', '2 deals added (for new contacts)', '1 deal archived'];
}

async function sample(engine: Engine): Promise<void> {
  const counts = await Promise.all(['companies', 'contacts', 'deals'].map(async (t) => Number(((await engine.db(t).whereNull('deleted_at').count({ n: '*' })) as { n: number }[])[0]!.n)));
  out(`In the store: ${n(counts[0]!)} companies, ${n(counts[1]!)} contacts and ${n(counts[2]!)} deals (live records). Some deals, with the contact and company they reference:`);
  const rows = (await engine
    .db('deals as d')
    .leftJoin('contacts as c', 'c.id', 'd.contact_id')
    .leftJoin('companies as co', 'co.id', 'd.company_id')
    .whereNull('d.deleted_at')
    .orderBy('d.updated_at', 'desc')
    .limit(5)
    .select('d.name', 'd.amount', 'd.currency', 'd.stage', 'c.first_name', 'c.last_name', 'co.name as company')) as Record<string, string | number | null>[];
  for (const r of rows) {
    out(`  ${String(r['name']).padEnd(32)} ${`${n(Number(r['amount']))} ${r['currency']}`.padStart(11)}  ${String(r['stage']).padEnd(22)} ${`${r['first_name']} ${r['last_name']}`.padEnd(18)} ${r['company']}`);
  }
  out();
}

function next(dbFile: string, configFile: string, api: MockApi | undefined): void {
  const db = relative(process.cwd(), dbFile);
  out('Where to look next');
  out(`  The API (management, runs, and the CRM records at /crm/...):  npm start -- --db ${db}`);
  out('    then open http://127.0.0.1:8080/docs (the first start prints the admin client\'s credentials)');
  out('  The command line:');
  out('    npx switchboard --help');
  out('    npx switchboard validate                     (checks connectors/ and mappings/)');
  if (api !== undefined) {
    out(`    npx switchboard check hubspot --config ${relative(process.cwd(), configFile)}`);
    out(`    npx switchboard sync hubspot-contacts --config ${relative(process.cwd(), configFile)} --connection ${CONNECTION} --db ${db}`);
  } else {
    out('    npm run demo -- --keep-running               (keeps the example API up to try check and sync against it)');
  }
  out('  The data:');
  out(`    sqlite3 ${db} "select name, domain, industry from companies limit 5"`);
  out(`    sqlite3 ${db} "select d.name, d.amount, c.email, co.name from deals d join contacts c on c.id = d.contact_id join companies co on co.id = d.company_id limit 5"`);
  out(`    sqlite3 ${db} "select mapping_id, mode, status, records_read, records_created, records_updated, records_deleted from sync_runs order by created_at"`);
  out('  Your own API: docs/writing-a-connector.md; the shipped connectors: connectors/, mappings/');
}

async function main(): Promise<void> {
  const cwd = process.cwd();
  const options = parseOptions(process.argv.slice(2), cwd);
  const started = Date.now();
  mkdirSync(dirname(options.db), { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${options.db}${suffix}`, { force: true });

  const companies = hubspotCompanies(40);
  const contacts = hubspotPeople(300, companies);
  const deals = hubspotDeals(120, contacts, undefined, companies);
  // As HubSpot does: searches leave archived records out, and the ten-second budget is enforced.
  const api = await startHubSpot({ objects: { companies, contacts, deals }, token: TOKEN, archivedInSearch: false, enforceLimits: true });
  const configFile = join(dirname(options.db), 'demo-hubspot.json');
  writeFileSync(configFile, `${JSON.stringify({ access_token: TOKEN, base_url: api.url }, null, 2)}\n`);
  const engine = await Engine.open({ db: options.db, cwd, connectorsDir: join(ROOT, 'connectors'), mappingsDir: join(ROOT, 'mappings'), queue: 'memory', concurrency: 0, logger: silentLogger() });
  try {
    out('Switchboard quick start');
    out('=======================');
    out();
    out(`1. Started an example HubSpot API at ${api.url} (examples/mock-apis: the paths, pages,`);
    out('   search, associations and rate limits of api.hubapi.com) with 40 companies, 300 contacts and 120 deals.');
    const connection = await engine.createConnection({ name: CONNECTION, connectorId: 'hubspot', config: { access_token: TOKEN, base_url: api.url } });
    out(`2. Opened the embedded SQLite store ${relative(cwd, options.db)} and created the connection "${CONNECTION}"`);
    out('   to connectors/hubspot.json (its access token encrypted at rest).');
    out();

    const full: syncRuns.SyncRun[] = [];
    for (const m of MAPPINGS) full.push(await run(engine, connection.id, m, 'full'));
    table('3. Full sync: everything, in pages of 100', full);

    out(`4. Changes at the API: ${changeTheSource(companies, contacts, deals).join(', ')}.`);
    out();
    const incremental: syncRuns.SyncRun[] = [];
    for (const m of MAPPINGS) incremental.push(await run(engine, connection.id, m, 'incremental'));
    table('5. Incremental sync: only what changed since the last run', incremental);
    out('   Companies and contacts: one search request each (modified since the last run, minus a minute).');
    out("   Deals: read in full, with their associations, which HubSpot's search does not return.");
    out("   The archived contact is not in HubSpot's search results: the next full run finds it gone.");
    out();
    table('6. Full sync of contacts: mark and sweep removes what the API no longer lists', [await run(engine, connection.id, 'hubspot-contacts', 'full')]);
    await sample(engine);
    out(`Done in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
    out();
    next(options.db, configFile, options.keepRunning ? api : undefined);
  } finally {
    await engine.close();
    if (!options.keepRunning) await api.close();
  }
  if (options.keepRunning) {
    out();
    out(`The example API keeps running at ${api.url}; Ctrl-C to stop it.`);
    process.once('SIGINT', () => void api.close().then(() => process.exit(0)));
  } else if (!existsSync(options.db)) {
    throw new Error(`the store ${options.db} was not created`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
