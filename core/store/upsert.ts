// Multi-row `INSERT ... ON CONFLICT (...) DO UPDATE` for both databases, chunked. Never knex's
// multi-row insert: on SQLite it becomes a compound SELECT, slower and capped at 500 rows.
import type { Knex } from 'knex';
import { dialectOf, quoteIdent, type Db } from './db';
import { toJson } from './values';

/** Parameters per statement, under PostgreSQL's 65,535. */
const MAX_PARAMS = { postgres: 65_000 } as const;


export interface UpsertSpec {
  table: string;
  /** The columns each row carries, in the order of its values. */
  columns: readonly string[];
  /** The unique key that decides insert or update. */
  conflict: readonly string[];
  /** `SET` assignments on conflict, e.g. `"hash" = excluded."hash"`; empty means DO NOTHING. */
  sets: readonly string[];
  /**
   * Columns with the same value in every row (the connection, the run, the time): bound once
   * per statement on SQLite instead of travelling in every row.
   */
  constants?: Readonly<Record<string, unknown>>;
  /** Columns of `columns` whose values are JSON values (objects), stored as JSON text. */
  json?: readonly string[];
}

/** Rows per statement when SQLite reads them from one JSON parameter. */
const SQLITE_JSON_ROWS = 5000;

/**
 * Writes `rows` (each an array of values in `columns` order). On SQLite the rows travel as one
 * JSON parameter read back with `json_each` (one bound value instead of tens of thousands:
 * binding each value costs the main thread far more than SQLite spends parsing the JSON), the
 * constants as their own parameters; on PostgreSQL as a multi-row VALUES list.
 */
export async function upsertRows(db: Db, spec: UpsertSpec, rows: readonly (readonly unknown[])[]): Promise<void> {
  if (rows.length === 0) return;
  const constants = Object.entries(spec.constants ?? {});
  const json = new Set(spec.json ?? []);
  const allColumns = [...constants.map(([c]) => c), ...spec.columns];
  const target = `INSERT INTO ${quoteIdent(spec.table)} (${allColumns.map(quoteIdent).join(', ')}) `;
  const tail =
    ` ON CONFLICT (${spec.conflict.map(quoteIdent).join(', ')}) ` + (spec.sets.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${spec.sets.join(', ')}`);
  const constantValues = constants.map(([, v]) => (v === undefined ? null : v)) as Knex.RawBinding[];
  if (dialectOf(db) === 'sqlite') {
    // `value -> i` keeps a JSON value as JSON text; `->>` reads a scalar as its SQL value.
    // (JSON.stringify writes undefined array items as null.)
    const selected = [...constants.map(() => '?'), ...spec.columns.map((c, i) => (json.has(c) ? `value -> ${i}` : `value ->> ${i}`))];
    // `WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT.
    const sql = `${target}SELECT ${selected.join(', ')} FROM json_each(?) WHERE true${tail}`;
    for (let i = 0; i < rows.length; i += SQLITE_JSON_ROWS) {
      const chunk = rows.length <= SQLITE_JSON_ROWS ? rows : rows.slice(i, i + SQLITE_JSON_ROWS);
      await db.raw(sql, [...constantValues, JSON.stringify(chunk)]);
    }
    return;
  }
  const jsonAt = spec.columns.map((c) => json.has(c));
  const perChunk = Math.max(1, Math.floor(MAX_PARAMS.postgres / allColumns.length));
  const tuple = `(${allColumns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += perChunk) {
    const chunk = rows.slice(i, i + perChunk);
    const bindings: unknown[] = [];
    for (const row of chunk) {
      for (const v of constantValues) bindings.push(v);
      for (let j = 0; j < spec.columns.length; j++) {
        const v = row[j];
        bindings.push(v === undefined ? null : jsonAt[j] === true && v !== null ? toJson(v) : v);
      }
    }
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
