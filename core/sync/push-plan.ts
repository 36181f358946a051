// What a push run works with, compiled once per run: the mapping's payload builder, the
// connector actions it calls (with their batching and idempotency), the conflict policy and
// what a pull of the same mapping would make of a pushed record.
import { SwitchboardError } from '../errors';
import type { ConnectorDefinition } from '../generated/connector';
import type { MappingDefinition } from '../generated/mapping';
import { compileConnector } from '../http/compiled';
import type { CompiledRequest } from '../http/request';
import { secretNamesOf } from '../definitions/connector-checks';
import { compilePullMapping, mappingConfig, type CompiledPullMapping } from '../mapping/compile-pull';
import { compilePushMapping, type CompiledPushMapping } from '../mapping/compile-push';
import type { EntityName } from '../store/entities';
import { compileTree, type TemplateContext, type TemplateRoot } from '../templates';
import { getPath, parsePath, type Path } from '../util/path';

/** Action templates see the payload as `record`, plus `config` and `now` (FORMAT.md, "Templates"). */
const ACTION_ROOTS: readonly TemplateRoot[] = ['record', 'config', 'now'];

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
        readonly match: { readonly result: Path; readonly record: Path } | undefined;
      }
    | undefined;
  readonly idempotencyHeader: string | undefined;
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
}

function compileAction(connector: ConnectorDefinition, name: string): CompiledAction {
  const spec = connector.actions?.[name];
  const request = compileConnector(connector).actions.get(name);
  if (spec === undefined || request === undefined) throw new SwitchboardError('SB_DEFINITION_INVALID', `connector "${connector.id}" has no action "${name}"`);
  let batch: CompiledAction['batch'];
  if (spec.batch !== undefined) {
    const items = parsePath(spec.batch.items);
    const element = getPath(spec.request.body, items);
    if (!Array.isArray(element) || element.length !== 1) {
      throw new SwitchboardError('SB_DEFINITION_INVALID', `action "${name}" of connector "${connector.id}": batch.items "${spec.batch.items}" must name a one-element array in request.body`);
    }
    batch = {
      size: spec.batch.size,
      items,
      item: compileTree(element[0], { roots: ACTION_ROOTS }),
      results: spec.batch.results === undefined ? undefined : parsePath(spec.batch.results),
      match: spec.batch.match === undefined ? undefined : { result: parsePath(spec.batch.match.result), record: parsePath(spec.batch.match.record) },
    };
  }
  return {
    name,
    request,
    externalId: spec.external_id === undefined ? undefined : parsePath(spec.external_id),
    batch,
    idempotencyHeader: spec.idempotency?.header,
  };
}

export interface PushPlanInput {
  runId: string;
  connectionId: string;
  mapping: MappingDefinition;
  connector: ConnectorDefinition;
  config: Record<string, unknown>;
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
  };
}
