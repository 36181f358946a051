// Listing CRM records: filters on any field, keyset (cursor) pagination, sorting.
import type { Knex } from 'knex';
import { SwitchboardError } from '../errors';
import { dialectOf, type Db } from './db';
import { guard } from './db-errors';
import { ENTITIES, type FieldSpec } from './entities';
import { decodeCursor, encodeCursor } from './cursor';
import { SYSTEM_SPECS, assertEntity, readRecord, type EntityRecord } from './entity-records';
import { normalizeField } from './values';

type Scalar = string | number | boolean | null;

/** A field's condition: a value (equality, `null` = is null) or operators. */
export type FilterCondition =
  | Scalar
  | { eq?: Scalar; ne?: Scalar; gt?: Scalar; gte?: Scalar; lt?: Scalar; lte?: Scalar; in?: Scalar[] };

/** Conditions by field: entity fields, `id`, `created_at`, `updated_at`, `deleted_at`, `custom.<key>` (equality). */
export type Filter = Record<string, FilterCondition>;

export const SORT_FIELDS = ['id', 'created_at', 'updated_at'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface ListOptions {
  filter?: Filter;
  /** Default `id` (creation order: ids are time-ordered). */
  sort?: SortField;
  order?: 'asc' | 'desc';
  /** 1 to 1000, default 50. */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
  includeDeleted?: boolean;
}

export interface ListResult {
  items: EntityRecord[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

export const MAX_LIMIT = 1000;

const OPERATORS = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

export async function list(db: Db, entityName: string, options: ListOptions = {}): Promise<ListResult> {
  const entity = assertEntity(entityName);
  const sort = options.sort ?? 'id';
  const order = options.order ?? 'asc';
  if (!(SORT_FIELDS as readonly string[]).includes(sort)) {
    throw new SwitchboardError('SB_DB_UNKNOWN_FIELD', `cannot sort by "${sort}": sort by one of ${SORT_FIELDS.join(', ')}`, { details: { entity, field: sort } });
  }
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new SwitchboardError('SB_DB_INVALID_VALUE', `limit must be an integer from 1 to ${MAX_LIMIT}`, { details: { field: 'limit' } });
  }
  const q = db(entity).select('*');
  if (options.includeDeleted !== true) q.whereNull('deleted_at');
  for (const [field, condition] of Object.entries(options.filter ?? {})) applyCondition(db, q, entity, field, condition);
  if (options.cursor !== undefined) {
    const key = decodeCursor(options.cursor, sort, order);
    const op = order === 'asc' ? '>' : '<';
    if (sort === 'id') q.where('id', op, key.id);
    else q.whereRaw(`(??, ??) ${op} (?, ?)`, [sort, 'id', key.value ?? null, key.id]);
  }
  q.orderBy([{ column: sort, order }, ...(sort === 'id' ? [] : [{ column: 'id', order }])]).limit(limit + 1);
  const rows = (await guard(`listing ${entity}`, async () => q)) as Record<string, unknown>[];
  const items = rows.slice(0, limit).map((r) => readRecord(entity, r));
  const last = items[items.length - 1];
  const next_cursor =
    rows.length > limit && last !== undefined
      ? encodeCursor({ sort, order, id: last.id, ...(sort === 'id' ? {} : { value: last[sort] as string }) })
      : null;
  return { items, next_cursor };
}

function applyCondition(db: Db, q: Knex.QueryBuilder, entity: keyof typeof ENTITIES, field: string, condition: FilterCondition): void {
  if (field.startsWith('custom.')) {
    const key = field.slice('custom.'.length);
    if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new SwitchboardError('SB_DB_UNKNOWN_FIELD', `invalid custom field name "${key}"`, { details: { entity, field } });
    const value = condition !== null && typeof condition === 'object' ? condition.eq : condition;
    if (value === undefined || (condition !== null && typeof condition === 'object' && Object.keys(condition).length !== 1)) {
      throw new SwitchboardError('SB_DB_INVALID_VALUE', `${field}: custom fields support equality only`, { details: { entity, field } });
    }
    // Compare as text on both databases: JSON numbers and booleans render the same way.
    const expr = dialectOf(db) === 'postgres' ? `"custom"->>?` : `CAST(json_extract("custom", ?) AS TEXT)`;
    const path = dialectOf(db) === 'postgres' ? key : `$."${key}"`;
    if (value === null) q.whereRaw(`${expr} IS NULL`, [path]);
    else q.whereRaw(`${expr} = ?`, [path, String(value)]);
    return;
  }
  const spec: FieldSpec | undefined = ENTITIES[entity].fields[field] ?? SYSTEM_SPECS[field as keyof typeof SYSTEM_SPECS];
  if (spec === undefined) {
    throw new SwitchboardError('SB_DB_UNKNOWN_FIELD', `cannot filter ${entity} by "${field}"`, { details: { entity, field } });
  }
  const value = (v: Scalar): unknown => (v === null ? null : normalizeField(entity, field, spec, v));
  if (condition === null || typeof condition !== 'object') {
    if (condition === null) q.whereNull(field);
    else q.where(field, value(condition) as Knex.Value);
    return;
  }
  for (const [op, operand] of Object.entries(condition)) {
    if (op === 'in') {
      if (!Array.isArray(operand)) throw new SwitchboardError('SB_DB_INVALID_VALUE', `${field}.in expects a list`, { details: { entity, field } });
      q.whereIn(field, operand.map((v) => value(v as Scalar)) as Knex.Value[]);
      continue;
    }
    const sql = OPERATORS[op as keyof typeof OPERATORS];
    if (sql === undefined) {
      throw new SwitchboardError('SB_DB_INVALID_VALUE', `unknown filter operator "${op}" on ${field}: use eq, ne, gt, gte, lt, lte or in`, { details: { entity, field } });
    }
    const v = value(operand as Scalar);
    if (v === null) {
      if (op === 'eq') q.whereNull(field);
      else if (op === 'ne') q.whereNotNull(field);
      else throw new SwitchboardError('SB_DB_INVALID_VALUE', `${field}.${op} needs a value`, { details: { entity, field } });
    } else {
      q.where(field, sql, v as Knex.Value);
    }
  }
}
