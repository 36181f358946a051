// A connector definition with every template compiled once (base URL, headers, auth, check,
// streams with their pagination and incremental plans, actions), cached per definition object.
import type { ConnectorDefinition, Incremental, Stream } from '../generated/connector';
import { compileAuth, type CompiledAuth } from '../auth';
import { compileCondition, type Predicate } from '../conditions';
import { SwitchboardError } from '../errors';
import { createPaginator, type Paginator } from '../pagination';
import { compileTree, type TemplateContext, type TemplateRoot } from '../templates';
import { TEMPLATE_PLACES } from '../templates/places';
import { parsePath, type Path } from '../util/path';
import { compileBulk, type CompiledBulk } from './bulk';
import { compileEnrich, type CompiledEnrich } from './enrich-compile';
import { compileGraphqlSettings, type CompiledGraphql } from './graphql';
import { compileRequest, type CompiledRequest } from './request';
import { retryPolicy, type RetryPolicy } from './retry';

type Render = (ctx: TemplateContext) => unknown;

const CONFIG_ROOTS: readonly TemplateRoot[] = TEMPLATE_PLACES.shared;
const CONFIG_NOW_ROOTS: readonly TemplateRoot[] = TEMPLATE_PLACES.check;
const ACTION_ROOTS: readonly TemplateRoot[] = TEMPLATE_PLACES.action;

/** Default parallelism of child streams and follow-ups when the connector declares no `rate_limit.concurrency`. */
export const DEFAULT_CONCURRENCY = 4;

export const DEFAULT_TIMEOUT_MS = 30_000;

/** How one kind of read (full, or incremental) asks for pages. */
export interface ReadPlan {
  readonly request: CompiledRequest;
  readonly paginator: Paginator;
}

export interface IncrementalPlan extends ReadPlan {
  readonly spec: Incremental;
  /** The first run's cursor (`start`), seeing `config` and `now`. */
  readonly start: Render | undefined;
  /** With `param`: where `state.cursor` goes and how it is written; without, the request uses `{{state.cursor}}` itself. */
  readonly param: { name: string; in: 'query' | 'body'; format: Incremental['format'] } | undefined;
}

/** A child stream's parent: which stream, how its records are told apart, how many are read at once. */
export interface ParentPlan {
  readonly stream: string;
  readonly key: Path;
  /** Read only the parents changed since the last run, in incremental runs. */
  readonly incremental: boolean;
  readonly concurrency: number;
  readonly skipStatus: ReadonlySet<number>;
}

export interface CompiledStream {
  readonly name: string;
  readonly spec: Stream;
  readonly records: Path;
  readonly primaryKey: Path;
  readonly full: ReadPlan;
  readonly incremental: IncrementalPlan | undefined;
  readonly parent: ParentPlan | undefined;
  /** Follow-ups, in order, made for each page before it is handed out. */
  readonly enrich: readonly CompiledEnrich[];
  /** Records to keep (`filter`); undefined keeps all. */
  readonly filter: Predicate | undefined;
  /** Records that say they were deleted (`deleted`). */
  readonly deleted: Predicate | undefined;
  /** The asynchronous bulk job that reads the stream in the runs of its `modes` (`bulk`). */
  readonly bulk: CompiledBulk | undefined;
}

export interface CompiledConnector {
  readonly definition: ConnectorDefinition;
  readonly baseUrl: Render;
  /** `allowed_origins`, rendering to an array. */
  readonly allowedOrigins: Render | undefined;
  readonly headers: Render | undefined;
  readonly auth: CompiledAuth;
  readonly retry: RetryPolicy;
  /** How GraphQL answers speak of throttling and cost (`graphql`). */
  readonly graphql: CompiledGraphql;
  readonly timeoutMs: number;
  readonly check: CompiledRequest | undefined;
  readonly streams: ReadonlyMap<string, CompiledStream>;
  readonly actions: ReadonlyMap<string, CompiledRequest>;
}

function compileStream(name: string, spec: Stream, definition: ConnectorDefinition): CompiledStream {
  const roots = spec.parent === undefined ? TEMPLATE_PLACES.stream : TEMPLATE_PLACES.childStream;
  const full: ReadPlan = { request: compileRequest(spec.request, roots), paginator: createPaginator(spec.pagination) };
  const inc = spec.incremental;
  let incremental: IncrementalPlan | undefined;
  if (inc !== undefined) {
    incremental = {
      spec: inc,
      request: inc.request === undefined ? full.request : compileRequest(inc.request, roots),
      paginator: inc.pagination === undefined ? full.paginator : createPaginator(inc.pagination),
      start: inc.start === undefined ? undefined : compileTree(inc.start, { roots: CONFIG_NOW_ROOTS }),
      param: inc.param === undefined ? undefined : { name: inc.param, in: inc.in ?? 'query', format: inc.format },
    };
  }
  const concurrency = definition.rate_limit?.concurrency ?? DEFAULT_CONCURRENCY;
  const primaryKey = parsePath(spec.primary_key ?? 'id');
  let parent: ParentPlan | undefined;
  if (spec.parent !== undefined) {
    const parentSpec = definition.streams?.[spec.parent.stream];
    parent = {
      stream: spec.parent.stream,
      key: parsePath(spec.parent.key ?? parentSpec?.primary_key ?? 'id'),
      incremental: spec.parent.incremental ?? false,
      concurrency: spec.parent.concurrency ?? concurrency,
      skipStatus: new Set(spec.parent.skip_status ?? [404]),
    };
  }
  return {
    name,
    spec,
    records: parsePath(spec.records),
    primaryKey,
    full,
    incremental,
    parent,
    enrich: (spec.enrich ?? []).map((e) => compileEnrich(e, { primaryKey: spec.primary_key ?? 'id', concurrency })),
    filter: spec.filter === undefined ? undefined : compileCondition(spec.filter),
    deleted: spec.deleted === undefined ? undefined : compileCondition(spec.deleted),
    bulk: spec.bulk === undefined ? undefined : compileBulk(spec.bulk),
  };
}

const cache = new WeakMap<ConnectorDefinition, CompiledConnector>();

/** Compiles a definition (once per definition object; later calls return the same result). */
export function compileConnector(definition: ConnectorDefinition): CompiledConnector {
  const cached = cache.get(definition);
  if (cached !== undefined) return cached;
  const streams = new Map<string, CompiledStream>();
  for (const [name, spec] of Object.entries(definition.streams ?? {})) streams.set(name, compileStream(name, spec, definition));
  const actions = new Map<string, CompiledRequest>();
  for (const [name, spec] of Object.entries(definition.actions ?? {})) actions.set(name, compileRequest(spec.request, ACTION_ROOTS));
  const compiled: CompiledConnector = {
    definition,
    baseUrl: compileTree(definition.base_url, { roots: CONFIG_ROOTS }),
    allowedOrigins: definition.allowed_origins === undefined ? undefined : compileTree(definition.allowed_origins, { roots: CONFIG_ROOTS }),
    headers: definition.headers === undefined ? undefined : compileTree(definition.headers, { roots: CONFIG_ROOTS }),
    auth: compileAuth(definition.auth),
    retry: retryPolicy(definition.retry),
    graphql: compileGraphqlSettings(definition.graphql),
    timeoutMs: definition.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    check: definition.check === undefined ? undefined : compileRequest(definition.check.request, CONFIG_NOW_ROOTS),
    streams,
    actions,
  };
  cache.set(definition, compiled);
  return compiled;
}

/** A stream of a compiled connector, or SB_NOT_FOUND naming the streams there are. */
export function streamOf(connector: CompiledConnector, name: string): CompiledStream {
  const stream = connector.streams.get(name);
  if (stream === undefined) {
    const known = [...connector.streams.keys()].join(', ') || 'none';
    throw new SwitchboardError('SB_NOT_FOUND', `connector "${connector.definition.id}" has no stream "${name}" (streams: ${known})`);
  }
  return stream;
}
