// GraphQL over HTTP: a request's `graphql` (document and variable templates) as the JSON body
// `{query, variables, operationName}`, the `errors` of an answer (a 200 too) read as a throttle
// to wait out or as a failure naming each error, and the cost bucket an answer reports
// (Shopify's `extensions.cost`) turned into how long the connection holds back.
import type { GraphqlRequest, GraphqlSettings } from '../generated/connector';
import { compileTree, type TemplateContext, type TemplateRoot } from '../templates';
import { getPath, parsePath, type Path } from '../util/path';

/** The document of a `graphql` request as sent: an array of lines joined with line breaks. */
export function graphqlDocument(spec: GraphqlRequest): string {
  return Array.isArray(spec.query) ? spec.query.join('\n') : spec.query;
}

/**
 * The body of a GraphQL request. The document is not a template (GraphQL's own braces would
 * read as Handlebars); the variables are.
 */
export function compileGraphqlBody(spec: GraphqlRequest, roots: readonly TemplateRoot[]): (ctx: TemplateContext) => unknown {
  const query = graphqlDocument(spec);
  const variables = spec.variables === undefined ? undefined : compileTree(spec.variables, { roots });
  const operationName = spec.operation_name;
  return (ctx) => ({
    query,
    ...(variables === undefined ? {} : { variables: variables(ctx) }),
    ...(operationName === undefined ? {} : { operationName }),
  });
}

export interface CompiledGraphql {
  readonly retryCodes: ReadonlySet<string>;
  readonly codePath: Path;
  readonly cost: { requested: Path; available: Path; restoreRate: Path; maximum: Path | undefined } | undefined;
}

export function compileGraphqlSettings(spec: GraphqlSettings | undefined): CompiledGraphql {
  const cost = spec?.cost;
  return {
    retryCodes: new Set(spec?.retry_codes ?? ['THROTTLED']),
    codePath: parsePath(spec?.code_path ?? 'extensions.code'),
    cost:
      cost === undefined
        ? undefined
        : { requested: parsePath(cost.requested), available: parsePath(cost.available), restoreRate: parsePath(cost.restore_rate), maximum: cost.maximum === undefined ? undefined : parsePath(cost.maximum) },
  };
}

/** What the `errors` of an answer say: nothing (no errors), a throttle, or a failure. */
export type GraphqlOutcome = undefined | { throttled: boolean; message: string; errors: unknown[] };

function describe(error: unknown, codePath: Path): string {
  const message = getPath(error, ['message']);
  const code = getPath(error, codePath);
  const path = getPath(error, ['path']);
  let text = typeof message === 'string' && message !== '' ? message : JSON.stringify(error);
  if (typeof code === 'string' && code !== '') text += ` (${code})`;
  if (Array.isArray(path) && path.length > 0) text += ` at ${path.join('.')}`;
  return text;
}

/**
 * The errors of a GraphQL answer. Partial data with errors is a failure too: a page with some of
 * its records missing must never pass for the whole page (a full run would sweep the rest).
 */
export function graphqlErrors(body: unknown, settings: CompiledGraphql): GraphqlOutcome {
  const errors = getPath(body, ['errors']);
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const throttled = errors.every((e) => {
    const code = getPath(e, settings.codePath);
    return typeof code === 'string' && settings.retryCodes.has(code);
  });
  return { throttled, message: errors.map((e) => describe(e, settings.codePath)).join('; '), errors };
}

function num(body: unknown, path: Path | undefined): number | undefined {
  if (path === undefined) return undefined;
  const value = getPath(body, path);
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/**
 * How long to hold back after an answer, per its cost report: until the bucket holds `needed`
 * points (a throttled answer: what the query asked for; else that times the requests that may be
 * in flight), at the restore rate; never for more than the bucket's size. Undefined when the
 * answer reports no usable cost or leaves room.
 */
export function costWaitMs(settings: CompiledGraphql, body: unknown, inFlight: number, throttled: boolean): number | undefined {
  const cost = settings.cost;
  if (cost === undefined) return undefined;
  const requested = num(body, cost.requested);
  const available = num(body, cost.available);
  const rate = num(body, cost.restoreRate);
  if (requested === undefined || available === undefined || rate === undefined || rate <= 0) return undefined;
  const maximum = num(body, cost.maximum);
  let needed = throttled ? requested : requested * Math.max(1, inFlight);
  if (maximum !== undefined) needed = Math.min(needed, maximum);
  if (available >= needed) return undefined;
  return Math.ceil(((needed - available) / rate) * 1000);
}
