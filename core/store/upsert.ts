// Multi-row `INSERT ... VALUES (...), (...) ON CONFLICT (...) DO UPDATE` for both databases,
// chunked under each driver's parameter limit. Plain VALUES lists: on SQLite knex's multi-row
// insert becomes a compound SELECT, which is slower and capped at 500 rows.
import type { Knex } from 'knex';
import { dialectOf, type Db } from './db';

/** Parameters per statement, under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMS = { sqlite: 32_000, postgres: 65_000 } as const;

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

/** Writes `rows` (each an array of values in `columns` order). */
export async function upsertRows(db: Db, spec: UpsertSpec, rows: readonly (readonly unknown[])[]): Promise<void> {
  if (rows.length === 0) return;
  const perChunk = Math.max(1, Math.floor(MAX_PARAMS[dialectOf(db)] / spec.columns.length));
  const tuple = `(${spec.columns.map(() => '?').join(', ')})`;
  const head = `INSERT INTO ${quoteIdent(spec.table)} (${spec.columns.map(quoteIdent).join(', ')}) VALUES `;
  const tail =
    ` ON CONFLICT (${spec.conflict.map(quoteIdent).join(', ')}) ` + (spec.sets.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${spec.sets.join(', ')}`);
  for (let i = 0; i < rows.length; i += perChunk) {
    const chunk = rows.slice(i, i + perChunk);
    const bindings: unknown[] = [];
    for (const row of chunk) for (const v of row) bindings.push(v === undefined ? null : v);
    await db.raw(head + new Array<string>(chunk.length).fill(tuple).join(', ') + tail, bindings as Knex.RawBinding[]);
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
