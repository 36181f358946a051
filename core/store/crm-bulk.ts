// Bulk upsert of CRM records by id: multi-row `INSERT ... ON CONFLICT (id) DO UPDATE` on both
// databases, for the sync engine.
import type { Knex } from 'knex';
import { dialectOf, inTransaction, quoteIdent, type Db } from './db';
import { translateDbError } from './db-errors';
import type { EntityName } from './entities';
import { assertEntity, normalizeInput, type EntityInput } from './entity-records';
import * as outbox from './tables/change-outbox';
import { upsertRows } from './upsert';
import { nowIso } from './values';

export interface BulkUpsertOptions {
  /** Default `sync`: bulk writes come from syncs, which never reach the change outbox. */
  origin?: outbox.ChangeOrigin;
  /** The rows were already checked with `normalizeInput` (the sync engine does it per record). */
  normalized?: boolean;
  /** The timestamp to write as `updated_at` (and `created_at` of new rows). Default now. */
  now?: string;
  /** Clear `deleted_at` of rows that exist (a record that came back at the source). */
  undelete?: boolean;
}

/**
 * Inserts or updates rows by `id` in one transaction. Only the fields a row carries are
 * written; `custom` is merged key by key into the stored object. Rows must have an `id`.
 */
export async function bulkUpsert(db: Db, entityName: string, rows: ReadonlyArray<{ id: string } & EntityInput>, options: BulkUpsertOptions = {}): Promise<void> {
  const entity = assertEntity(entityName);
  const prepared = rows.map((row) => {
    const { id, ...rest } = row;
    return { id, values: options.normalized === true ? rest : normalizeInput(entity, rest) };
  });
  await bulkUpsertValues(db, entity, prepared, options);
}

/** `bulkUpsert` for rows already split into id and checked values (the sync engine's form, no copies). */
export async function bulkUpsertValues(db: Db, entity: EntityName, prepared: ReadonlyArray<{ id: string; values: Record<string, unknown> }>, options: BulkUpsertOptions = {}): Promise<void> {
  if (prepared.length === 0) return;
  const now = options.now ?? nowIso();
  // Rows with the same fields share one statement shape (rows from one mapping list their
  // fields in the same order, so the keys need no sorting).
  const groups = new Map<string, { id: string; values: Record<string, unknown> }[]>();
  for (const row of prepared) {
    const key = Object.keys(row.values).join(',');
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  const dialect = dialectOf(db);
  const origin = options.origin ?? 'sync';
  try {
    await inTransaction(db, async (trx) => {
      const existing = origin === 'sync' ? undefined : await existingIds(trx, entity, prepared.map((r) => r.id));
      for (const [key, group] of groups) {
        const fields = key === '' ? [] : key.split(',');
        await upsertGroup(trx, entity, dialect, fields, group, now, options.undelete === true);
      }
      if (existing !== undefined) {
        for (const row of prepared) {
          await outbox.append(trx, { entity, recordId: row.id, operation: existing.has(row.id) ? 'update' : 'create', changes: row.values, origin });
        }
      }
    });
  } catch (err) {
    throw translateDbError(err, `upserting ${prepared.length} ${entity}`);
  }
}

async function existingIds(trx: Knex.Transaction, entity: string, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = (await trx(entity).whereIn('id', ids.slice(i, i + 500)).select('id')) as { id: string }[];
    for (const r of rows) found.add(r.id);
  }
  return found;
}

function upsertGroup(
  trx: Knex.Transaction,
  entity: string,
  dialect: 'sqlite' | 'postgres',
  fields: string[],
  rows: ReadonlyArray<{ id: string; values: Record<string, unknown> }>,
  now: string,
  undelete: boolean,
): Promise<void> {
  const sets = fields.map((f) => {
    if (f !== 'custom') return `${quoteIdent(f)} = excluded.${quoteIdent(f)}`;
    // `custom` is merged key by key into the stored object.
    return dialect === 'postgres'
      ? `"custom" = ${quoteIdent(entity)}."custom" || excluded."custom"`
      : `"custom" = json_patch(${quoteIdent(entity)}."custom", excluded."custom")`;
  });
  sets.push(`"updated_at" = excluded."updated_at"`);
  if (undelete) sets.push(`"deleted_at" = NULL`);
  const values = rows.map((row) => {
    const out: unknown[] = [row.id];
    for (const f of fields) out.push(row.values[f]);
    return out;
  });
  return upsertRows(trx, { table: entity, constants: { created_at: now, updated_at: now }, columns: ['id', ...fields], json: ['custom'], conflict: ['id'], sets }, values);
}
