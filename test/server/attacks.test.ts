// What held when the API was attacked, kept as tests on both databases: forged bearer tokens on
// every operation that takes one (0 bypasses), SQL injection through filters, sorts, cursors, ids
// and stored values, path traversal through ids and the docs, 10 MB bodies on every route that
// takes a body, and prototype pollution through JSON bodies, query strings and webhook records.
import { createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import * as apiClients from '../../core/store/tables/api-clients';
import { ALL_SCOPES } from '../../server/auth/scopes';
import { TokenSigner } from '../../server/auth/tokens';
import { DIALECTS } from '../helpers/db';
import { createTestServer, type TestServer } from './helpers';
import { openApiOf, operationsOf, type OpenApiDocument, type Operation } from './routes';

type Json = Record<string, unknown>;
const WEBHOOK_SECRET = 'whsec-attacks-5e1f';
const TEN_MB = 10 * 1024 * 1024;

/** Seven tokens that must each be refused: none carries a signature this server made for a live client. */
async function forgedTokens(s: TestServer): Promise<Array<[string, string]>> {
  const signer = new TokenSigner(s.engine.box.deriveKey('api-tokens'), 60);
  const { clientId } = await s.client([...ALL_SCOPES]);
  const weak = await s.client(['crm:read']);
  const disabled = await s.client([...ALL_SCOPES]);
  await apiClients.disable(s.db.knex, disabled.clientId);
  const [prefix, claims, signature] = signer.issue(weak.clientId, ['crm:read']).token.split('.') as [string, string, string];
  const escalated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')), scp: [...ALL_SCOPES] })).toString('base64url');
  const good = signer.issue(clientId, [...ALL_SCOPES]).token;
  return [
    ['a tampered signature', `${good.slice(0, -4)}${good.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`],
    ['claims edited to every scope, signature kept', `${prefix}.${escalated}.${signature}`],
    ['signed with another key', new TokenSigner(Buffer.alloc(32, 7)).issue(clientId, [...ALL_SCOPES]).token],
    ['expired an hour ago', signer.issue(clientId, [...ALL_SCOPES], Date.now() - 3_600_000).token],
    ['no signature at all', `${prefix}.${Buffer.from(JSON.stringify({ cid: clientId, scp: ALL_SCOPES, iat: 1, exp: 4e9, jti: 'x' })).toString('base64url')}.`],
    ['a disabled client', signer.issue(disabled.clientId, [...ALL_SCOPES]).token],
    ['an unknown client', signer.issue('sbc_no_such_client', [...ALL_SCOPES]).token],
  ];
}

function bodyOperations(doc: OpenApiDocument, ops: Operation[]): Operation[] {
  return ops.filter((op) => doc.paths[op.path]?.[op.method.toLowerCase()]?.requestBody !== undefined || op.path === '/webhooks/{connection}' || op.path === '/oauth/token');
}

const polluted = (): unknown => (Object.prototype as Json)['polluted'] ?? ({} as Json)['polluted'];

describe.each(DIALECTS)('attacks on %s', (dialect) => {
  let s: TestServer;
  let doc: OpenApiDocument;
  let ops: Operation[];
  let token: string;

  beforeAll(async () => {
    s = await createTestServer(dialect, { rateLimit: false });
    doc = await openApiOf(s.app);
    // Path parameters name things that exist, so a bypass could not hide behind a 404.
    ops = operationsOf(doc, (param) => (param === 'connection' ? 'unsigned' : 'x0'));
    token = await s.token([...ALL_SCOPES]);
    for (const [name, connector, config] of [
      ['unsigned', 'unsigned', {}],
      ['demo', 'demo', { base_url: 'http://127.0.0.1:9', api_key: 'k', webhook_secret: WEBHOOK_SECRET }],
    ] as const) {
      expect((await s.call(token, { method: 'POST', url: '/connections', payload: { name, connector, config } })).statusCode).toBe(201);
    }
  });
  afterAll(async () => s.close());

  // 60 need a bearer token or a console session; webhooks to a connector without a signature too.
  const GUARDED = 61;
  it('gives 0 bypasses to 7 forged tokens on each of the 65 operations', async () => {
    expect(ops).toHaveLength(65);
    // Every operation that needs a caller (a bearer token or a console session: a request with
    // an Authorization header is judged by its token alone), and webhooks to a connector without a signature.
    const guarded = ops.filter((op) => op.security.length > 0 || op.path === '/webhooks/{connection}');
    expect(guarded).toHaveLength(GUARDED);
    const tokens = await forgedTokens(s);
    let tried = 0;
    for (const op of guarded) {
      for (const [forgery, forged] of tokens) {
        const res = await s.app.inject({ method: op.method as 'GET', url: op.url, ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { payload: {} }), headers: { authorization: `Bearer ${forged}` } });
        tried++;
        expect({ op: `${op.method} ${op.path}`, forgery, status: res.statusCode }).toEqual({ op: `${op.method} ${op.path}`, forgery, status: 401 });
        expect((res.json() as Json)['code']).toBe('SB_UNAUTHORIZED');
      }
    }
    expect(tried).toBe(GUARDED * 7);
    expect(await s.db.knex('companies').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  describe('SQL injection', () => {
    const INJECTIONS = ["' OR '1'='1", "x'); DROP TABLE contacts; --", '1; DELETE FROM contacts', "' UNION SELECT id, email FROM contacts --", '\\\'; --', '%', '_'];
    let stored: string;

    beforeAll(async () => {
      stored = String(((await s.call(token, { method: 'POST', url: '/crm/contacts', payload: { email: 'victim@example.com', first_name: "Robert'); DROP TABLE contacts;--" } })).json() as Json)['id']);
    });

    it('stores and reads back injected text verbatim', async () => {
      const res = await s.call(token, { method: 'GET', url: `/crm/contacts/${stored}` });
      expect(res.json()).toMatchObject({ first_name: "Robert'); DROP TABLE contacts;--" });
      const found = await s.call(token, { method: 'GET', url: `/crm/contacts?first_name=${encodeURIComponent("Robert'); DROP TABLE contacts;--")}` });
      expect((found.json() as { items: Json[] }).items.map((c) => c['id'])).toEqual([stored]);
    });

    it.each(INJECTIONS)('matches nothing through filters, and is refused as a sort, order, cursor or id: %s', async (payload) => {
      const q = encodeURIComponent(payload);
      for (const url of [`/crm/contacts?email=${q}`, `/crm/contacts?first_name=${q}&last_name=${q}`, `/crm/deals?name=${q}`, `/runs?connection=${q}`]) {
        const res = await s.call(token, { method: 'GET', url });
        expect({ url, status: res.statusCode < 500 }).toEqual({ url, status: true });
        if (res.statusCode === 200) expect({ url, rows: (res.json() as { items: unknown[] }).items.length }).toEqual({ url, rows: 0 });
      }
      for (const url of [`/crm/contacts?sort=${q}`, `/crm/contacts?order=${q}`, `/crm/contacts?cursor=${q}`, `/crm/contacts?limit=${q}`]) {
        const res = await s.call(token, { method: 'GET', url });
        expect({ url, status: res.statusCode }).toEqual({ url, status: 400 });
      }
      for (const url of [`/crm/contacts/${q}`, `/connections/${q}`, `/runs/${q}`, `/connectors/${q}`]) {
        const res = await s.call(token, { method: 'GET', url });
        expect({ url, status: res.statusCode >= 400 && res.statusCode < 500 }).toEqual({ url, status: true });
      }
    });

    it('leaves every table in place with its rows', async () => {
      const res = await s.call(token, { method: 'GET', url: '/crm/contacts' });
      expect((res.json() as { items: Json[] }).items.map((c) => c['email'])).toEqual(['victim@example.com']);
      for (const table of ['contacts', 'companies', 'deals', 'activities', 'connections', 'api_clients', 'webhook_deliveries']) expect(await s.db.knex.schema.hasTable(table)).toBe(true);
    });
  });

  it('refuses path traversal through ids, validators and the docs, reading no file', async () => {
    const urls = [
      '/connectors/..%2F..%2Fpackage.json',
      '/connectors/%2e%2e%2f%2e%2e%2fpackage',
      '/mappings/..%2F..%2F..%2Fetc%2Fpasswd',
      '/connections/..%2F..%2Fetc%2Fpasswd',
      '/crm/contacts/..%2F..%2Fetc%2Fpasswd',
      '/docs/..%2F..%2Fpackage.json',
      '/docs/static/..%2F..%2F..%2Fpackage.json',
      '/%2e%2e/%2e%2e/etc/passwd',
    ];
    const answers: LightMyRequestResponse[] = [];
    for (const url of urls) answers.push(await s.call(token, { method: 'GET', url }));
    answers.push(await s.call(token, { method: 'POST', url: '/connectors/validate?file=..%2F..%2F..%2F..%2Fetc%2Fpasswd', payload: '{}', headers: { 'content-type': 'application/json' } }));
    answers.forEach((res, i) => {
      const what = urls[i] ?? 'validate ?file=';
      expect({ what, status: res.statusCode >= 400 || what === 'validate ?file=' }).toEqual({ what, status: true });
      expect({ what, leaked: /root:x:0:0|"devDependencies"/.test(res.body) }).toEqual({ what, leaked: false });
    });
  });

  it('answers 413 to a 10 MB body on every route that takes one', async () => {
    const big = Buffer.alloc(TEN_MB, 0x61);
    big.write('{"a":"', 0);
    big.write('"}', TEN_MB - 2);
    const targets = bodyOperations(doc, ops);
    expect(targets.length).toBeGreaterThanOrEqual(15);
    for (const op of targets) {
      const res = await s.call(token, { method: op.method as 'POST', url: op.url, payload: big, headers: { 'content-type': 'application/json' } });
      expect({ op: `${op.method} ${op.path}`, status: res.statusCode, code: (res.json() as Json)['code'] }).toEqual({ op: `${op.method} ${op.path}`, status: 413, code: 'SB_BODY_TOO_LARGE' });
    }
  });

  describe('prototype pollution', () => {
    afterEach(() => expect(polluted()).toBeUndefined());

    it.each([
      ['POST', '/crm/contacts', '{"email":"p@example.com","__proto__":{"polluted":"yes"}}'],
      ['POST', '/crm/contacts', '{"email":"p@example.com","custom":{"constructor":{"prototype":{"polluted":"yes"}}}}'],
      ['POST', '/connections', '{"name":"p","connector":"demo","config":{"__proto__":{"polluted":"yes"},"base_url":"x","api_key":"k"}}'],
      ['POST', '/mappings/preview', '{"mapping":{"__proto__":{"polluted":"yes"}},"records":[]}'],
    ])('refuses %s %s with a poisoned key (400) and pollutes nothing', async (method, url, payload) => {
      const res = await s.call(token, { method: method as 'POST', url, payload, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'SB_BAD_REQUEST' });
    });

    it('refuses poisoned webhook records even under a valid signature, and validates poisoned definitions without polluting', async () => {
      const body = '{"data":[{"id":"p1","email":"proto@example.com","__proto__":{"polluted":"yes"}}]}';
      const signature = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
      const hook = await s.app.inject({ method: 'POST', url: '/webhooks/demo', payload: body, headers: { 'content-type': 'application/json', 'x-demo-signature': signature } });
      expect(hook.statusCode).toBe(400);
      expect(await s.db.knex('contacts').where('email', 'proto@example.com').first()).toBeUndefined();
      const validate = await s.call(token, { method: 'POST', url: '/connectors/validate', payload: '{"id":"x","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}', headers: { 'content-type': 'application/json' } });
      expect(validate.statusCode).toBeLessThan(500);
    });

    it('ignores poisoned query strings', async () => {
      for (const url of ['/crm/contacts?__proto__[polluted]=yes', '/crm/contacts?constructor[prototype][polluted]=yes', '/runs?__proto__.polluted=yes']) {
        const res = await s.call(token, { method: 'GET', url });
        expect({ url, status: res.statusCode < 500 }).toEqual({ url, status: true });
      }
    });
  });
});
