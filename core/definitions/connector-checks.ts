// Pass two for connectors: what JSON Schema cannot say. Templates (roots by place, helpers,
// config settings), stop rules, incremental modes, OAuth grants, batches, webhooks.
import Ajv2020 from 'ajv/dist/2020';
import { getPath } from '../util/path';
import { didYouMean } from '../templates/suggest';
import { Checker, ROOTS, asObject, asString, entriesOf, has, usesRoot, type JsonObject } from './check-context';
import type { SourceDocument } from './json-source';
import { joinPointer, type Problem } from './problems';

const AUTH_TEMPLATES = ['value', 'username', 'password', 'token', 'token_url', 'authorize_url', 'client_id', 'client_secret', 'refresh_token'];

let metaValidator: Ajv2020 | undefined;

/** The settings declared by `config_schema.properties`, if it declares any. */
export function configNamesOf(connector: unknown): ReadonlySet<string> | undefined {
  const properties = asObject(asObject(asObject(connector)?.['config_schema'])?.['properties']);
  return properties === undefined ? undefined : new Set(Object.keys(properties));
}

/** The settings `config_schema.properties` marks `"secret": true`. */
export function secretNamesOf(connector: unknown): ReadonlySet<string> {
  const properties = asObject(asObject(asObject(connector)?.['config_schema'])?.['properties']) ?? {};
  return new Set(Object.entries(properties).filter(([, p]) => asObject(p)?.['secret'] === true).map(([k]) => k));
}

export function connectorProblems(doc: SourceDocument): Problem[] {
  const root = asObject(doc.value);
  if (root === undefined) return [];
  const check = new Checker(doc, configNamesOf(root));

  check.template('/base_url', root['base_url'], ROOTS.shared);
  checkAllowedOrigins(check, root['allowed_origins']);
  check.tree('/headers', root['headers'], ROOTS.shared);
  checkAuth(check, asObject(root['auth']));
  checkConfigSchema(check, root['config_schema']);
  check.request('/check/request', asObject(root['check'])?.['request'], ROOTS.check);

  const backoff = asObject(asObject(root['retry'])?.['backoff']);
  if (typeof backoff?.['initial_ms'] === 'number' && typeof backoff['max_ms'] === 'number' && backoff['initial_ms'] > backoff['max_ms']) {
    check.add('/retry/backoff/initial_ms', `"initial_ms" (${backoff['initial_ms']}) is greater than "max_ms" (${backoff['max_ms']})`);
  }

  const streams = entriesOf(root['streams']);
  for (const [name, stream] of streams) checkStream(check, joinPointer('/streams', name), asObject(stream));
  const actions = entriesOf(root['actions']);
  for (const [name, action] of actions) checkAction(check, joinPointer('/actions', name), asObject(action));
  if (streams.length === 0 && actions.length === 0 && asObject(root) !== undefined) {
    check.add('', 'a connector needs at least one stream (to read) or action (to write)', { hint: 'add "streams" or "actions"' });
  }
  checkWebhooks(check, asObject(root['webhooks']), streams.map(([name]) => name));
  return check.problems;
}

/** `allowed_origins`: templates over config; a constant entry must be an http(s) origin. */
function checkAllowedOrigins(check: Checker, value: unknown): void {
  if (!Array.isArray(value)) return;
  value.forEach((entry, i) => {
    const at = joinPointer('/allowed_origins', i);
    if (typeof entry !== 'string') return;
    if (entry.includes('{{')) {
      check.template(at, entry, ROOTS.shared);
      return;
    }
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      check.add(at, `"${entry}" is not an http(s) origin`, { hint: 'write the scheme and host, e.g. "https://api.example.com"' });
    } else if (url.pathname !== '/' || url.search !== '') {
      check.add(at, `"${entry}" has a path or query: only its origin (${url.origin}) would count`, { hint: `write "${url.origin}"` });
    }
  });
}

function checkAuth(check: Checker, auth: JsonObject | undefined): void {
  if (auth === undefined) return;
  for (const key of AUTH_TEMPLATES) check.template(joinPointer('/auth', key), auth[key], ROOTS.auth);
  check.tree('/auth/token_params', auth['token_params'], ROOTS.auth);
  if (auth['type'] !== 'oauth2') return;
  const grant = asString(auth['grant']);
  const needs: Record<string, string[]> = {
    authorization_code: ['authorize_url', 'client_id', 'client_secret'],
    client_credentials: ['client_id', 'client_secret'],
    refresh_token: ['refresh_token'],
  };
  for (const key of grant === undefined ? [] : (needs[grant] ?? [])) {
    if (!has(auth, key)) check.add('/auth/grant', `oauth2 with grant "${grant}" needs "${key}"`);
  }
}

function checkConfigSchema(check: Checker, value: unknown): void {
  const schema = asObject(value);
  if (schema === undefined) return;
  const properties = asObject(schema['properties']) ?? {};
  const required = Array.isArray(schema['required']) ? schema['required'] : [];
  required.forEach((name, i) => {
    if (typeof name === 'string' && !Object.hasOwn(properties, name)) {
      check.add(joinPointer('/config_schema/required', i), `required setting "${name}" is not declared in "properties"${didYouMean(name, Object.keys(properties))}`);
    }
  });
  // The management API validates connection configs with this schema: it must be one.
  metaValidator ??= new Ajv2020({ strict: false, validateSchema: false });
  let valid: boolean;
  try {
    valid = metaValidator.validateSchema(schema) as boolean;
  } catch (err) {
    // e.g. a "$schema" naming a meta-schema ajv does not know
    check.add('/config_schema', `config_schema is not a valid JSON Schema: ${(err as Error).message}`, { anchor: 'key' });
    return;
  }
  if (!valid) {
    for (const e of metaValidator.errors ?? []) {
      check.add(`/config_schema${e.instancePath}`, `config_schema is not a valid JSON Schema: ${e.instancePath || 'the schema'} ${e.message ?? 'is invalid'}`);
    }
  }
}

function checkStream(check: Checker, at: string, stream: JsonObject | undefined): void {
  if (stream === undefined) return;
  const request = asObject(stream['request']);
  check.request(joinPointer(at, 'request'), request, ROOTS.stream);
  checkPagination(check, joinPointer(at, 'pagination'), asObject(stream['pagination']), request);

  const incremental = asObject(stream['incremental']);
  if (incremental === undefined) return;
  const inc = joinPointer(at, 'incremental');
  const own = asObject(incremental['request']);
  check.template(joinPointer(inc, 'start'), incremental['start'], ROOTS.start);
  check.request(joinPointer(inc, 'request'), own, ROOTS.stream);
  checkPagination(check, joinPointer(inc, 'pagination'), asObject(incremental['pagination']), own ?? request);

  const hasParam = has(incremental, 'param');
  const hasRequest = has(incremental, 'request');
  if (!hasParam && !hasRequest) {
    check.add(inc, 'incremental reads need "param" (adds state.cursor to the stream\'s request) or "request" (a request of its own using {{state.cursor}})', { anchor: 'key' });
  } else if (hasParam && hasRequest) {
    check.add(joinPointer(inc, 'param'), 'give either "param" or "request", not both: "param" only applies to the stream\'s own request', { anchor: 'key' });
  }
  for (const key of ['in', 'format']) {
    if (has(incremental, key) && !hasParam) check.add(joinPointer(inc, key), `"${key}" only applies together with "param"`, { anchor: 'key' });
  }
  if (hasParam && incremental['in'] === 'body') bodyNeedsMethod(check, joinPointer(inc, 'in'), request, 'the incremental parameter');
  if (hasRequest && own !== undefined && !usesRoot(own, 'state')) {
    check.add(joinPointer(inc, 'request'), 'the incremental request never uses {{state.cursor}}: every incremental run would read everything again', { anchor: 'key' });
  }
}

function bodyNeedsMethod(check: Checker, at: string, request: JsonObject | undefined, what: string): void {
  const method = asString(request?.['method']) ?? 'GET';
  if (method === 'GET') check.add(at, `${what} goes in the body, but the request is a GET (which has no body)`, { hint: 'set "in": "query", or use a POST request' });
}

function checkPagination(check: Checker, at: string, pagination: JsonObject | undefined, request: JsonObject | undefined): void {
  if (pagination === undefined) return;
  switch (pagination['type']) {
    case 'cursor':
      if (!has(pagination, 'cursor_path') && !has(pagination, 'cursor_from_last_record')) {
        check.add(at, 'cursor pagination needs "cursor_path" (the next cursor in the body) or "cursor_from_last_record" (a field of the last record): without one it cannot find the next page nor know when to stop', { anchor: 'key' });
      } else if (has(pagination, 'cursor_path') && has(pagination, 'cursor_from_last_record')) {
        check.add(joinPointer(at, 'cursor_from_last_record'), 'give either "cursor_path" or "cursor_from_last_record", not both', { anchor: 'key' });
      }
      break;
    case 'page':
      for (const key of ['size_param', 'stop_on_short_page']) {
        if (has(pagination, key) && pagination[key] !== false && !has(pagination, 'size')) {
          check.add(joinPointer(at, key), `"${key}" needs "size" (the records asked for per page)`, { anchor: 'key' });
        }
      }
      break;
    default:
      break;
  }
  if (pagination['in'] === 'body') bodyNeedsMethod(check, joinPointer(at, 'in'), request, 'the pagination parameter');
}

function checkAction(check: Checker, at: string, action: JsonObject | undefined): void {
  if (action === undefined) return;
  const request = asObject(action['request']);
  check.request(joinPointer(at, 'request'), request, ROOTS.action);
  const batch = asObject(action['batch']);
  if (batch === undefined) return;
  const items = asString(batch['items']);
  if (items !== undefined) {
    const target = getPath(request?.['body'], items);
    if (!Array.isArray(target) || target.length !== 1) {
      check.add(joinPointer(at, 'batch', 'items'), `"items" must name an array in request.body holding exactly one element (the per-record template); "${items}" ${Array.isArray(target) ? `holds ${target.length}` : 'is not an array there'}`);
    }
  }
  if (has(batch, 'match') && !has(batch, 'results')) check.add(joinPointer(at, 'batch', 'match'), '"match" pairs results with records: it needs "results"', { anchor: 'key' });
  if (has(action, 'external_id') && !has(batch, 'results')) {
    check.add(joinPointer(at, 'external_id'), 'with "batch", "external_id" is read from each element of "batch.results": set "results"', { anchor: 'key' });
  }
}

function checkWebhooks(check: Checker, webhooks: JsonObject | undefined, streams: readonly string[]): void {
  if (webhooks === undefined) return;
  const signature = asObject(webhooks['signature']);
  check.template('/webhooks/signature/secret', signature?.['secret'], ROOTS.shared);
  check.template('/webhooks/signature/value', signature?.['value'], ROOTS.shared);
  const stream = asString(webhooks['stream']);
  if (has(webhooks, 'records') && stream === undefined) check.add('/webhooks/records', 'webhook records need "stream": the stream whose mappings receive them', { anchor: 'key' });
  if (stream !== undefined && !streams.includes(stream)) {
    check.add('/webhooks/stream', `unknown stream "${stream}"${didYouMean(stream, streams)}`, { hint: `streams: ${streams.join(', ') || 'none'}` });
  }
}
