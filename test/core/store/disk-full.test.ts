// SQLite's disk filling up (SQLITE_FULL, produced for real with `PRAGMA max_page_count`): the
// write fails as SB_DB_DISK_FULL saying the disk is full, never SB_INTERNAL; nothing half-written
// stays behind, the database passes its integrity check, and a run stopped by it resumes exact
// once there is room again.
import { join } from 'node:path';
import { createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import { Engine } from '../../../core/engine';
import { loadRegistry } from '../../../core/definitions';
import { isSwitchboardError } from '../../../core/errors';
import { silentLogger } from '../../../core/logger';
import { SecretBox } from '../../../core/secrets';
import * as crm from '../../../core/store/crm';
import { translateDbError } from '../../../core/store/db-errors';
import { uuidv7 } from '../../../core/util/id';
import * as syncRuns from '../../../core/store/tables/sync-runs';
import { hubspotContacts, startHubSpot, type MockApi } from '../../../examples/mock-apis';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'e2e');

async function pageCount(db: TestDatabase): Promise<number> {
  const rows = (await db.knex.raw('PRAGMA page_count')) as Array<{ page_count: number }>;
  return rows[0]!.page_count;
}

/** Lets the database grow by `pages` pages at most (this connection is the pool's only one). */
async function capAt(db: TestDatabase, pages: number): Promise<void> {
  await db.knex.raw(`PRAGMA max_page_count = ${pages}`);
}

async function integrity(db: TestDatabase): Promise<string> {
  const rows = (await db.knex.raw('PRAGMA integrity_check')) as Array<{ integrity_check: string }>;
  return rows.map((r) => r.integrity_check).join('; ');
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('SQLite disk full', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createMigratedDatabase('sqlite');
  });
  afterEach(async () => db.cleanup());

  it('a write that fills the disk is SB_DB_DISK_FULL, leaves nothing half-written, and the database stays intact', async () => {
    for (let i = 0; i < 5; i++) await crm.create(db.knex, 'contacts', { email: `kept${i}@example.com` });
    await capAt(db, (await pageCount(db)) + 2);
    const big = Array.from({ length: 2000 }, (_, i) => ({ id: uuidv7(), email: `new${i}@example.com`, first_name: 'x'.repeat(300) }));

    const err = await caught(crm.bulkUpsert(db.knex, 'contacts', big));
    expect(isSwitchboardError(err, 'SB_DB_DISK_FULL')).toBe(true);
    const e = err as { message: string; statusCode: number; retryable: boolean };
    expect(e.message).toMatch(/disk is full/);
    // The message names what failed, not the 2,000-row statement knex puts in the driver's.
    expect(e.message.length).toBeLessThan(300);
    expect({ status: e.statusCode, retryable: e.retryable }).toEqual({ status: 507, retryable: true });

    expect(await integrity(db)).toBe('ok');
    expect((await crm.list(db.knex, 'contacts', { limit: 100 })).items.map((c) => c.email).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `kept${i}@example.com`));

    // Room again: the same write goes through.
    await capAt(db, 1_000_000);
    await crm.bulkUpsert(db.knex, 'contacts', big);
    expect((await db.knex('contacts').count({ n: '*' }))[0]).toEqual({ n: 2005 });
  });

  it('a pull run that fills the disk fails with SB_DB_DISK_FULL (not SB_INTERNAL), and resumes exact once there is room', async () => {
    const source = hubspotContacts(1500);
    const api: MockApi = await startHubSpot({ objects: { contacts: source }, token: 'tok' });
    const registry = await loadRegistry({ connectorsDir: join(FIXTURES, 'connectors'), mappingsDir: join(FIXTURES, 'mappings') });
    const engine = await Engine.open({ knex: db.knex, registry, box: new SecretBox(Buffer.alloc(32, 4)), logger: silentLogger(), queue: 'memory', concurrency: 0 });
    try {
      const conn = await engine.createConnection({ name: 'full-disk', connectorId: 'crm-hub', config: { access_token: 'tok', base_url: api.url } });
      const { run } = await engine.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', mode: 'full' });
      await capAt(db, (await pageCount(db)) + 40);
      // The failure is the run's own (it costs an attempt, it is not an unreachable store): the
      // run goes back to the queue with SB_DB_DISK_FULL as its error, or, when even that write
      // cannot be made, the executor throws it and the run stays `running` for a takeover.
      const outcome = await engine.executeRun(run.id, {}).catch((err: unknown) => err);
      const stopped = await syncRuns.get(db.knex, run.id);
      const code = isSwitchboardError(outcome) ? outcome.code : stopped.error?.code;
      expect(code).toBe('SB_DB_DISK_FULL');
      expect(await integrity(db)).toBe('ok');
      // Whatever committed before the disk filled is whole: the run's counts match the rows.
      expect(Number((await db.knex('contacts').count({ n: '*' }))[0]!.n)).toBe(stopped.counts.records_created);
      expect(stopped.counts.records_created).toBeLessThan(1500);

      await capAt(db, 1_000_000);
      // Queued again, or left running: taken (over), it resumes from the last committed page.
      const again = run.id;
      await engine.executeRun(again, { takeover: true });
      expect((await syncRuns.get(db.knex, again)).status).toBe('succeeded');
      const emails = (await db.knex('contacts').whereNull('deleted_at').select('email')).map((r: { email: string }) => r.email).sort();
      expect(emails).toEqual(source.map((r) => r.properties['email']!.trim().toLowerCase()).sort());
    } finally {
      await engine.close();
      await api.close();
    }
  });

  it("PostgreSQL's disk_full (SQLSTATE 53100) is the same error", () => {
    // A real full disk cannot be made for the shared test server; the driver's error shape is.
    const pgError = Object.assign(new Error('could not extend file "base/16384/16385": No space left on device'), { code: '53100', severity: 'ERROR' });
    const err = translateDbError(pgError, 'upserting 100 contacts');
    expect(err.code).toBe('SB_DB_DISK_FULL');
    expect(err.message).toBe("upserting 100 contacts: the database's disk is full (53100); nothing of it was written. Free disk space, then try again");
  });
});
