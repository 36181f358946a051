// The CRM entities' API schemas (create, patch, response, list query), all derived from
// core/store/entities.ts, so the API, the repository and the mapping validator never disagree.
import { ENTITIES, ENTITY_NAMES, type EntityName, type FieldSpec } from '../../core/store/entities';
import { SORT_FIELDS } from '../../core/store/crm-list';
import { pageQuery, pageOf, type JsonSchema } from './common';

/** `contacts` -> `Contact`: the name of the entity's schemas in the OpenAPI document. */
export function schemaName(entity: EntityName): string {
  const singular = ENTITIES[entity].singular;
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}

/** The JSON Schema of one field's value; `nullable` adds null (which clears the field). */
export function fieldSchema(spec: FieldSpec, nullable: boolean): JsonSchema {
  const type = (t: string): string | string[] => (nullable ? [t, 'null'] : t);
  const base: JsonSchema = { description: spec.description };
  switch (spec.type) {
    case 'string':
    case 'text':
      return { ...base, type: type('string'), ...(spec.maxLength === undefined ? {} : { maxLength: spec.maxLength }) };
    case 'number':
      return { ...base, type: type('number'), ...(spec.min === undefined ? {} : { minimum: spec.min }), ...(spec.max === undefined ? {} : { maximum: spec.max }) };
    case 'date':
      return { ...base, type: type('string'), format: 'date' };
    case 'datetime':
      return { ...base, type: type('string'), format: 'date-time' };
    case 'enum':
      return { ...base, type: type('string'), enum: nullable ? [...(spec.values ?? []), null] : [...(spec.values ?? [])] };
    case 'ref':
      return { ...base, type: type('string'), minLength: 1, maxLength: 36, description: `${spec.description} The id of a ${spec.ref === undefined ? 'record' : ENTITIES[spec.ref].singular}.` };
  }
}

function fieldsOf(entity: EntityName, nullable: boolean): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(ENTITIES[entity].fields).map(([name, spec]) => [name, fieldSchema(spec, nullable)]));
}

const CUSTOM_WRITE = {
  type: 'object',
  additionalProperties: true,
  description: 'Custom fields (JSON values, at most 256 KiB in all). On update, keys are merged one by one; a null value removes its key.',
} as const;

const TIMESTAMP = { type: 'string', format: 'date-time' } as const;

/** The shared schemas of one entity: `<Name>`, `<Name>Create`, `<Name>Patch`. */
export function entitySchemas(entity: EntityName): JsonSchema[] {
  const name = schemaName(entity);
  const fields = fieldsOf(entity, true);
  const record: JsonSchema = {
    $id: name,
    type: 'object',
    description: `A ${ENTITIES[entity].singular} record.`,
    required: ['id', 'custom', 'created_at', 'updated_at', 'deleted_at', ...Object.keys(fields)],
    additionalProperties: false,
    properties: {
      id: { type: 'string', description: 'Record id (a time-ordered UUIDv7).' },
      ...fields,
      custom: { type: 'object', additionalProperties: true, description: 'Custom fields.' },
      created_at: { ...TIMESTAMP, description: 'When the record was created.' },
      updated_at: { ...TIMESTAMP, description: 'When the record last changed; its ETag.' },
      deleted_at: { type: ['string', 'null'], format: 'date-time', description: 'Always null here: deleted records are not returned.' },
    },
  };
  const create: JsonSchema = {
    $id: `${name}Create`,
    type: 'object',
    description: `A new ${ENTITIES[entity].singular}: any of its fields; unknown fields are refused.`,
    additionalProperties: false,
    properties: { id: { type: 'string', format: 'uuid', description: 'Optional: the id to create the record with (a UUID); made up when absent.' }, ...fields, custom: CUSTOM_WRITE },
  };
  const patch: JsonSchema = {
    $id: `${name}Patch`,
    type: 'object',
    description: `Fields of a ${ENTITIES[entity].singular} to change; null clears a field; unknown fields are refused.`,
    minProperties: 1,
    additionalProperties: false,
    properties: { ...fields, custom: CUSTOM_WRITE },
  };
  return [record, create, patch];
}

export function allEntitySchemas(): JsonSchema[] {
  return ENTITY_NAMES.flatMap((e) => entitySchemas(e));
}

/** Query of a list: pagination, sorting, `updated_since`, and one equality filter per field. */
export function listQuerySchema(entity: EntityName): JsonSchema {
  const filters = Object.fromEntries(
    Object.entries(ENTITIES[entity].fields).map(([name, spec]) => [name, { ...fieldSchema(spec, false), description: `Only records whose ${name} equals this. ${spec.description}` }]),
  );
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...pageQuery,
      sort: { type: 'string', enum: [...SORT_FIELDS], default: 'id', description: 'Sort by `id` (creation order, the default), `created_at` or `updated_at`.' },
      order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
      updated_since: { type: 'string', format: 'date-time', description: 'Only records changed at or after this time (ISO-8601).' },
      ...filters,
    },
    patternProperties: {
      '^custom\\.[A-Za-z0-9_-]{1,100}$': { type: 'string', maxLength: 1000, description: 'Equality on a custom field, compared as text: `custom.score=5`.' },
    },
  };
}

export function listResponseSchema(entity: EntityName): JsonSchema {
  return pageOf({ $ref: `${schemaName(entity)}#` }, `A page of ${entity}.`);
}
