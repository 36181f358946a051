// Compiles a mapping once into a function from a source record to an entity row: paths,
// templates, constants, transforms, lookup maps, defaults, `custom.*` fields and refs, then the
// `required` checks and the entity's column types. A record that fails gets a reason naming
// the field, never an exception.
import { createHash, hash as oneShotHash } from 'node:crypto';
import { SwitchboardError, errorMessage, isSwitchboardError, type ErrorCode } from '../errors';
import type { MappingDefinition, MappingField } from '../generated/mapping';
import { ENTITIES, type EntityName, type FieldSpec } from '../store/entities';
import { normalizeCustom, normalizeField } from '../store/values';
import { compileTemplate, type TemplateContext } from '../templates';
import { TEMPLATE_PLACES } from '../templates/places';
import { compileCondition, scopeReader, type ConditionScope } from '../conditions';
import { compileSteps } from './steps';
import { getPath, parsePath } from '../util/path';

/**
 * The roots a mapping field template may use (FORMAT.md, "Templates"); `parent` and `parents`
 * are only set for child streams (the validator refuses them elsewhere).
 */
export const MAPPING_TEMPLATE_ROOTS = TEMPLATE_PLACES.childMapping;

/** A reference the record makes to another entity's record, by external id. */
export interface RefValue {
  field: string;
  entity: EntityName;
  externalId: string;
}

export type MapResult =
  | {
      ok: true;
      /** Entity columns as stored (checked and normalized), `custom` as an object when any custom field is mapped. */
      values: Record<string, unknown>;
      /** `ref` fields, still as external ids: the sync engine resolves them through record links. */
      refs: RefValue[];
      /** Stable hash of what the record maps to: equal hashes mean nothing to write. */
      hash: string;
    }
  | { ok: false; code: ErrorCode; field: string | null; reason: string };

/**
 * The `config` mapping templates see: the connection's settings without its secret ones. What
 * a mapping renders lands in CRM records (or payloads); `validate` refuses templates reading
 * secrets, and this keeps them out even of a mapping that slipped past it.
 */
export function mappingConfig(config: Record<string, unknown>, secretKeys: Iterable<string>): Record<string, unknown> {
  const visible = { ...config };
  for (const key of secretKeys) delete visible[key];
  return visible;
}

export interface MappingContext {
  config: Record<string, unknown>;
  /** ISO-8601 UTC; the same for a whole page. */
  now: string;
  /** Child streams: the record's parent, and every ancestor by stream name. */
  parent?: unknown;
  parents?: Readonly<Record<string, unknown>> | undefined;
}

export interface CompiledPullMapping {
  readonly id: string;
  readonly entity: EntityName;
  /** The `ref` fields: which entity each references. */
  readonly refFields: ReadonlyArray<{ field: string; entity: EntityName }>;
  /** Maps one source record. Never throws for a bad record. */
  map(record: unknown, ctx: MappingContext): MapResult;
}

const MISSING = (v: unknown): boolean => v === undefined || v === null || v === '';

type Getter = (record: unknown, tctx: TemplateContext) => unknown;

interface CompiledField {
  name: string;
  /** `custom.<key>` fields go into the custom object under `key`. */
  customKey: string | undefined;
  spec: FieldSpec | undefined;
  ref: EntityName | undefined;
  get: Getter;
}

/** A path read in the record, or with `from` in one of its parent records. */
function pathGetter(path: string, from: string | undefined): Getter {
  const segments = parsePath(path);
  if (from === undefined || from === 'record') return (record) => getPath(record, segments);
  const read = scopeReader(from);
  return (record, tctx) => getPath(read(scopeOf(record, tctx)), segments);
}

function scopeOf(record: unknown, tctx: TemplateContext): ConditionScope {
  return { record, parent: tctx.parent, parents: tctx.parents as ConditionScope['parents'] };
}

/** `cases`: the value of the first case whose condition holds; none: missing. */
function casesGetter(cases: NonNullable<Extract<MappingField, object>['cases']>): Getter {
  const compiled = cases.map((c) => {
    const when = compileCondition(c.when);
    let get: Getter;
    if (c.path !== undefined) get = pathGetter(c.path, c.from);
    else if (c.template !== undefined) {
      const template = compileTemplate(c.template, { roots: MAPPING_TEMPLATE_ROOTS });
      get = (_record, tctx) => template(tctx);
    } else {
      const constant = c.value;
      get = () => constant;
    }
    return { when, get };
  });
  return (record, tctx) => {
    const scope = scopeOf(record, tctx);
    for (const c of compiled) if (c.when(scope)) return c.get(record, tctx);
    return undefined;
  };
}

function compileSource(name: string, field: MappingField): { get: Getter; ref: EntityName | undefined } {
  if (typeof field === 'string') {
    const path = parsePath(field);
    return { get: (record) => getPath(record, path), ref: undefined };
  }
  let get: Getter;
  let ref: EntityName | undefined;
  if (field.path !== undefined) {
    get = pathGetter(field.path, field.from);
  } else if (field.template !== undefined) {
    const template = compileTemplate(field.template, { roots: MAPPING_TEMPLATE_ROOTS });
    get = (_record, tctx) => template(tctx);
  } else if (field.ref !== undefined) {
    ref = field.ref.entity;
    get = pathGetter(field.ref.path, field.ref.from);
  } else if (field.cases !== undefined) {
    get = casesGetter(field.cases);
  } else if ('value' in field) {
    const constant = field.value;
    get = () => constant;
  } else {
    throw new SwitchboardError('SB_DEFINITION_INVALID', `field "${name}" has none of path, template, value, ref, cases`);
  }
  const steps = compileSteps(field);
  if (steps === undefined) return { get, ref };
  const base = get;
  return { ref, get: (record, tctx) => steps(base(record, tctx)) };
}

/**
 * Values from APIs are often of a neighbouring type (HubSpot sends every property as text,
 * Pipedrive ids as numbers): convert where nothing can be lost, and leave the rest to the
 * column check, which then names the field.
 */
function coerce(spec: FieldSpec, value: unknown): unknown {
  switch (spec.type) {
    case 'string':
    case 'text':
    case 'ref':
    case 'enum':
      return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : value;
    case 'number':
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return value;
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? value.slice(0, 10) : value;
    default:
      return value;
  }
}

/**
 * The hash of what a record maps to. The values object is built in the mapping's field order,
 * so its JSON text is the same for the same values whatever the order of the source's keys (a
 * nested object taken whole from the source keeps the API's own, stable, key order).
 */
export function hashValues(values: Record<string, unknown>, refs: readonly RefValue[]): string {
  if (refs.length === 0) return oneShotHash('sha1', JSON.stringify(values), 'base64url');
  const h = createHash('sha1');
  h.update(JSON.stringify(values));
  for (const r of refs) h.update(`\u0000${r.field}=${r.externalId}`);
  return h.digest('base64url');
}

const compiled = new WeakMap<MappingDefinition, CompiledPullMapping>();

/** Compiles a mapping (once per definition object; later calls return the same result). */
export function compilePullMapping(def: MappingDefinition): CompiledPullMapping {
  let mapping = compiled.get(def);
  if (mapping === undefined) compiled.set(def, (mapping = compileUncached(def)));
  return mapping;
}

function compileUncached(def: MappingDefinition): CompiledPullMapping {
  const entity = def.entity as EntityName;
  const columns = ENTITIES[entity].fields;
  const fields: CompiledField[] = Object.entries(def.fields).map(([name, field]) => {
    const { get, ref } = compileSource(name, field);
    const customKey = name.startsWith('custom.') ? name.slice('custom.'.length) : undefined;
    return { name, customKey, spec: customKey === undefined ? columns[name] : undefined, ref, get };
  });
  for (const f of fields) {
    if (f.customKey === undefined && f.spec === undefined) {
      throw new SwitchboardError('SB_DEFINITION_INVALID', `mapping ${def.id}: ${entity} has no field "${f.name}"`);
    }
  }
  const required = def.required ?? [];
  const refFields = fields.filter((f) => f.ref !== undefined).map((f) => ({ field: f.name, entity: f.ref as EntityName }));

  function map(record: unknown, ctx: MappingContext): MapResult {
    const tctx: TemplateContext = ctx.parent === undefined ? { record, config: ctx.config, now: ctx.now } : { record, config: ctx.config, now: ctx.now, parent: ctx.parent, parents: ctx.parents };
    const values: Record<string, unknown> = {};
    const refs: RefValue[] = [];
    let custom: Record<string, unknown> | undefined;
    let current = '';
    try {
      for (const f of fields) {
        current = f.name;
        let value = f.get(record, tctx);
        if (f.ref !== undefined) {
          if (!MISSING(value)) {
            if (typeof value === 'object') return reject('SB_MAPPING_FAILED', f.name, `${f.name}: the referenced id must be a string or number, got ${JSON.stringify(value)}`);
            refs.push({ field: f.name, entity: f.ref, externalId: String(value) });
          } else {
            values[f.name] = null;
          }
          continue;
        }
        if (value === undefined) continue;
        if (f.customKey !== undefined) {
          (custom ??= {})[f.customKey] = value;
          continue;
        }
        value = coerce(f.spec as FieldSpec, value);
        values[f.name] = normalizeField(entity, f.name, f.spec as FieldSpec, value);
      }
      current = 'custom';
      if (custom !== undefined) values['custom'] = plainCustom(custom) ?? normalizeCustom(entity, JSON.parse(JSON.stringify(custom)) as Record<string, unknown>);
    } catch (err) {
      const field = isSwitchboardError(err) && typeof err.details?.['field'] === 'string' ? (err.details['field'] as string) : current;
      const code: ErrorCode = isSwitchboardError(err) ? err.code : 'SB_MAPPING_FAILED';
      return reject(code, field, errorMessage(err));
    }
    for (const name of required) {
      const present = name.startsWith('custom.')
        ? !MISSING(custom?.[name.slice('custom.'.length)])
        : refs.some((r) => r.field === name) || !MISSING(values[name]);
      if (!present) return reject('SB_MAPPING_FAILED', name, `${name} is required but missing`);
    }
    return { ok: true, values, refs, hash: hashValues(values, refs) };
  }

  return { id: def.id, entity, refFields, map };
}

/** Custom values longer than this get the full size check (a character is at most six in JSON, 6 x 40 KiB < 256 KiB). */
const PLAIN_CUSTOM_CHARS = 40 * 1024;

/**
 * The custom object as stored when every value is a JSON scalar and the whole is small (the
 * usual case: no copy needed); undefined when it needs the JSON round trip and size check.
 */
function plainCustom(custom: Record<string, unknown>): Record<string, unknown> | undefined {
  let chars = 0;
  for (const key in custom) {
    const v = custom[key];
    if (typeof v === 'string') chars += v.length + key.length;
    else if (v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) chars += key.length + 8;
    else return undefined;
  }
  return chars < PLAIN_CUSTOM_CHARS ? custom : undefined;
}

function reject(code: ErrorCode, field: string | null, reason: string): MapResult {
  return { ok: false, code, field, reason };
}
