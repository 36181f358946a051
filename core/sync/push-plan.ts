// What a push run works with, compiled once per run: the mapping's payload builder, the
// connector actions it calls (with their batching and idempotency), the conflict policy and
// what a pull of the same mapping would make of a pushed record.
import { SwitchboardError } from '../errors';
import type { ConnectorDefinition } from '../generated/connector';
import type { MappingDefinition } from '../generated/mapping';
import { compileBatchItems } from '../http/batch-body';
import { compileConnector } from '../http/compiled';
import type { CompiledRequest } from '../http/request';
import { secretNamesOf } from '../definitions/connector-checks';
import { compilePullMapping, mappingConfig, type CompiledPullMapping } from '../mapping/compile-pull';
import { compilePushMapping, type CompiledPushMapping } from '../mapping/compile-push';
import type { EntityName } from '../store/entities';
import type { RunHolder } from '../store/tables/sync-runs';
import { type TemplateContext, type TemplateRoot } from '../templates';
import { TEMPLATE_PLACES } from '../templates/places';
import { getPath, parsePath, type Path } from '../util/path';

/** Action templates see the payload as `record`, plus `config` and `now` (FORMAT.md, "Templates"). */
const ACTION_ROOTS: readonly TemplateRoot[] = TEMPLATE_PLACES.action;

export type DeliveryKind = 'create' | 'update' | 'delete';

/** One CRM record to deliver through one action: JSON, because it is saved before it is sent. */
export interface Delivery {
  crmId: string;
  kind: DeliveryKind;
  action: string;
  /** The record's id in the API (its link), null for creates. */
  externalId: string | null;
  payload: Record<string, unknown>;
  /** The payload's hash (see CompiledPushMapping.build). */
  hash: string;
  /** The first and last outbox change of the record that this delivery carries. */
  first: number;
  last: number;
}

export interface CompiledAction {
  readonly name: string;
  readonly request: CompiledRequest;
  /** Response path to the id the API gave the record (inside each batch result). */
  readonly externalId: Path | undefined;
  readonly batch:
    | {
        readonly size: number;
        readonly items: Path;
        /** Renders the per-record element of the `items` array. */
        readonly item: (ctx: TemplateContext) => unknown;
        readonly results: Path | undefined;
        /** Per-record errors (multi-status answers), and how an error or a failed result tells its reason. */
        readonly errors: Path | undefined;
        readonly failed: { readonly path: Path; readonly equals: unknown } | undefined;
        readonly reason: Path;
        /** A key Switchboard writes into each element (the CRM id) and the API echoes in results and errors. */
        readonly trace: { readonly item: Path; readonly result: Path; readonly error: Path | undefined } | undefined;
        readonly match: { readonly result: Path; readonly record: Path; readonly error: Path | undefined } | undefined;
      }
    | undefined;
  /** The idempotency header, when the API honours keys for this action's method. */
  readonly idempotencyHeader: string | undefined;
  /** `user_errors`: where a 2xx answer lists why the record was refused (GraphQL `userErrors`). */
  readonly userErrors: { path: Path; reason: Path; field: Path | undefined } | undefined;
}

export interface PushPlan {
  runId: string;
  connectionId: string;
  mappingId: string;
  entity: EntityName;
  mapping: CompiledPushMapping;
  actions: ReadonlyMap<string, CompiledAction>;
  config: Record<string, unknown>;
  conflict: 'source_wins' | 'crm_wins' | 'newest_wins';
  /** CRM fields a pull of this mapping writes (`email`, `custom.score`): only changes within them can be overtaken by a pull. */
  pulledFields: ReadonlySet<string>;
  /** What a pull would make of a pushed record (the payload, with the external id at the stream's primary key). */
  echo: { mapping: CompiledPullMapping; primaryKey: Path } | undefined;
  /** Who holds the run: results are stored only while it still does (undefined: unfenced, tests). */
  holder?: RunHolder;
}

export function compileAction(connector: ConnectorDefinition, name: string): CompiledAction {
  const spec = connector.actions?.[name];
  const request = compileConnector(connector).actions.get(name);
  if (spec === undefined || request === undefined) throw new SwitchboardError('SB_DEFINITION_INVALID', `connector "${connector.id}" has no action "${name}"`);
  let batch: CompiledAction['batch'];
  if (spec.batch !== undefined) {
    batch = {
      size: spec.batch.size,
      ...compileBatchItems(spec.request.body, spec.batch.items, ACTION_ROOTS, `action "${name}" of connector "${connector.id}": batch`),
      results: optionalPath(spec.batch.results),
      errors: optionalPath(spec.batch.errors),
      failed: spec.batch.failed === undefined ? undefined : { path: parsePath(spec.batch.failed.path), equals: spec.batch.failed.equals ?? false },
      reason: parsePath(spec.batch.reason ?? 'message'),
      trace: spec.batch.trace === undefined ? undefined : { item: parsePath(spec.batch.trace.item), result: parsePath(spec.batch.trace.result), error: optionalPath(spec.batch.trace.error) },
      match: spec.batch.match === undefined ? undefined : { result: parsePath(spec.batch.match.result), record: parsePath(spec.batch.match.record), error: optionalPath(spec.batch.match.error) },
    };
  }
  // The action's own setting, else the connector's; a key goes only with the methods the API
  // honours it for (default: the action's own method, or POST for the connector's).
  const keys = spec.idempotency ?? connector.idempotency;
  const methods = keys?.methods ?? (spec.idempotency !== undefined ? [request.method] : ['POST']);
  return {
    name,
    request,
    externalId: optionalPath(spec.external_id),
    batch,
    idempotencyHeader: keys !== undefined && (methods as readonly string[]).includes(request.method) ? keys.header : undefined,
    userErrors: spec.user_errors === undefined ? undefined : { path: parsePath(spec.user_errors.path), reason: parsePath(spec.user_errors.reason ?? 'message'), field: optionalPath(spec.user_errors.field) },
  };
}

function optionalPath(path: string | undefined): Path | undefined {
  return path === undefined ? undefined : parsePath(path);
}

export interface PushPlanInput {
  runId: string;
  connectionId: string;
  mapping: MappingDefinition;
  connector: ConnectorDefinition;
  config: Record<string, unknown>;
  holder?: RunHolder;
}

export function buildPushPlan(input: PushPlanInput): PushPlan {
  const def = input.mapping;
  const mapping = compilePushMapping(def);
  const actions = new Map<string, CompiledAction>();
  for (const name of Object.values(mapping.actions)) if (!actions.has(name)) actions.set(name, compileAction(input.connector, name));
  const stream = input.connector.streams?.[def.stream];
  return {
    runId: input.runId,
    connectionId: input.connectionId,
    mappingId: def.id,
    entity: mapping.entity,
    mapping,
    actions,
    // Push field templates (and the echo's pull mapping) see no secrets; actions render with the client's config.
    config: mappingConfig(input.config, secretNamesOf(input.connector)),
    conflict: def.conflict ?? 'source_wins',
    pulledFields: new Set(Object.keys(def.fields)),
    echo: stream === undefined ? undefined : { mapping: compilePullMapping(def), primaryKey: parsePath(stream.primary_key ?? 'id') },
    ...(input.holder === undefined ? {} : { holder: input.holder }),
  };
}
