// A sync process killed with SIGKILL mid-run, then run again: the run resumes from its last
// committed page (earlier pages are not fetched again) and the result is exact.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db';
import { runCli } from '../helpers/cli';
import { fixtureArgs } from '../helpers/e2e';
import { hubspotContacts, startHubSpot, type MockApi } from '../../examples/mock-apis';
import * as syncRuns from '../../core/store/tables/sync-runs';
import * as syncState from '../../core/store/tables/sync-state';

const ROOT = join(__dirname, '..', '..');

describe('a sync killed mid-run', () => {
  let db: TestDatabase;
  let api: MockApi;
  let dir: string;
  const source = hubspotContacts(2000);

  beforeAll(async () => {
    db = await createMigratedDatabase('sqlite');
    // Every page answers after 40 ms, so the run is still going when it is killed.
    api = await startHubSpot({ objects: { contacts: source }, token: 'pat-kill', faults: () => ({ delayMs: 40 }) });
    dir = mkdtempSync(join(tmpdir(), 'switchboard-kill-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ access_token: 'pat-kill', base_url: api.url }));
  });
  afterAll(async () => {
    await api.close();
    await db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const args = () => ['sync', 'crm-hub-contacts', ...fixtureArgs(join(dir, 'config.json'), db.url), '--full', '--json'];

  it('resumes from the checkpoint without refetching earlier pages, and ends exact', async () => {
    const env = { ...process.env, SWITCHBOARD_SECRET_KEY: 'b'.repeat(64) };
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), join(ROOT, 'test', 'helpers', 'cli-entry.ts'), ...args()], { cwd: dir, env, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 30_000;
    while (api.requests.length < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const [killed] = await syncRuns.list(db.knex, {});
    expect(killed?.status).toBe('running');
    const committed = killed!.counts.pages;
    expect(committed).toBeGreaterThanOrEqual(3);
    expect(committed).toBeLessThan(20);
    const state = await syncState.load(db.knex, { connectionId: killed!.connectionId, mappingId: 'crm-hub-contacts' });
    expect(state.checkpointRunId).toBe(killed!.id);

    const before = api.requests.length;
    const again = await runCli(args(), { cwd: dir, env: { SWITCHBOARD_SECRET_KEY: 'b'.repeat(64) } });
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout) as { run_id: string; status: string; records: Record<string, number>; pages: number };
    // The same run, finished: every record exactly once, over exactly 20 committed pages.
    expect(summary).toMatchObject({ run_id: killed!.id, status: 'succeeded', records: { read: 2000, created: 2000, updated: 0, rejected: 0 }, pages: 20 });
    const resumed = api.requests.slice(before);
    expect(resumed.every((r) => r.query.get('after') !== null)).toBe(true); // never the first page again
    expect(resumed).toHaveLength(20 - committed);
    const rows = (await db.knex('contacts').count({ n: '*' }).first()) as { n: number };
    expect(Number(rows.n)).toBe(2000);
    const emails = (await db.knex('contacts').countDistinct({ n: 'email' }).first()) as { n: number };
    expect(Number(emails.n)).toBe(2000);
  });
});
