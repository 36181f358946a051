// CRM records in and out of the store: entity names, input checks, and rows read back the same
// way on SQLite and PostgreSQL.
import { SwitchboardError } from '../errors';
import { ENTITIES, isEntityName, type EntityName, type FieldSpec } from './entities';
import { fromJson, normalizeCustom, normalizeField, readField, toIso } from './values';

/** A CRM record as the API and the engine see it. */
export interface EntityRecord {
  id: string;
  custom: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  [field: string]: unknown;
}

/** Field values to write: entity fields, and `custom` (merged into the stored object). */
export type EntityInput = Record<string, unknown>;


/** Specs of the columns every entity has, for filters and ids. */
export const SYSTEM_SPECS: Readonly<Record<'id' | 'created_at' | 'updated_at' | 'deleted_at', FieldSpec>> = {
  id: { type: 'ref', description: 'Record id.' },
  created_at: { type: 'datetime', description: 'When the record was created.' },
  updated_at: { type: 'datetime', description: 'When the record last changed.' },
  deleted_at: { type: 'datetime', description: 'When the record was soft-deleted.' },
};

export function assertEntity(entity: string): EntityName {
  if (!isEntityName(entity)) {
    throw new SwitchboardError('SB_DB_UNKNOWN_ENTITY', `unknown entity "${entity}": expected one of ${Object.keys(ENTITIES).join(', ')}`, {
      details: { entity },
    });
  }
  return entity;
}

function unknownField(entity: EntityName, field: string): SwitchboardError {
  const fields = Object.keys(ENTITIES[entity].fields).join(', ');
  return new SwitchboardError('SB_DB_UNKNOWN_FIELD', `${entity} has no field "${field}" (fields: ${fields}, custom)`, { details: { entity, field } });
}

/**
 * Checks input for an entity and returns it as stored. Throws SB_DB_UNKNOWN_FIELD or
 * SB_DB_INVALID_VALUE naming the field. Unknown keys are never silently dropped.
 */
export function normalizeInput(entity: EntityName, input: EntityInput): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new SwitchboardError('SB_DB_INVALID_VALUE', `${entity}: expected an object of field values`, { details: { entity } });
  }
  const fields = ENTITIES[entity].fields;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (key === 'custom') {
      out['custom'] = normalizeCustom(entity, value);
      continue;
    }
    const spec = fields[key];
    if (spec === undefined) throw unknownField(entity, key);
    out[key] = normalizeField(entity, key, spec, value);
  }
  return out;
}

/** A stored row as an EntityRecord (same shape on SQLite and PostgreSQL). */
export function readRecord(entity: EntityName, row: Record<string, unknown>): EntityRecord {
  const fields = ENTITIES[entity].fields;
  const record: EntityRecord = {
    id: String(row['id']),
    custom: fromJson(row['custom'], {}),
    created_at: toIso(row['created_at']) ?? '',
    updated_at: toIso(row['updated_at']) ?? '',
    deleted_at: toIso(row['deleted_at']),
  };
  for (const [name, spec] of Object.entries(fields)) record[name] = readField(spec, row[name]);
  return record;
}

