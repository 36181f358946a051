// Malformed input, generated from the OpenAPI document with a seeded generator and bounded in
// number and time: wrong types, huge strings, deep nesting, invalid JSON, wrong content types,
// bad query strings, headers and path parameters. Every answer is a 4xx in the error shape:
// never a 500, never a hang.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { DIALECTS } from '../helpers/db';
import { ALL_SCOPES } from '../../server/auth/scopes';
import { createTestServer, type TestServer } from './helpers';
import { openApiOf, operationsOf, type OpenApiDocument, type Operation } from './routes';
import { prng } from '../helpers/random';

type Schema = Record<string, unknown>;
type Case = { name: string; request: InjectOptions };

const CASES_PER_DIALECT = 400;
const HANG_MS = 5000;

function resolve(doc: OpenApiDocument, schema: unknown): Schema {
  const s = (schema ?? {}) as Schema;
  const ref = s['$ref'];
  if (typeof ref === 'string') return resolve(doc, doc.components?.['schemas']?.[ref.replace('#/components/schemas/', '')]);
  return s;
}

function bodySchemaOf(doc: OpenApiDocument, op: Operation): Schema | undefined {
  const body = (doc.paths[op.path]?.[op.method.toLowerCase()]?.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content?.['application/json']?.schema;
  return body === undefined ? undefined : resolve(doc, body);
}

/** A value that is not of the schema's type. */
function wrongValue(schema: Schema, rnd: () => number): unknown {
  const types = ([] as unknown[]).concat(schema['type'] ?? []);
  const candidates: unknown[] = [12345, -1.5, true, 'text', [1, 2], { nested: { deeper: 1 } }, 'x'.repeat(5000)];
  const fitting = candidates.filter((v) => {
    const t = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
    return !types.includes(t) && !(t === 'integer' && types.includes('number'));
  });
  return fitting[Math.floor(rnd() * fitting.length)] ?? Symbol.for('skip');
}

function deepJson(depth: number): string {
  return `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
}

const INVALID_JSON = ['{', '{"a":1,}', "{'a':1}", '[1,2', 'nul', '{"a":"\\x"}', '\u0000', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}', '{"a":1}{"b":2}', '"unterminated'];
const WRONG_TYPES = ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/json-patch+json; charset=utf-9000', 'image/png'];

function bodyCases(doc: OpenApiDocument, op: Operation, rnd: () => number): Case[] {
  const schema = bodySchemaOf(doc, op);
  if (schema === undefined) return [];
  const base = { method: op.method, url: op.url };
  const json = (name: string, payload: string, contentType = 'application/json'): Case => ({ name, request: { ...base, payload, headers: { 'content-type': contentType } } });
  const cases: Case[] = [
    json('invalid JSON', INVALID_JSON[Math.floor(rnd() * INVALID_JSON.length)]!),
    json('deep nesting', deepJson(65 + Math.floor(rnd() * 5000))),
    json('wrong content type', '{"a":1}', WRONG_TYPES[Math.floor(rnd() * WRONG_TYPES.length)]!),
    json('invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]).toString('latin1')),
  ];
  if (rnd() < 0.1) cases.push(json('too large', `{"a":"${'x'.repeat(2 * 1024 * 1024 + 10)}"}`));
  if (schema['type'] === 'object' || (Array.isArray(schema['type']) && schema['type'].includes('object'))) {
    const nonObjects = ['5', '"text"', '[1,2,3]', 'true', '[]'];
    cases.push(json('not an object', nonObjects[Math.floor(rnd() * nonObjects.length)]!));
    const props = Object.entries((schema['properties'] ?? {}) as Record<string, unknown>);
    for (const [name, raw] of props) {
      const prop = resolve(doc, raw);
      if (prop['type'] === undefined) continue;
      const value = wrongValue(prop, rnd);
      if (typeof value === 'symbol') continue;
      cases.push(json(`wrong type for ${name}`, JSON.stringify({ ...requiredFiller(schema, doc), [name]: value })));
      if (prop['maxLength'] !== undefined && rnd() < 0.3) cases.push(json(`too long ${name}`, JSON.stringify({ ...requiredFiller(schema, doc), [name]: 'y'.repeat(Number(prop['maxLength']) + 1) })));
    }
    if (schema['additionalProperties'] === false) cases.push(json('unknown property', JSON.stringify({ ...requiredFiller(schema, doc), ['zz_' + Math.floor(rnd() * 1e6)]: 1 })));
  }
  return cases;
}

/** Plausible values for the required properties, so a case fails on the one thing it breaks. */
function requiredFiller(schema: Schema, doc: OpenApiDocument): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = (schema['properties'] ?? {}) as Record<string, unknown>;
  for (const name of (schema['required'] ?? []) as string[]) {
    const type = ([] as unknown[]).concat(resolve(doc, props[name])['type'] ?? 'string')[0];
    out[name] = type === 'object' ? {} : type === 'array' ? [] : type === 'integer' || type === 'number' ? 1 : type === 'boolean' ? true : 'a';
  }
  return out;
}

function queryCases(doc: OpenApiDocument, op: Operation, rnd: () => number): Case[] {
  const params = (doc.paths[op.path]?.[op.method.toLowerCase()]?.parameters ?? []) as Array<{ in: string; name: string; schema?: Schema }>;
  const query = params.filter((p) => p.in === 'query');
  if (query.length === 0) return [];
  const cases: Case[] = [];
  const sep = op.url.includes('?') ? '&' : '?';
  for (const p of query) {
    const type = ([] as unknown[]).concat(p.schema?.['type'] ?? 'string');
    const bad = type.includes('integer') || type.includes('number') ? ['abc', '1e400', '0x10', ' 3 ', '1.5.5', ''][Math.floor(rnd() * 6)]! : p.schema?.['enum'] !== undefined ? 'not-one-of-them' : p.schema?.['maxLength'] !== undefined ? 'q'.repeat(Number(p.schema['maxLength']) + 1) : undefined;
    if (bad !== undefined) cases.push({ name: `bad query ${p.name}`, request: { method: op.method, url: `${op.url}${sep}${encodeURIComponent(p.name)}=${encodeURIComponent(bad)}` } });
  }
  if (op.path.startsWith('/crm/') || op.path === '/runs') {
    cases.push({ name: 'unknown query parameter', request: { method: op.method, url: `${op.url}${sep}nope_${Math.floor(rnd() * 1e6)}=1` } });
    cases.push({ name: 'repeated limit', request: { method: op.method, url: `${op.url}${sep}limit=1&limit=2` } });
    cases.push({ name: 'broken percent-encoding', request: { method: op.method, url: `${op.url}${sep}limit=%ZZ%` } });
  }
  return cases;
}

function headerAndPathCases(op: Operation, rnd: () => number): Case[] {
  const cases: Case[] = [];
  if (op.path.includes('{')) {
    const long = op.path.replace(/\{[^}]+\}/g, 'i'.repeat(201 + Math.floor(rnd() * 500)));
    cases.push({ name: 'path parameter too long', request: { method: op.method, url: long } });
    cases.push({ name: 'bad percent-encoding in the path', request: { method: op.method, url: op.path.replace(/\{[^}]+\}/g, '%E0%A4%A') } });
  }
  // The record routes take conditional headers (a record's links and history do not).
  if (/^\/crm\/[a-z]+\/\{id\}$/.test(op.path)) {
    const header = op.method === 'GET' ? 'if-none-match' : 'if-match';
    cases.push({ name: `${header} too long`, request: { method: op.method, url: op.url, headers: { [header]: `"${'e'.repeat(2500)}"` }, ...(op.method === 'PATCH' ? { payload: { name: 'x' } } : {}) } });
  }
  if (op.bearerScopes !== null) cases.push({ name: 'garbage authorization', request: { method: op.method, url: op.url, headers: { authorization: ['Bearer', 'Bearer a.b.c', 'Bearer sbt1.e30.AAAA', 'Basic', 'x'.repeat(9000)][Math.floor(rnd() * 5)]! } } });
  return cases;
}

async function withinTime(p: Promise<LightMyRequestResponse>, what: string): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${HANG_MS} ms`)), HANG_MS)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe.each(DIALECTS)('malformed requests on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await createTestServer(dialect, { rateLimit: false });
  });
  afterAll(async () => s.close());

  it(`answers ${CASES_PER_DIALECT} generated malformed requests with a 4xx in the error shape`, async () => {
    const doc = await openApiOf(s.app);
    const token = await s.token([...ALL_SCOPES]);
    const rnd = prng(dialect === 'sqlite' ? 20261128 : 1128);
    const pool: Array<Case & { op: Operation }> = [];
    for (const op of operationsOf(doc)) {
      // The validators take any text (syntax problems are their answer); webhooks any bytes.
      const lenientBody = op.path.endsWith('/validate') || op.path.startsWith('/webhooks/');
      const cases = [...(lenientBody ? [] : bodyCases(doc, op, rnd)), ...queryCases(doc, op, rnd), ...headerAndPathCases(op, rnd)];
      pool.push(...cases.map((c) => ({ ...c, op })));
    }
    expect(pool.length).toBeGreaterThan(150);
    const statuses = new Map<number, number>();
    for (let i = 0; i < CASES_PER_DIALECT; i++) {
      const c = pool[Math.floor(rnd() * pool.length)]!;
      const headers = { authorization: `Bearer ${token}`, ...(c.request.headers as Record<string, string> | undefined) };
      const what = `${c.op.method} ${c.op.path} (${c.name})`;
      const res = await withinTime(s.app.inject({ ...c.request, headers }), what);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      expect({ what, status: res.statusCode >= 400 && res.statusCode < 500 ? '4xx' : res.statusCode }).toEqual({ what, status: '4xx' });
      const body = res.json() as Record<string, unknown>;
      expect({ what, shape: [typeof body['statusCode'], typeof body['code'], typeof body['error'], typeof body['message']] }).toEqual({ what, shape: ['number', 'string', 'string', 'string'] });
      expect(body['statusCode']).toBe(res.statusCode);
    }
    expect(statuses.size).toBeGreaterThan(3);
  }, 120_000);
});
