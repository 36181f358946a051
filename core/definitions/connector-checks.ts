// Pass two for connectors: what JSON Schema cannot say. Templates (roots by place, helpers,
// config settings), stop rules, incremental modes, OAuth grants, rate budgets, batches,
// idempotency, webhooks.
import Ajv2020 from 'ajv/dist/2020';
import { getPath } from '../util/path';
import { analyzeTemplate, splitAtRequestBody } from '../templates';
import { didYouMean } from '../templates/suggest';
import { Checker, ROOTS, asObject, asString, entriesOf, has, usesRoot, type JsonObject } from './check-context';
import { ancestorsOf, checkCondition, checkPath } from './condition-checks';
import { checkGraphqlRequest, checkPagingVariable, checkSelected, pagingVariableOf } from './graphql-checks';
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
  checkGraphqlRequest(check, '/check/request', asObject(asObject(root['check'])?.['request']), 'read');

  const backoff = asObject(asObject(root['retry'])?.['backoff']);
  if (typeof backoff?.['initial_ms'] === 'number' && typeof backoff['max_ms'] === 'number' && backoff['initial_ms'] > backoff['max_ms']) {
    check.add('/retry/backoff/initial_ms', `"initial_ms" (${backoff['initial_ms']}) is greater than "max_ms" (${backoff['max_ms']})`);
  }

  checkRateLimit(check, asObject(root['rate_limit']));
  const streams = entriesOf(root['streams']);
  const all = asObject(root['streams']) ?? {};
  for (const [name, stream] of streams) checkStream(check, joinPointer('/streams', name), asObject(stream), name, all);
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

function checkStream(check: Checker, at: string, stream: JsonObject | undefined, name: string, streams: JsonObject): void {
  if (stream === undefined) return;
  const request = asObject(stream['request']);
  const child = has(stream, 'parent');
  const roots = child ? ROOTS.childStream : ROOTS.stream;
  const ancestors = checkParent(check, joinPointer(at, 'parent'), asObject(stream['parent']), name, streams);
  check.request(joinPointer(at, 'request'), request, roots);
  const pagination = asObject(stream['pagination']);
  checkPagination(check, joinPointer(at, 'pagination'), pagination, request);
  for (const key of ['records', 'primary_key']) checkPath(check, joinPointer(at, key), stream[key]);
  const shape = checkGraphqlRequest(check, joinPointer(at, 'request'), request, 'read', pagingVariableOf(pagination));
  checkSelected(check, joinPointer(at, 'records'), shape, stream['records']);
  checkPagingVariable(check, joinPointer(at, 'pagination'), shape, pagination);
  checkBulk(check, joinPointer(at, 'bulk'), asObject(stream['bulk']), stream);
  checkCondition(check, joinPointer(at, 'filter'), stream['filter'], ancestors);
  checkCondition(check, joinPointer(at, 'deleted'), stream['deleted'], ancestors);
  const enrich = Array.isArray(stream['enrich']) ? stream['enrich'] : [];
  enrich.forEach((step, i) => checkEnrich(check, joinPointer(at, 'enrich', i), asObject(step)));

  const incremental = asObject(stream['incremental']);
  if (incremental === undefined) return;
  const inc = joinPointer(at, 'incremental');
  const own = asObject(incremental['request']);
  checkPath(check, joinPointer(inc, 'cursor_field'), incremental['cursor_field']);
  check.template(joinPointer(inc, 'start'), incremental['start'], ROOTS.start);
  check.request(joinPointer(inc, 'request'), own, roots);
  if (child && has(incremental, 'restart_after_records')) {
    check.add(joinPointer(inc, 'restart_after_records'), '"restart_after_records" is not available in a child stream: each parent\'s children are read to their end', { anchor: 'key' });
  }
  checkPagination(check, joinPointer(inc, 'pagination'), asObject(incremental['pagination']), own ?? request);
  const incPagination = asObject(incremental['pagination']) ?? pagination;
  const incShape = own === undefined ? shape : checkGraphqlRequest(check, joinPointer(inc, 'request'), own, 'read', pagingVariableOf(incPagination));
  if (own !== undefined) checkSelected(check, joinPointer(at, 'records'), incShape, stream['records']);
  if (has(incremental, 'pagination') || own !== undefined) checkPagingVariable(check, has(incremental, 'pagination') ? joinPointer(inc, 'pagination') : joinPointer(at, 'pagination'), incShape, incPagination);

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

/** A child stream's `parent`: a stream of this connector, not the stream itself nor one of its children. Returns the ancestors (nearest first). */
function checkParent(check: Checker, at: string, parent: JsonObject | undefined, name: string, streams: JsonObject): string[] {
  if (parent === undefined) return [];
  const target = asString(parent['stream']);
  if (target === undefined) return [];
  const names = Object.keys(streams);
  if (!Object.hasOwn(streams, target)) {
    check.add(joinPointer(at, 'stream'), `unknown parent stream "${target}"${didYouMean(target, names.filter((n) => n !== name))}`, { hint: `streams: ${names.join(', ')}` });
    return [];
  }
  const ancestors = ancestorsOf(streams, name);
  if (target === name || ancestors.includes(name) || ancestorsOf(streams, target).includes(name)) {
    const chain = target === name ? 'a stream cannot be its own parent' : `its parents lead back to it: ${[name, ...ancestorsOf(streams, target).length > 0 ? [target, ...ancestorsOf(streams, target)] : [target]].join(' -> ')}`;
    check.add(joinPointer(at, 'stream'), `stream "${name}" cannot read its children from "${target}": ${chain}`);
    return ancestors;
  }
  const parentStream = asObject(streams[target]);
  if (parent['incremental'] === true && !has(parentStream, 'incremental')) {
    check.add(joinPointer(at, 'incremental'), `"incremental" reads only the parents changed since the last run, but the parent stream "${target}" has no "incremental"`, { hint: `add "incremental" to stream "${target}", or remove this` });
  }
  checkPath(check, joinPointer(at, 'key'), parent['key']);
  return ancestors;
}

/** A follow-up: its templates by `per`, the paths that match results to records. */
function checkEnrich(check: Checker, at: string, step: JsonObject | undefined): void {
  if (step === undefined) return;
  const per = asString(step['per']) ?? 'page';
  const request = asObject(step['request']);
  const roots = per === 'page' ? ROOTS.enrichPage : ROOTS.enrichRecord;
  const items = asString(step['items']);
  if (per === 'page' && items !== undefined) {
    const target = getPath(request?.['body'], items);
    if (!Array.isArray(target) || target.length !== 1) {
      check.add(joinPointer(at, 'items'), `"items" must name an array in request.body holding exactly one element (the per-record template); "${items}" ${Array.isArray(target) ? `holds ${target.length}` : 'is not an array there'}`);
    } else {
      // The element is rendered once per record, with `record`; the rest of the body once per request.
      check.request(joinPointer(at, 'request'), { ...request, body: undefined }, roots);
      check.tree(joinPointer(at, 'request', 'body'), stripItems(request?.['body'], items), roots);
      check.tree(joinPointer(at, 'request', 'body', ...items.split('.'), 0), target[0], ROOTS.enrichRecord);
    }
  } else {
    check.request(joinPointer(at, 'request'), request, roots);
  }
  if (per === 'page' && !has(step, 'key')) check.add(at, 'a follow-up per page needs "key": the path in each result to the id of the record it answers for (e.g. "from.id")', { anchor: 'key' });
  if (per === 'record') {
    for (const key of ['size', 'items', 'key', 'record_key']) {
      if (has(step, key)) check.add(joinPointer(at, key), `"${key}" only applies to follow-ups per page ("per": "page")`, { anchor: 'key' });
    }
  } else if (has(step, 'skip_status')) {
    check.add(joinPointer(at, 'skip_status'), '"skip_status" only applies to follow-ups per record ("per": "record")', { anchor: 'key' });
  }
  for (const key of ['results', 'key', 'record_key', 'into']) checkPath(check, joinPointer(at, key), step[key]);
  if (request?.['method'] !== undefined && request['method'] !== 'GET' && request['method'] !== 'POST') {
    check.add(joinPointer(at, 'request', 'method'), 'a follow-up reads: use GET, or POST for batch reads that take their ids in the body');
  }
}

/** The body without the `items` array (checked separately with the per-record roots). */
function stripItems(body: unknown, items: string): unknown {
  const parts = items.split('.');
  const copy = (value: unknown, depth: number): unknown => {
    const object = asObject(value);
    if (object === undefined) return value;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(object)) {
      if (k === parts[depth] && depth === parts.length - 1) continue;
      out[k] = k === parts[depth] ? copy(v, depth + 1) : v;
    }
    return out;
  };
  return copy(body, 0);
}

function bodyNeedsMethod(check: Checker, at: string, request: JsonObject | undefined, what: string): void {
  const method = asString(request?.['method']) ?? (has(request, 'graphql') ? 'POST' : 'GET');
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

/** A stream's `bulk` job: templates by request (`job` after the creation), states, waits, format options. */
function checkBulk(check: Checker, at: string, bulk: JsonObject | undefined, stream: JsonObject): void {
  if (bulk === undefined) return;
  const create = asObject(bulk['create']);
  const poll = asObject(bulk['poll']);
  const download = asObject(bulk['download']);
  check.request(joinPointer(at, 'create', 'request'), create?.['request'], ROOTS.bulkCreate);
  check.request(joinPointer(at, 'poll', 'request'), poll?.['request'], ROOTS.bulkJob);
  check.request(joinPointer(at, 'download', 'request'), download?.['request'], ROOTS.bulkJob);
  check.request(joinPointer(at, 'delete'), bulk['delete'], ROOTS.bulkJob);
  for (const [key, value] of [['poll', poll?.['request']], ['download', download?.['request']]] as const) {
    if (value !== undefined && !usesRoot(value, 'job')) {
      check.add(joinPointer(at, key, 'request'), `the ${key} request never uses {{job...}}: it would ask about no job in particular`, { anchor: 'key', hint: 'e.g. "path": "/jobs/query/{{job.id}}"' });
    }
  }
  checkPath(check, joinPointer(at, 'create', 'id'), create?.['id']);
  for (const key of ['state', 'error']) checkPath(check, joinPointer(at, 'poll', key), poll?.[key]);
  const done = Array.isArray(poll?.['done']) ? (poll['done'] as unknown[]) : [];
  const failed = Array.isArray(poll?.['failed']) ? (poll['failed'] as unknown[]) : [];
  failed.forEach((state, i) => {
    if (done.includes(state)) check.add(joinPointer(at, 'poll', 'failed', i), `state ${JSON.stringify(state)} is in both "done" and "failed"`);
  });
  const interval = poll?.['interval_ms'];
  const max = poll?.['max_interval_ms'];
  if (typeof interval === 'number' && typeof max === 'number' && interval > max) check.add(joinPointer(at, 'poll', 'interval_ms'), `"interval_ms" (${interval}) is greater than "max_interval_ms" (${max})`);
  const modes = Array.isArray(bulk['modes']) ? (bulk['modes'] as unknown[]) : ['full'];
  if (modes.includes('incremental') && !has(stream, 'incremental')) {
    check.add(joinPointer(at, 'modes'), 'incremental runs through the job need the stream\'s "incremental" (its cursor_field; the job\'s templates use {{state.cursor}})', { hint: 'add "incremental", or leave "incremental" out of "modes"' });
  }
  if (modes.includes('incremental') && has(stream, 'incremental') && create !== undefined && !usesRoot(create['request'], 'state')) {
    check.add(joinPointer(at, 'create', 'request'), 'incremental runs read through the job, but its creation never uses {{state.cursor}}: every incremental run would read everything again', { anchor: 'key' });
  }
  const format = asObject(download?.['format']);
  if (format !== undefined && format['type'] !== 'csv') {
    for (const key of ['delimiter', 'line_ending', 'empty', 'types', 'nested']) {
      if (has(format, key)) check.add(joinPointer(at, 'download', 'format', key), `"${key}" only applies to "type": "csv"`, { anchor: 'key' });
    }
  }
  if (format?.['delimiter'] === '"') check.add(joinPointer(at, 'download', 'format', 'delimiter'), 'the delimiter cannot be the quote character');
  if (has(stream, 'parent')) check.add(at, 'a child stream cannot read through a bulk job', { anchor: 'key' });
}

/** Names runs report waits under besides the budgets' own. */
const RESERVED_BUDGETS = ['rate_limit', 'concurrency', 'api'];

function checkRateLimit(check: Checker, rateLimit: JsonObject | undefined): void {
  const budgets = Array.isArray(rateLimit?.['budgets']) ? (rateLimit['budgets'] as unknown[]) : [];
  const seen = new Set<string>();
  budgets.forEach((value, i) => {
    const budget = asObject(value);
    const at = joinPointer('/rate_limit/budgets', String(i));
    const name = asString(budget?.['name']);
    if (name !== undefined) {
      if (RESERVED_BUDGETS.includes(name)) check.add(joinPointer(at, 'name'), `budget name "${name}" is reserved (runs report ${RESERVED_BUDGETS.map((n) => `"${n}"`).join(', ')} waits under it)`, { hint: 'name the budget after its endpoints, e.g. "search"' });
      else if (seen.has(name)) check.add(joinPointer(at, 'name'), `two budgets are named "${name}": names must be unique`);
      seen.add(name);
    }
    const requests = budget?.['requests'];
    const burst = budget?.['burst'];
    if (typeof burst === 'number' && typeof requests === 'number' && burst > requests) {
      check.add(joinPointer(at, 'burst'), `"burst" (${burst}) is more than the budget's ${requests} units per window`, { hint: `at most ${requests}` });
    }
    const rules = Array.isArray(budget?.['match']) ? (budget['match'] as unknown[]) : [];
    rules.forEach((rule, j) => {
      const weight = asObject(rule)?.['weight'];
      if (typeof weight === 'number' && typeof requests === 'number' && weight > requests) {
        check.add(joinPointer(at, 'match', String(j), 'weight'), `a request of weight ${weight} could never start: the budget admits ${requests} units per window`, { hint: `lower "weight" to at most ${requests}` });
      }
    });
  });
}

/** Methods an idempotency setting names that the action never uses: its key would never be sent. */
function checkIdempotency(check: Checker, at: string, action: JsonObject): void {
  const own = asObject(action['idempotency']);
  const method = asString(asObject(action['request'])?.['method']) ?? 'GET';
  const methods = Array.isArray(own?.['methods']) ? (own['methods'] as unknown[]).filter((m): m is string => typeof m === 'string') : undefined;
  if (own !== undefined && methods !== undefined && !methods.includes(method)) {
    check.add(joinPointer(at, 'idempotency', 'methods'), `the action is a ${method}, which "methods" leaves out: its key would never be sent`, { hint: `add "${method}" to "methods", or drop "idempotency" from the action` });
  }
}

function checkAction(check: Checker, at: string, action: JsonObject | undefined): void {
  if (action === undefined) return;
  const request = asObject(action['request']);
  check.request(joinPointer(at, 'request'), request, ROOTS.action);
  checkIdempotency(check, at, action);
  const shape = checkGraphqlRequest(check, joinPointer(at, 'request'), request, 'write');
  checkSelected(check, joinPointer(at, 'external_id'), shape, action['external_id']);
  const userErrors = asObject(action['user_errors']);
  checkSelected(check, joinPointer(at, 'user_errors', 'path'), shape, userErrors?.['path']);
  for (const key of ['path', 'reason', 'field']) checkPath(check, joinPointer(at, 'user_errors', key), userErrors?.[key]);
  const batch = asObject(action['batch']);
  if (batch !== undefined && has(request, 'graphql')) check.add(joinPointer(at, 'batch'), 'a GraphQL action sends one record per request: "batch" does not apply to it', { anchor: 'key' });
  if (batch !== undefined && userErrors !== undefined) check.add(joinPointer(at, 'user_errors'), 'with "batch", per-record errors are read with "batch.errors" or "batch.failed"', { anchor: 'key' });
  if (batch === undefined) return;
  const items = asString(batch['items']);
  if (items !== undefined) {
    const target = getPath(request?.['body'], items);
    if (!Array.isArray(target) || target.length !== 1) {
      check.add(joinPointer(at, 'batch', 'items'), `"items" must name an array in request.body holding exactly one element (the per-record template); "${items}" ${Array.isArray(target) ? `holds ${target.length}` : 'is not an array there'}`);
    }
  }
  if (has(batch, 'match') && !has(batch, 'results')) check.add(joinPointer(at, 'batch', 'match'), '"match" pairs results with records: it needs "results"', { anchor: 'key' });
  const trace = asObject(batch['trace']);
  if (has(batch, 'errors') && asString(trace?.['error']) === undefined && asString(asObject(batch['match'])?.['error']) === undefined) {
    check.add(joinPointer(at, 'batch', 'errors'), 'per-record errors must be paired with their records: set "trace.error" (the key the API echoes in each error) or "match.error"', {
      anchor: 'key',
      hint: 'HubSpot: "trace": {"item": "objectWriteTraceId", "result": "objectWriteTraceId", "error": "context.objectWriteTraceId"}',
    });
  }
  if (has(batch, 'failed') && !has(batch, 'results')) check.add(joinPointer(at, 'batch', 'failed'), '"failed" reads result elements: it needs "results"', { anchor: 'key' });
  if (has(action, 'external_id') && !has(batch, 'results')) {
    check.add(joinPointer(at, 'external_id'), 'with "batch", "external_id" is read from each element of "batch.results": set "results"', { anchor: 'key' });
  }
}

function checkWebhooks(check: Checker, webhooks: JsonObject | undefined, streams: readonly string[]): void {
  if (webhooks === undefined) return;
  const signature = asObject(webhooks['signature']);
  if (signature !== undefined) checkWebhookSignature(check, signature);
  const stream = asString(webhooks['stream']);
  if (has(webhooks, 'records') && stream === undefined) check.add('/webhooks/records', 'webhook records need "stream": the stream whose mappings receive them', { anchor: 'key' });
  if (stream !== undefined && !streams.includes(stream)) {
    check.add('/webhooks/stream', `unknown stream "${stream}"${didYouMean(stream, streams)}`, { hint: `streams: ${streams.join(', ') || 'none'}` });
  }
}

/** The key, or keys while rotated: exactly one of `one` and `many`, all templates over `config`. */
function checkSecrets(check: Checker, signature: JsonObject, one: string, many: string): void {
  if (has(signature, one) === has(signature, many)) {
    check.add('/webhooks/signature', `give "${one}" or "${many}" (a list, while one is rotated), not ${has(signature, one) ? 'both' : 'neither'}`, { anchor: 'key' });
  }
  check.template(joinPointer('/webhooks/signature', one), signature[one], ROOTS.shared);
  const list = signature[many];
  if (Array.isArray(list)) list.forEach((item, i) => check.template(joinPointer('/webhooks/signature', many, i), item, ROOTS.shared));
}

function checkWebhookSignature(check: Checker, signature: JsonObject): void {
  if (signature['type'] === 'token') {
    checkSecrets(check, signature, 'value', 'values');
    return;
  }
  if (signature['type'] !== 'hmac') return;
  checkSecrets(check, signature, 'secret', 'secrets');
  const at = '/webhooks/signature/signed_payload';
  const payload = asString(signature['signed_payload']) ?? '{{request.body}}';
  check.template(at, signature['signed_payload'], ROOTS.webhook);
  const uses = payload.includes('{{') ? analyzeTemplate(payload).uses.filter((u) => u.name === 'request') : [];
  const bodyUses = uses.filter((u) => u.path?.[1] === 'body').length;
  // The body is raw bytes spliced in between rendered text, so it cannot go through a helper or a block.
  if (bodyUses !== splitAtRequestBody(payload).length - 1) check.add(at, 'request.body is the raw bytes of the body: it can only stand alone, as {{request.body}}, outside blocks and helpers');
  const timestamp = asObject(signature['timestamp']);
  const signsTimestamp = uses.some((u) => u.path?.[1] === 'timestamp');
  if (timestamp === undefined) {
    if (signsTimestamp) check.add(at, 'request.timestamp needs "timestamp" in the signature: where the timestamp is and its format', { hint: 'e.g. "timestamp": { "header": "X-Request-Timestamp", "format": "unix" }' });
    return;
  }
  const header = asString(timestamp['header']);
  if (has(timestamp, 'header') === has(timestamp, 'field')) {
    check.add('/webhooks/signature/timestamp', `give the timestamp's "header" or its "field" of the signature header, not ${header !== undefined ? 'both' : 'neither'}`, { anchor: 'key' });
  }
  if (has(timestamp, 'field') && !has(signature, 'fields')) check.add('/webhooks/signature/timestamp/field', 'a timestamp "field" is read from the signature header\'s fields: declare "fields" too', { anchor: 'key' });
  const headerUsed = header !== undefined && uses.some((u) => u.path?.[1] === 'headers' && u.path[2]?.toLowerCase() === header.toLowerCase());
  if (!signsTimestamp && !headerUsed) {
    check.add(at, 'the timestamp is not in the signed payload: anyone could change it, so it would prove nothing', { hint: 'put {{request.timestamp}} where the API signs it, e.g. "{{request.timestamp}}.{{request.body}}"' });
  }
}
