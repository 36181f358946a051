import { DIALECTS, createTestDatabase, type TestDatabase } from '../../helpers/db';
import { migrate, pendingMigrations, rollbackAll } from '../../../core/store/migrate';
import { MIGRATIONS } from '../../../core/store/migrations';
import { ENTITIES } from '../../../core/store/entities';

const ENGINE_TABLES = ['connections', 'schedules', 'record_links', 'pending_refs', 'sync_state', 'sync_runs', 'rejected_records', 'change_outbox', 'api_clients', 'sync_run_costs'];

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(async () => db.cleanup());

  it('applies every migration once, and a second run changes nothing', async () => {
    expect(await pendingMigrations(db.knex)).toEqual(MIGRATIONS.map((m) => m.name));
    expect((await migrate(db.knex)).applied).toEqual(MIGRATIONS.map((m) => m.name));
    expect((await migrate(db.knex)).applied).toEqual([]);
    expect(await pendingMigrations(db.knex)).toEqual([]);
  });

  it.each(Object.keys(ENTITIES))('creates %s with every column FORMAT.md names', async (entity) => {
    const info = await db.knex(entity).columnInfo();
    const expected = ['id', 'custom', 'created_at', 'updated_at', 'deleted_at', ...Object.keys(ENTITIES[entity as keyof typeof ENTITIES].fields)];
    expect(Object.keys(info).sort()).toEqual(expected.sort());
  });

  it('creates the engine tables', async () => {
    for (const table of ENGINE_TABLES) expect(await db.knex.schema.hasTable(table)).toBe(true);
  });

  it('indexes the columns users filter on', async () => {
    const indexes = async (table: string): Promise<string[]> => {
      if (dialect === 'postgres') {
        const r = await db.knex.raw('select indexdef from pg_indexes where tablename = ? and schemaname = current_schema()', [table]);
        return (r.rows as { indexdef: string }[]).map((x) => x.indexdef);
      }
      const r = (await db.knex.raw(`select sql from sqlite_master where type = 'index' and tbl_name = ? and sql is not null`, [table])) as { sql: string }[];
      return r.map((x) => x.sql);
    };
    const has = (defs: string[], cols: string) => defs.some((d) => d.replace(/[`"]/g, '').includes(`(${cols})`));
    expect(has(await indexes('contacts'), 'email')).toBe(true);
    expect(has(await indexes('contacts'), 'company_id')).toBe(true);
    expect(has(await indexes('contacts'), 'updated_at, id')).toBe(true);
    expect(has(await indexes('companies'), 'domain')).toBe(true);
    expect(has(await indexes('deals'), 'contact_id')).toBe(true);
    expect(has(await indexes('activities'), 'deal_id')).toBe(true);
    expect(has(await indexes('record_links'), 'connection_id, entity, external_id')).toBe(true);
    const active = (await indexes('sync_runs')).find((d) => d.includes('sync_runs_one_active_unique'));
    expect(active).toMatch(/UNIQUE/i);
    expect(active).toMatch(/queued/);
  });

  it('rolls everything back and migrates again', async () => {
    await rollbackAll(db.knex);
    expect(await db.knex.schema.hasTable('contacts')).toBe(false);
    expect((await migrate(db.knex)).applied).toHaveLength(MIGRATIONS.length);
  });
});
