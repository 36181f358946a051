// Test databases: each suite gets its own SQLite file or PostgreSQL schema, on the real servers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { openDatabase, resolveDatabaseTarget, type Dialect } from '../../core/store/db';
import { migrate } from '../../core/store/migrate';

/** Every store suite runs on both; PostgreSQL must be up (CI starts it), never skipped. */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

export const TEST_POSTGRES_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  dialect: Dialect;
  knex: Knex;
  /** The `--db` / DATABASE_URL value that reaches this database. */
  url: string;
  cleanup(): Promise<void>;
}

/** A fresh, empty database (no migrations applied). */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
    const url = join(dir, 'test.db');
    const knex = openDatabase(resolveDatabaseTarget(url));
    return {
      dialect,
      knex,
      url,
      async cleanup() {
        await knex.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `sb_test_${randomBytes(6).toString('hex')}`;
  const url = `${TEST_POSTGRES_URL}${TEST_POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const knex = openDatabase(resolveDatabaseTarget(url), { poolMax: 5 });
  await knex.raw('CREATE SCHEMA ??', [schema]);
  return {
    dialect,
    knex,
    url,
    async cleanup() {
      await knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await knex.destroy();
    },
  };
}

/** A fresh database with every migration applied. */
export async function createMigratedDatabase(dialect: Dialect): Promise<TestDatabase> {
  const db = await createTestDatabase(dialect);
  await migrate(db.knex);
  return db;
}
