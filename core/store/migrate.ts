// Brings a database up to date with the in-code migration list (the same from source and dist/).
import type { Knex } from 'knex';
import { SwitchboardError, errorMessage } from '../errors';
import { translateDbError } from './db-errors';
import { dialectOf } from './db';
import { MIGRATIONS, type Migration } from './migrations';

export const MIGRATIONS_TABLE = 'switchboard_migrations';

const source: Knex.MigrationSource<Migration> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};

async function config(knex: Knex): Promise<Knex.MigratorConfig> {
  const base: Knex.MigratorConfig = { migrationSource: source, tableName: MIGRATIONS_TABLE };
  if (dialectOf(knex) === 'postgres') {
    const searchPath = (knex.client as { config: { searchPath?: string | string[] } }).config.searchPath;
    const schema = Array.isArray(searchPath) ? searchPath[0] : searchPath;
    if (schema !== undefined) {
      await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
      return { ...base, schemaName: schema };
    }
  }
  return base;
}

export interface MigrateResult {
  /** Names of the migrations applied by this call (empty when already up to date). */
  applied: string[];
}

/** Applies every pending migration, each in its own transaction. */
export async function migrate(knex: Knex): Promise<MigrateResult> {
  try {
    const [, applied] = (await knex.migrate.latest(await config(knex))) as [number, string[]];
    return { applied };
  } catch (err) {
    const translated = translateDbError(err, 'migrating');
    if (translated.code === 'SB_DB_UNAVAILABLE') throw translated;
    throw new SwitchboardError('SB_DB_MIGRATION_FAILED', `migration failed: ${errorMessage(err)}`, { cause: err });
  }
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(knex: Knex): Promise<string[]> {
  const [, pending] = (await knex.migrate.list(await config(knex))) as [unknown[], Migration[]];
  return pending.map((m) => m.name);
}

/** Undoes every migration (tests and `migrate --rollback-all`). */
export async function rollbackAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback(await config(knex), true);
}
