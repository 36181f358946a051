// Multi-row `INSERT ... ON CONFLICT (...) DO UPDATE` for both databases, chunked. Never knex's
// multi-row insert: on SQLite it becomes a compound SELECT, slower and capped at 500 rows.
import type { Knex } from 'knex';
import { dialectOf, type Db } from './db';

/** Parameters per statement, under PostgreSQL's 65,535. */
const MAX_PARAMS = { postgres: 65_000 } as const;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export interface UpsertSpec {
  table: string;
  columns: readonly string[];
  /** The unique key that decides insert or update. */
  conflict: readonly string[];
  /** `SET` assignments on conflict, e.g. `"hash" = excluded."hash"`; empty means DO NOTHING. */
  sets: readonly string[];
}

/** Rows per statement when SQLite reads them from one JSON parameter. */
const SQLITE_JSON_ROWS = 5000;

/**
 * Writes `rows` (each an array of values in `columns` order). On SQLite the rows travel as one
 * JSON parameter read back with `json_each` (one bound value instead of tens of thousands:
 * binding each value costs the main thread far more than SQLite spends parsing the JSON); on
 * PostgreSQL as a multi-row VALUES list.
 */
export async function upsertRows(db: Db, spec: UpsertSpec, rows: readonly (readonly unknown[])[]): Promise<void> {
  if (rows.length === 0) return;
  const target = `INSERT INTO ${quoteIdent(spec.table)} (${spec.columns.map(quoteIdent).join(', ')}) `;
  const tail =
    ` ON CONFLICT (${spec.conflict.map(quoteIdent).join(', ')}) ` + (spec.sets.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${spec.sets.join(', ')}`);
  if (dialectOf(db) === 'sqlite') {
    // `WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT.
    const sql = `${target}SELECT ${spec.columns.map((_, i) => `value ->> ${i}`).join(', ')} FROM json_each(?) WHERE true${tail}`;
    for (let i = 0; i < rows.length; i += SQLITE_JSON_ROWS) {
      const chunk = rows.length <= SQLITE_JSON_ROWS ? rows : rows.slice(i, i + SQLITE_JSON_ROWS);
      await db.raw(sql, [JSON.stringify(chunk, (_k, v: unknown) => (v === undefined ? null : v))]);
    }
    return;
  }
  const perChunk = Math.max(1, Math.floor(MAX_PARAMS.postgres / spec.columns.length));
  const tuple = `(${spec.columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += perChunk) {
    const chunk = rows.slice(i, i + perChunk);
    const bindings: unknown[] = [];
    for (const row of chunk) for (const v of row) bindings.push(v === undefined ? null : v);
    await db.raw(`${target}VALUES ${new Array<string>(chunk.length).fill(tuple).join(', ')}${tail}`, bindings as Knex.RawBinding[]);
  }
}

/** `"col" = excluded."col"` for each column. */
export function setExcluded(columns: readonly string[]): string[] {
  return columns.map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`);
}

/**
 * `column IN (values)` with the list as one bound parameter (a JSON array on SQLite, a text
 * array on PostgreSQL) instead of one placeholder per value: far cheaper to build and prepare
 * for the hundreds of ids a page looks up, and never near a parameter limit.
 */
export function whereInList(db: Db, q: Knex.QueryBuilder, column: string, values: readonly (string | number)[]): Knex.QueryBuilder {
  if (dialectOf(db) === 'postgres') return q.whereRaw(`?? = ANY(?::text[])`, [column, values.map(String)]);
  return q.whereRaw(`?? IN (SELECT value FROM json_each(?))`, [column, JSON.stringify(values)]);
}
