// The CRM repository: create, get, update, soft-delete, list and bulk-upsert entity records,
// used by the REST API and the sync engine. Writes that do not come from a sync record a
// change in the outbox in the same transaction.
import type { Knex } from 'knex';
import { SwitchboardError } from '../errors';
import { uuidv7 } from '../util/id';
import { dialectOf, inTransaction, type Db } from './db';
import { guard, translateDbError } from './db-errors';
import { ENTITIES, type EntityName } from './entities';
import { SYSTEM_SPECS, assertEntity, normalizeInput, readRecord, type EntityInput, type EntityRecord } from './entity-records';
import * as outbox from './tables/change-outbox';
import { normalizeField, nowIso, toIso, toJson } from './values';

export type { EntityName } from './entities';
export { assertEntity, normalizeInput, readRecord, type EntityInput, type EntityRecord } from './entity-records';
export type { ChangeOrigin } from './tables/change-outbox';

export interface WriteOptions {
  /** Where the write comes from; anything but `sync` is recorded in the change outbox. Default `repository`. */
  origin?: outbox.ChangeOrigin;
}

function toColumns(values: Record<string, unknown>): Record<string, unknown> {
  const cols: Record<string, unknown> = { ...values };
  if (cols['custom'] !== undefined) cols['custom'] = toJson(cols['custom']);
  return cols;
}

/** After a foreign-key failure, finds which reference is missing, for a message that says so. */
async function explainForeignKey(db: Db, entity: EntityName, values: Record<string, unknown>, cause: unknown): Promise<SwitchboardError> {
  for (const [field, spec] of Object.entries(ENTITIES[entity].fields)) {
    const value = values[field];
    if (spec.type !== 'ref' || spec.ref === undefined || typeof value !== 'string') continue;
    const found = await db(spec.ref).where('id', value).first('id');
    if (found === undefined) {
      return new SwitchboardError('SB_DB_FOREIGN_KEY', `${entity}.${field}: no ${ENTITIES[spec.ref].singular} with id "${value}"`, {
        details: { entity, field, id: value },
        cause,
      });
    }
  }
  return translateDbError(cause, `writing ${entity}`);
}

async function write<T>(db: Db, entity: EntityName, values: Record<string, unknown>, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(db, fn);
  } catch (err) {
    const translated = translateDbError(err, `writing ${entity}`);
    if (translated.code === 'SB_DB_FOREIGN_KEY' && (db as Knex.Transaction).isTransaction !== true) {
      throw await explainForeignKey(db, entity, values, err);
    }
    throw translated;
  }
}

/** Creates a record. `input.id` may be given (a UUID); otherwise a UUIDv7 is made. */
export async function create(db: Db, entityName: string, input: EntityInput, options: WriteOptions = {}): Promise<EntityRecord> {
  const entity = assertEntity(entityName);
  const { id: givenId, ...rest } = input;
  const values = normalizeInput(entity, rest);
  const id = givenId === undefined ? uuidv7() : (normalizeField(entity, 'id', SYSTEM_SPECS.id, givenId) as string);
  const now = nowIso();
  const row = { custom: {}, ...values, id, created_at: now, updated_at: now, deleted_at: null };
  await write(db, entity, values, async (trx) => {
    await trx(entity).insert(toColumns(row));
    await recordChange(trx, entity, id, 'create', values, options);
  });
  return readRecord(entity, row);
}

export interface GetOptions {
  /** Return soft-deleted records too. */
  includeDeleted?: boolean;
}

/** The record, or undefined. */
export async function find(db: Db, entityName: string, id: string, options: GetOptions = {}): Promise<EntityRecord | undefined> {
  const entity = assertEntity(entityName);
  const row = await guard(`reading ${entity}`, async () => {
    const q = db(entity).where('id', id).first();
    if (options.includeDeleted !== true) q.whereNull('deleted_at');
    return (await q) as Record<string, unknown> | undefined;
  });
  return row === undefined ? undefined : readRecord(entity, row);
}

/** The record; SB_DB_NOT_FOUND when there is none (or it is soft-deleted). */
export async function get(db: Db, entityName: string, id: string, options: GetOptions = {}): Promise<EntityRecord> {
  const record = await find(db, entityName, id, options);
  if (record === undefined) throw notFound(entityName, id);
  return record;
}

function notFound(entity: string, id: string): SwitchboardError {
  return new SwitchboardError('SB_DB_NOT_FOUND', `${entity}/${id} does not exist`, { details: { entity, id } });
}

export interface UpdateOptions extends WriteOptions {
  /** Precondition: the record's current `updated_at` (an ETag); SB_PRECONDITION_FAILED otherwise. */
  ifUpdatedAt?: string;
}

/** Sets the given fields (`custom` is merged key by key; a null custom value removes the key). */
export async function update(db: Db, entityName: string, id: string, patch: EntityInput, options: UpdateOptions = {}): Promise<EntityRecord> {
  const entity = assertEntity(entityName);
  if ('id' in patch && patch['id'] !== id) {
    throw new SwitchboardError('SB_DB_INVALID_VALUE', `${entity}.id cannot be changed`, { details: { entity, field: 'id' } });
  }
  const { id: _ignored, ...rest } = patch;
  const values = normalizeInput(entity, rest);
  return write(db, entity, values, async (trx) => {
    const query = trx(entity).where('id', id).whereNull('deleted_at').first();
    // SQLite has one writer at a time; PostgreSQL needs the row lock for the read-modify-write.
    if (dialectOf(trx) === 'postgres') query.forUpdate();
    const current = (await query) as Record<string, unknown> | undefined;
    if (current === undefined) throw notFound(entity, id);
    const before = readRecord(entity, current);
    if (options.ifUpdatedAt !== undefined && before.updated_at !== toIso(options.ifUpdatedAt)) {
      throw new SwitchboardError('SB_PRECONDITION_FAILED', `${entity}/${id} changed since it was read (updated_at ${before.updated_at})`, {
        details: { entity, id, updated_at: before.updated_at },
      });
    }
    if (values['custom'] !== undefined) values['custom'] = mergeCustom(before.custom, values['custom'] as Record<string, unknown>);
    const updatedAt = nextTimestamp(before.updated_at);
    await trx(entity).where('id', id).update({ ...toColumns(values), updated_at: updatedAt });
    await recordChange(trx, entity, id, 'update', values, options);
    return { ...before, ...values, updated_at: updatedAt } as EntityRecord;
  });
}

function mergeCustom(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

/** Now, but strictly after `previous`, so every write gives a new `updated_at` (ETag). */
function nextTimestamp(previous: string): string {
  const now = Date.now();
  const prev = Date.parse(previous);
  return new Date(Number.isNaN(prev) || now > prev ? now : prev + 1).toISOString();
}

/** Marks the record deleted (`deleted_at`); it disappears from get and list. */
export async function softDelete(db: Db, entityName: string, id: string, options: WriteOptions = {}): Promise<void> {
  const entity = assertEntity(entityName);
  await write(db, entity, {}, async (trx) => {
    const now = nowIso();
    const n = await trx(entity).where('id', id).whereNull('deleted_at').update({ deleted_at: now, updated_at: now });
    if (n === 0) throw notFound(entity, id);
    await recordChange(trx, entity, id, 'delete', {}, options);
  });
}

/** Removes the record for good (references to it are set to null by the database). */
export async function hardDelete(db: Db, entityName: string, id: string, options: WriteOptions = {}): Promise<void> {
  const entity = assertEntity(entityName);
  await write(db, entity, {}, async (trx) => {
    await clearReferences(trx, entity, [id], options);
    const n = await trx(entity).where('id', id).delete();
    if (n === 0) throw notFound(entity, id);
    await recordChange(trx, entity, id, 'delete', {}, options);
  });
}

/**
 * Before a hard delete of `ids`: the records that reference them lose the reference as a write
 * of their own (updated_at moves, so "changed since" readers see it, and the outbox carries it
 * to push runs unless the delete comes from a sync), rather than silently through the foreign
 * key's ON DELETE SET NULL.
 */
export async function clearReferences(trx: Knex.Transaction, target: EntityName, ids: readonly string[], options: WriteOptions): Promise<void> {
  if (ids.length === 0) return;
  const now = nowIso();
  for (const [entity, def] of Object.entries(ENTITIES) as [EntityName, (typeof ENTITIES)[EntityName]][]) {
    for (const [field, spec] of Object.entries(def.fields)) {
      if (spec.type !== 'ref' || spec.ref !== target) continue;
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const referencing = (await trx(entity).whereIn(field, chunk).select('id')) as { id: string }[];
        if (referencing.length === 0) continue;
        await trx(entity).whereIn(field, chunk).update({ [field]: null, updated_at: now });
        for (const r of referencing) await recordChange(trx, entity, r.id, 'update', { [field]: null }, options);
      }
    }
  }
}

async function recordChange(
  trx: Knex.Transaction,
  entity: EntityName,
  id: string,
  operation: outbox.ChangeOperation,
  changes: Record<string, unknown>,
  options: WriteOptions,
): Promise<void> {
  const origin = options.origin ?? 'repository';
  if (origin === 'sync') return;
  await outbox.append(trx, { entity, recordId: id, operation, changes, origin });
}

export { list, type ListOptions, type ListResult, type Filter, type FilterCondition } from './crm-list';
export { bulkUpsert, type BulkUpsertOptions } from './crm-bulk';
