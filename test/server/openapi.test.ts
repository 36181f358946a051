// The OpenAPI document: valid OpenAPI 3 structure (responses everywhere, every $ref resolves,
// path parameters declared, security schemes and scopes defined), and it lists every route.
import { createTestServer, type TestServer } from './helpers';
import { openApiOf, operationsOf, type OpenApiDocument } from './routes';

type Json = Record<string, unknown>;

function refsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsOf(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsOf(v, out);
    }
  }
  return out;
}

function pointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let current: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object' || !(key in current)) return undefined;
    current = (current as Json)[key];
  }
  return current;
}

describe('OpenAPI document', () => {
  let s: TestServer;
  let doc: OpenApiDocument & Json;
  beforeAll(async () => {
    s = await createTestServer('sqlite');
    doc = (await openApiOf(s.app)) as OpenApiDocument & Json;
  });
  afterAll(async () => s.close());

  it('has the OpenAPI 3 top-level structure', () => {
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
    expect(doc['info']).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc.paths).length).toBeGreaterThan(20);
  });

  it('gives every operation responses with descriptions, and declares every path parameter', () => {
    const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path.startsWith('/')).toBe(true);
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        expect(methods.has(method)).toBe(true);
        const where = `${method.toUpperCase()} ${path}`;
        const responses = Object.entries(op.responses ?? {});
        expect({ where, responses: responses.length > 0 }).toEqual({ where, responses: true });
        for (const [code, response] of responses) {
          expect({ where, code, ok: /^([1-5]\d\d|[1-5]XX|default)$/.test(code) }).toEqual({ where, code, ok: true });
          expect({ where, code, description: typeof (response as Json)['description'] }).toEqual({ where, code, description: 'string' });
        }
        const declared = ((op.parameters ?? []) as Array<{ in: string; name: string; required?: boolean }>).filter((p) => p.in === 'path');
        expect({ where, params: declared.map((p) => p.name).sort() }).toEqual({ where, params: [...names].sort() });
        for (const p of declared) expect(p.required).toBe(true);
      }
    }
  });

  it('resolves every $ref', () => {
    const refs = refsOf(doc);
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of new Set(refs)) expect({ ref, resolves: pointer(doc, ref) !== undefined }).toEqual({ ref, resolves: true });
  });

  it('defines the security schemes and scopes operations use', () => {
    const schemes = (doc.components?.['securitySchemes'] ?? {}) as Record<string, Json>;
    const oauthScopes = Object.keys(((schemes['oauth2']?.['flows'] as Json)['clientCredentials'] as { scopes: Json }).scopes);
    for (const op of operationsOf(doc)) {
      for (const alt of op.security) {
        for (const [scheme, scopes] of Object.entries(alt)) {
          expect(Object.keys(schemes)).toContain(scheme);
          if (scheme === 'oauth2') for (const sc of scopes) expect(oauthScopes).toContain(sc);
        }
      }
    }
  });

  it('lists every route the app serves (but its own document, the docs UI and the console\'s files)', () => {
    const served = new Set(
      s.app.routeList
        .filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/docs') && r.url !== '/openapi.json' && !r.url.startsWith('/ui') && r.url !== '/')
        .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z_]+)/g, '{$1}')}`),
    );
    const documented = new Set(operationsOf(doc).map((o) => `${o.method} ${o.path}`));
    expect([...documented].sort()).toEqual([...served].sort());
  });
});
