// change_outbox: every CRM write that did not come from a sync, in commit order, for push runs.
import type { Db } from '../db';
import { fromJson, nowIso, toIso, toJson } from '../values';
import type { EntityName } from '../entities';

export const CHANGE_OUTBOX_TABLE = 'change_outbox';

export type ChangeOperation = 'create' | 'update' | 'delete';
/** Where a write came from. `sync` writes never reach the outbox. */
export type ChangeOrigin = 'api' | 'repository' | 'cli' | 'sync';

export interface ChangeRow {
  id: number;
  entity: string;
  record_id: string;
  operation: string;
  changes: unknown;
  origin: string;
  created_at: unknown;
}

export interface Change {
  id: number;
  entity: EntityName;
  recordId: string;
  operation: ChangeOperation;
  /** For create: the record's fields; for update: the fields the write set; for delete: {}. */
  changes: Record<string, unknown>;
  origin: ChangeOrigin;
  createdAt: string;
}

export function fromRow(row: ChangeRow): Change {
  return {
    id: Number(row.id),
    entity: row.entity as EntityName,
    recordId: row.record_id,
    operation: row.operation as ChangeOperation,
    changes: fromJson(row.changes, {}),
    origin: row.origin as ChangeOrigin,
    createdAt: toIso(row.created_at) ?? '',
  };
}

export async function append(
  db: Db,
  change: { entity: EntityName; recordId: string; operation: ChangeOperation; changes: Record<string, unknown>; origin: ChangeOrigin },
): Promise<void> {
  await db(CHANGE_OUTBOX_TABLE).insert({
    entity: change.entity,
    record_id: change.recordId,
    operation: change.operation,
    changes: toJson(change.changes),
    origin: change.origin,
    created_at: nowIso(),
  });
}

/** Changes after `afterId`, oldest first, optionally for some entities only. */
export async function listAfter(db: Db, afterId: number, limit: number, entities?: readonly EntityName[]): Promise<Change[]> {
  let q = db<ChangeRow>(CHANGE_OUTBOX_TABLE).where('id', '>', afterId).orderBy('id', 'asc').limit(limit);
  if (entities !== undefined) q = q.whereIn('entity', entities);
  return (await q).map(fromRow);
}

export async function latestId(db: Db): Promise<number> {
  const row = (await db(CHANGE_OUTBOX_TABLE).max({ max: 'id' }).first()) as { max: unknown } | undefined;
  return row?.max == null ? 0 : Number(row.max);
}

/** One record's changes, newest first; pass the last id as `before` for the next page. */
export async function listForRecord(db: Db, entity: EntityName, recordId: string, options: { limit: number; before?: number }): Promise<Change[]> {
  const q = db<ChangeRow>(CHANGE_OUTBOX_TABLE).where({ entity, record_id: recordId }).orderBy('id', 'desc').limit(options.limit);
  if (options.before !== undefined) q.where('id', '<', options.before);
  return (await q).map(fromRow);
}
