// Requests from definitions: a RequestSpec compiled once (path, query, headers, body
// templates), rendered per request with the template context, plus pagination parameters and
// credentials, into the method, exact URL, headers and encoded body to send.
import type { RequestSpec } from '../generated/connector';
import { compileTree, type TemplateContext, type TemplateRoot } from '../templates';
import type { PageParams } from '../pagination';
import { setPath } from '../util/path';
import { encodeForm, encodeQuery, withQuery } from './encode';
import { compileGraphqlBody } from './graphql';
import type { HttpRequest } from './transport';

type Render = (ctx: TemplateContext) => unknown;

export interface CompiledRequest {
  readonly method: string;
  /** The endpoint, as runs report their requests: the method and the path as written (`GET /users/{{config.id}}`). */
  readonly label: string;
  readonly path: Render;
  readonly query: Render | undefined;
  readonly headers: Render | undefined;
  readonly body: Render | undefined;
  readonly bodyFormat: 'json' | 'form';
  /** A GraphQL request (`graphql`): `errors` in its answers are errors, its cost is read. */
  readonly graphql: boolean;
}

/** Compiles a request's templates; `roots` are the context roots they may use where they stand. */
export function compileRequest(spec: RequestSpec, roots: readonly TemplateRoot[]): CompiledRequest {
  const options = { roots };
  const graphql = spec.graphql;
  const method = spec.method ?? (graphql === undefined ? 'GET' : 'POST');
  return {
    method,
    label: `${method} ${spec.path}${graphql?.operation_name === undefined ? '' : ` ${graphql.operation_name}`}`,
    path: compileTree(spec.path, options),
    query: spec.query === undefined ? undefined : compileTree(spec.query, options),
    headers: spec.headers === undefined ? undefined : compileTree(spec.headers, options),
    body: graphql !== undefined ? compileGraphqlBody(graphql, roots) : spec.body === undefined ? undefined : compileTree(spec.body, options),
    bodyFormat: graphql !== undefined ? 'json' : (spec.body_format ?? 'json'),
    graphql: graphql !== undefined,
  };
}

/** What a request is sent with besides its own definition. */
export interface RequestBase {
  /** The base URL (the definition's, rendered, or the one the OAuth2 token response gave). */
  baseUrl: string;
  /** Headers every request carries (defaults, then the definition's), names lower-cased. */
  headers: Readonly<Record<string, string>>;
}

/** Lower-cases header names and turns rendered values into strings; null and undefined drop the header. */
export function headerMap(rendered: unknown, into: Record<string, string> = {}): Record<string, string> {
  if (rendered !== null && typeof rendered === 'object') {
    for (const [name, value] of Object.entries(rendered)) {
      if (value === undefined || value === null) continue;
      into[name.toLowerCase()] = typeof value === 'string' ? value : String(value);
    }
  }
  return into;
}

/** Joins a path (or an absolute URL) to the base URL. */
export function joinUrl(baseUrl: string, path: string): string {
  if (/^https?:\/\//i.test(path)) return path;
  if (path.startsWith('//')) return `${baseUrl.slice(0, baseUrl.indexOf(':') + 1)}${path}`;
  if (path === '') return baseUrl;
  if (path.startsWith('/')) {
    return `${baseUrl.replace(/\/+$/, '')}${path}`;
  }
  return `${baseUrl.replace(/\/+$/, '')}/${path}`;
}

/**
 * Resolves a next-page URL from a response without changing it: absolute URLs as given, paths
 * starting with `/` against the base URL's origin (Salesforce's `nextRecordsUrl`), others
 * against the base URL.
 */
export function resolvePageUrl(baseUrl: string, url: string): string {
  if (/^https?:\/\//i.test(url) || url.startsWith('//') || !url.startsWith('/')) return joinUrl(baseUrl, url);
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(baseUrl)?.[0] ?? baseUrl;
  return `${origin}${url}`;
}

/** A copy of `body` with values set at dot paths; only the objects along each path are copied. */
function withValues(body: unknown, values: Record<string, unknown>): unknown {
  const root: Record<string, unknown> = body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Record<string, unknown>) } : {};
  for (const [path, value] of Object.entries(values)) {
    const segments = path.split('.');
    let node = root;
    for (let i = 0; i < segments.length - 1; i++) {
      const key = segments[i]!;
      const child = node[key];
      const copy: Record<string, unknown> = child !== null && typeof child === 'object' && !Array.isArray(child) ? { ...(child as Record<string, unknown>) } : {};
      setPath(node, [key], copy);
      node = copy;
    }
    setPath(node, [segments[segments.length - 1]!], value);
  }
  return root;
}

/** Renders a compiled request into what is sent, before credentials are added. */
export function renderRequest(req: CompiledRequest, ctx: TemplateContext, base: RequestBase, page?: PageParams, authQuery?: Readonly<Record<string, string>>): HttpRequest {
  const headers: Record<string, string> = { ...base.headers };
  if (req.headers !== undefined) headerMap(req.headers(ctx), headers);
  let url: string;
  let method = req.method;
  let body: string | undefined;
  if (page?.url !== undefined) {
    // The next page's URL already carries everything (Shopify's page_info forbids repeating
    // the first request's query): only credentials are added. Such URLs are read with GET.
    url = resolvePageUrl(base.baseUrl, page.url);
    method = 'GET';
  } else {
    url = joinUrl(base.baseUrl, String(req.path(ctx) ?? ''));
    const rendered = req.query?.(ctx);
    const query = page?.query === undefined ? rendered : { ...(rendered as Record<string, unknown> | undefined), ...page.query };
    if (query !== null && typeof query === 'object') url = withQuery(url, encodeQuery(query as Record<string, unknown>));
    let value = req.body?.(ctx);
    if (page?.body !== undefined) value = withValues(value, page.body);
    if (value !== undefined) {
      if (req.bodyFormat === 'form') {
        body = encodeForm(value);
        headers['content-type'] ??= 'application/x-www-form-urlencoded';
      } else {
        body = JSON.stringify(value);
        headers['content-type'] ??= 'application/json';
      }
    }
  }
  if (authQuery !== undefined) {
    const q = encodeQuery(authQuery);
    if (q !== '') url = withQuery(url, q);
  }
  return { method, url, headers, body };
}
