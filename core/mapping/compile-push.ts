// Compiles a mapping's `push` section once into a function from a CRM row to the payload the
// connector's actions see as `record`: CRM fields, `external_id`, the external ids of referenced
// records (`ref`), templates and constants, then `transform`, `map` and `default`, each set at
// its dot path in the third-party record.
import { SwitchboardError, errorMessage, isSwitchboardError, type ErrorCode } from '../errors';
import type { MappingDefinition, PushField } from '../generated/mapping';
import { ENTITIES, type EntityName } from '../store/entities';
import { compileTemplate, type TemplateContext } from '../templates';
import { parsePath, setPath, type Path } from '../util/path';
import { hashValues } from './compile-pull';
import { compileSteps } from './steps';

/** The roots a push field template may use: `record` (the CRM row plus `external_id`), `config`, `now`. */
export const PUSH_TEMPLATE_ROOTS = ['record', 'config', 'now'] as const;

/** The push field that stands for the record's id in the API (from its record link). */
export const EXTERNAL_ID_FIELD = 'external_id';

export interface PushContext {
  config: Record<string, unknown>;
  /** ISO-8601 UTC. */
  now: string;
  /** For `ref` fields: the external id, on this connection, of a record of `entity` (undefined when not linked). */
  externalIdOf?: (entity: EntityName, crmId: string) => string | undefined;
}

export type PushBuild =
  | {
      ok: true;
      /** What the action's templates see as `record`. */
      payload: Record<string, unknown>;
      /**
       * Stable hash of the payload, the same whether the external id is known or not (a record
       * just created hashes like its next update), so "already pushed" is a hash comparison.
       */
      hash: string;
    }
  | { ok: false; code: ErrorCode; field: string | null; reason: string };

export interface CompiledPushMapping {
  readonly id: string;
  readonly entity: EntityName;
  /** Action names for each kind of change (absent: that kind is not pushed). */
  readonly actions: { readonly create?: string; readonly update?: string; readonly delete?: string };
  /** The reference fields `ref` push fields read, with the entity each points to: their external ids go in `PushContext.externalIdOf`. */
  readonly refFields: ReadonlyArray<{ field: string; entity: EntityName }>;
  /** Builds the payload of a CRM row; `externalId` is null for records not linked yet. Never throws for a bad row. */
  build(row: Record<string, unknown>, externalId: string | null, ctx: PushContext): PushBuild;
}

type Getter = (row: Record<string, unknown>, externalId: string | null, tctx: TemplateContext, ctx: PushContext) => unknown;

/** Stands for the external id when hashing, so the hash does not depend on it. */
const ID_MARK = '\u0000external_id';

function fieldGetter(name: string): Getter {
  if (name === EXTERNAL_ID_FIELD) return (_row, externalId) => externalId ?? undefined;
  if (name.startsWith('custom.')) {
    const key = name.slice('custom.'.length);
    return (row) => {
      const custom = row['custom'];
      return custom !== null && typeof custom === 'object' && Object.prototype.hasOwnProperty.call(custom, key) ? (custom as Record<string, unknown>)[key] : undefined;
    };
  }
  return (row) => (Object.prototype.hasOwnProperty.call(row, name) ? row[name] : undefined);
}

function compileField(entity: EntityName, path: string, field: PushField): { get: Getter; usesExternalId: boolean; ref?: { field: string; entity: EntityName } } {
  if (typeof field === 'string') return { get: fieldGetter(field), usesExternalId: field === EXTERNAL_ID_FIELD };
  let get: Getter;
  let usesExternalId = false;
  let ref: { field: string; entity: EntityName } | undefined;
  if (field.ref !== undefined) {
    const name = field.ref;
    const target = ENTITIES[entity].fields[name]?.ref;
    if (target === undefined) throw new SwitchboardError('SB_DEFINITION_INVALID', `push field "${path}": "${name}" is not a reference field of ${entity}`);
    ref = { field: name, entity: target };
    get = (row, _id, _tctx, ctx) => {
      const crmId = row[name];
      if (crmId === null || crmId === undefined || crmId === '') return null;
      // Not linked to this connection (yet): left out, so an update never clears it at the API.
      return ctx.externalIdOf?.(target, String(crmId));
    };
  } else if (field.field !== undefined) {
    get = fieldGetter(field.field);
    usesExternalId = field.field === EXTERNAL_ID_FIELD;
  } else if (field.template !== undefined) {
    const template = compileTemplate(field.template, { roots: PUSH_TEMPLATE_ROOTS });
    get = (_row, _id, tctx) => template(tctx);
    usesExternalId = field.template.includes(EXTERNAL_ID_FIELD);
  } else if ('value' in field) {
    const constant = field.value;
    get = () => constant;
  } else {
    throw new SwitchboardError('SB_DEFINITION_INVALID', `push field "${path}" has none of field, template, value, ref`);
  }
  const steps = compileSteps(field);
  const base = get;
  return { usesExternalId, ...(ref === undefined ? {} : { ref }), get: steps === undefined ? base : (row, externalId, tctx, ctx) => steps(base(row, externalId, tctx, ctx)) };
}

export function compilePushMapping(def: MappingDefinition): CompiledPushMapping {
  const push = def.push;
  if (push === undefined) throw new SwitchboardError('SB_DEFINITION_INVALID', `mapping ${def.id} has no push section`);
  const fields: { path: string; segments: Path; get: Getter }[] = [];
  const refFields: { field: string; entity: EntityName }[] = [];
  let usesExternalId = false;
  for (const [path, field] of Object.entries(push.fields)) {
    const segments = parsePath(path);
    if (segments.length === 0 || segments.some((s) => s === '__proto__' || s === 'constructor' || s === 'prototype')) {
      throw new SwitchboardError('SB_DEFINITION_INVALID', `mapping ${def.id}: push field path "${path}" is not allowed`);
    }
    const compiled = compileField(def.entity as EntityName, path, field);
    usesExternalId ||= compiled.usesExternalId;
    if (compiled.ref !== undefined && !refFields.some((r) => r.field === compiled.ref!.field)) refFields.push(compiled.ref);
    fields.push({ path, segments, get: compiled.get });
  }

  function render(row: Record<string, unknown>, externalId: string | null, ctx: PushContext): Record<string, unknown> {
    const tctx: TemplateContext = { record: { ...row, [EXTERNAL_ID_FIELD]: externalId }, config: ctx.config, now: ctx.now };
    const payload: Record<string, unknown> = {};
    for (const f of fields) {
      try {
        const value = f.get(row, externalId, tctx, ctx);
        if (value !== undefined) setPath(payload, f.segments, value);
      } catch (err) {
        throw new SwitchboardError(isSwitchboardError(err) ? err.code : 'SB_MAPPING_FAILED', `push field ${f.path}: ${errorMessage(err)}`, { details: { field: f.path }, cause: err });
      }
    }
    return payload;
  }

  /** The payload with a fixed stand-in for the external id (or the payload, if a transform refuses the stand-in). */
  function markedOrSelf(row: Record<string, unknown>, payload: Record<string, unknown>, ctx: PushContext): Record<string, unknown> {
    try {
      return render(row, ID_MARK, ctx);
    } catch {
      return payload;
    }
  }

  function build(row: Record<string, unknown>, externalId: string | null, ctx: PushContext): PushBuild {
    try {
      const payload = render(row, externalId, ctx);
      return { ok: true, payload, hash: hashValues(usesExternalId ? markedOrSelf(row, payload, ctx) : payload, []) };
    } catch (err) {
      const field = isSwitchboardError(err) && typeof err.details?.['field'] === 'string' ? (err.details['field'] as string) : null;
      return { ok: false, code: isSwitchboardError(err) ? err.code : 'SB_MAPPING_FAILED', field, reason: errorMessage(err) };
    }
  }

  const actions: { create?: string; update?: string; delete?: string } = {};
  if (push.create !== undefined) actions.create = push.create;
  if (push.update !== undefined) actions.update = push.update;
  if (push.delete !== undefined) actions.delete = push.delete;
  return { id: def.id, entity: def.entity as EntityName, actions, refFields, build };
}
