// A full run that looks truncated must not sweep: one that reads far fewer records than the last
// full run (the mapping's `sweep_min_ratio`, default 0.5) still succeeds with what it wrote, but
// deletes nothing and says why in its warnings; one over the threshold sweeps. The reference
// count lives in the sync state, and a skipped run never becomes it. On both databases.
import { DIALECTS } from '../helpers/db';
import { runCli } from '../helpers/cli';
import { fixtureArgs, startEngineE2e, startHubSpotE2e, type EngineE2e, type HubSpotE2e } from '../helpers/e2e';
import * as syncRuns from '../../core/store/tables/sync-runs';
import * as syncState from '../../core/store/tables/sync-state';
import { lastFullRun } from '../../core/sync/sweep';

describe.each(DIALECTS)('the sweep of a full run that looks truncated on %s', (dialect) => {
  let e: EngineE2e;
  beforeAll(async () => {
    e = await startEngineE2e(dialect, { records: 1000 });
  });
  afterAll(async () => e.close());

  const reference = async () => lastFullRun((await syncState.load(e.db.knex, { connectionId: e.connectionId, mappingId: 'crm-hub-contacts' })).state);

  it('a full run that reads 10% of the last one does not sweep; one over the threshold does', async () => {
    const first = await e.run('full');
    expect(first).toMatchObject({ status: 'succeeded', counts: { records_created: 1000 }, warnings: [] });
    expect(await reference()).toMatchObject({ records: 1000, run_id: first.id });

    // The API answers with 10% of the contacts (a truncated answer looks just like this).
    const all = e.source.splice(0, e.source.length);
    e.source.push(...all.slice(0, 100));
    const truncated = await e.run('full');
    expect(truncated).toMatchObject({ status: 'succeeded', counts: { records_read: 100, records_deleted: 0 } });
    expect(truncated.warnings).toEqual([
      {
        code: 'sweep_skipped',
        message: expect.stringContaining('this full run read 100 records, fewer than 50% of the 1000 the last full run'),
        details: { read: 100, last_full_run_read: 1000, last_full_run: first.id, sweep_min_ratio: 0.5 },
      },
    ]);
    expect(await e.liveContacts()).toBe(1000);
    // The skipped run is not the new reference: a second truncated run is weighed against 1,000 too.
    expect(await reference()).toMatchObject({ records: 1000, run_id: first.id });
    expect((await e.run('full')).warnings.map((w) => w.code)).toEqual(['sweep_skipped']);
    expect(await e.liveContacts()).toBe(1000);

    // 600 of the 1,000 (60%, over the threshold): the 400 others are gone, and swept.
    e.source.push(...all.slice(100, 600));
    const over = await e.run('full');
    expect(over).toMatchObject({ status: 'succeeded', counts: { records_read: 600, records_deleted: 400 }, warnings: [] });
    expect(await e.liveContacts()).toBe(600);
    expect(await reference()).toMatchObject({ records: 600, run_id: over.id });

    // Incremental runs never sweep, never warn, and leave the reference alone.
    expect(await e.run('incremental')).toMatchObject({ status: 'succeeded', warnings: [] });
    expect(await reference()).toMatchObject({ records: 600, run_id: over.id });
  });

  it('a run resumed after a failed attempt counts the records of all its attempts', async () => {
    const before = await reference();
    const { run } = await e.engine.requestRun({ connection: e.connectionId, mapping: 'crm-hub-contacts', mode: 'full' });
    // Page 4 fails every try of the first attempt: the run goes back to the queue after 300 records.
    e.proxy.use((req) => (req.page === 4 ? { status: 503, body: { message: 'down' } } : undefined));
    expect(await e.engine.executeRun(run.id, {})).toMatchObject({ next: 'again' });
    expect(await syncRuns.get(e.db.knex, run.id)).toMatchObject({ status: 'queued', counts: { records_read: 300 }, error: { code: 'SB_HTTP_RETRIES_EXHAUSTED' } });
    // The second attempt resumes at page 4 and reads 300 more: 600 in all, as many as the reference.
    e.proxy.use();
    await e.engine.executeRun(run.id, {});
    expect(await syncRuns.get(e.db.knex, run.id)).toMatchObject({ status: 'succeeded', counts: { records_read: 600, records_deleted: 0 }, warnings: [] });
    expect(await reference()).toMatchObject({ records: before!.records, run_id: run.id });
    expect(await e.liveContacts()).toBe(600);
  });
});

describe('switchboard sync and a skipped sweep', () => {
  let e: HubSpotE2e;
  beforeAll(async () => {
    e = await startHubSpotE2e('sqlite', { records: 300, token: 'pat-guard', secretKey: 'd'.repeat(64) });
  });
  afterAll(async () => e.close());

  it('--json and the summary line say the sweep was skipped, and why', async () => {
    expect((await e.cli('sync', 'crm-hub-contacts', '--full')).code).toBe(0);
    e.source.splice(20);
    const json = await e.cli('sync', 'crm-hub-contacts', '--full');
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout) as { status: string; records: Record<string, number>; warnings: { code: string; message: string }[] };
    expect(summary).toMatchObject({ status: 'succeeded', records: { read: 20, deleted: 0 } });
    expect(summary.warnings).toEqual([{ code: 'sweep_skipped', message: expect.stringContaining('read 20 records, fewer than 50% of the 300') }]);
    const line = await runCli(['sync', 'crm-hub-contacts', ...fixtureArgs(e.configFile, e.db.url), '--full'], { cwd: e.dir, env: { SWITCHBOARD_SECRET_KEY: 'd'.repeat(64) } });
    expect(line.code).toBe(0);
    expect(line.stdout).toMatch(/^crm-hub-contacts: succeeded in .* 20 read, .* 0 deleted, .*\nwarning: sweep_skipped: the sweep was skipped, nothing was deleted: this full run read 20 records/);
  });
});
