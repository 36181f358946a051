// Auth: the OAuth2 client credentials endpoint (RFC 6749 4.4 and its error format), bearer
// tokens (expiry, tampering, disabled clients), 401/403 on every protected route of the
// OpenAPI document, and per-client rate limits.
import { TokenSigner } from '../../server/auth/tokens';
import { ALL_SCOPES, type Scope } from '../../server/auth/scopes';
import * as apiClients from '../../core/store/tables/api-clients';
import { createTestServer, type TestServer } from './helpers';
import { openApiOf, operationsOf, type Operation } from './routes';

type Json = Record<string, unknown>;

const ERROR_SHAPE = { statusCode: expect.any(Number), code: expect.stringMatching(/^SB_/), error: expect.any(String), message: expect.any(String) };

describe('auth (sqlite)', () => {
  let s: TestServer;
  let ops: Operation[];
  let creds: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    s = await createTestServer('sqlite');
    ops = operationsOf(await openApiOf(s.app));
    creds = await s.client(['crm:read', 'runs:read']);
  });
  afterAll(async () => s.close());

  const token = (payload: string | Json, headers: Record<string, string> = {}) => s.app.inject({ method: 'POST', url: '/oauth/token', payload, headers });
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

  describe('POST /oauth/token', () => {
    it('issues a bearer token for a form body with HTTP Basic client auth, not cacheable', async () => {
      const res = await token('grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(creds.clientId, creds.clientSecret) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ access_token: expect.stringMatching(/^sbt1\./), token_type: 'Bearer', expires_in: 900, scope: 'crm:read runs:read' });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['pragma']).toBe('no-cache');
    });

    it('takes the credentials in a JSON or form body, and grants a subset of scopes on request', async () => {
      const json = await token({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'runs:read' });
      expect(json.statusCode).toBe(200);
      expect((json.json() as Json)['scope']).toBe('runs:read');
      const form = await token(`grant_type=client_credentials&client_id=${creds.clientId}&client_secret=${encodeURIComponent(creds.clientSecret)}&ignored=1`, { 'content-type': 'application/x-www-form-urlencoded' });
      expect(form.statusCode).toBe(200);
    });

    it.each([
      ['a wrong secret', { grant_type: 'client_credentials', client_id: 'x', client_secret: 'y' }, {}, 401, 'invalid_client'],
      ['no client authentication', { grant_type: 'client_credentials' }, {}, 401, 'invalid_client'],
      ['an unknown grant', { grant_type: 'password', client_id: 'x', client_secret: 'y' }, {}, 400, 'unsupported_grant_type'],
      ['no grant_type', { client_id: 'x' }, {}, 400, 'invalid_request'],
      ['a grant_type of the wrong type', { grant_type: 5 }, {}, 400, 'invalid_request'],
      ['a malformed Authorization header', { grant_type: 'client_credentials' }, { authorization: 'Basic !!!' }, 401, 'invalid_client'],
    ])('answers %s with the RFC error and our shape', async (_name, payload, headers, status, error) => {
      const res = await token(payload as Json, headers as Record<string, string>);
      expect(res.statusCode).toBe(status);
      expect(res.json()).toMatchObject({ ...ERROR_SHAPE, statusCode: status, error, error_description: expect.any(String) });
      expect(res.headers['cache-control']).toBe('no-store');
      if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Basic realm="switchboard"/);
    });

    it('refuses credentials given twice, unknown scopes, scopes beyond the client, forms with repeated parameters and other media types', async () => {
      const twice = await token({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret }, { authorization: basic(creds.clientId, creds.clientSecret) });
      expect(twice.json()).toMatchObject({ statusCode: 400, error: 'invalid_request' });
      const unknown = await token({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'crm:read crm:everything' });
      expect(unknown.json()).toMatchObject({ statusCode: 400, error: 'invalid_scope' });
      const beyond = await token({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'crm:write' });
      expect(beyond.json()).toMatchObject({ statusCode: 400, error: 'invalid_scope' });
      const repeated = await token('grant_type=client_credentials&grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(repeated.json()).toMatchObject({ statusCode: 400, error: 'invalid_request' });
      const text = await token('grant_type=client_credentials', { 'content-type': 'text/plain' });
      expect(text.statusCode).toBe(415);
      expect(text.json()).toMatchObject({ code: 'SB_UNSUPPORTED_MEDIA_TYPE', error: 'invalid_request' });
    });
  });

  describe('bearer tokens', () => {
    it('refuses a token with a bad signature, an expired token, a disabled client, and other schemes', async () => {
      const good = await s.token(['crm:read']);
      const ok = await s.call(good, { method: 'GET', url: '/crm/contacts' });
      expect(ok.statusCode).toBe(200);
      const tampered = `${good.slice(0, -4)}AAAA`;
      const bad = await s.call(tampered, { method: 'GET', url: '/crm/contacts' });
      expect(bad.statusCode).toBe(401);
      expect(bad.headers['www-authenticate']).toContain('error="invalid_token"');
      const signer = new TokenSigner(s.engine.box.deriveKey('api-tokens'), 60);
      const { token: expired } = signer.issue(creds.clientId, ['crm:read'], Date.now() - 120_000);
      const old = await s.call(expired, { method: 'GET', url: '/crm/contacts' });
      expect(old.statusCode).toBe(401);
      expect((old.json() as Json)['message']).toContain('expired');
      const other = new TokenSigner(Buffer.alloc(32, 7)).issue(creds.clientId, ['crm:read']).token;
      expect((await s.call(other, { method: 'GET', url: '/crm/contacts' })).statusCode).toBe(401);
      const doomed = await s.client(['crm:read']);
      const { token: doomedToken } = signer.issue(doomed.clientId, ['crm:read']);
      await apiClients.disable(s.db.knex, doomed.clientId);
      expect((await s.call(doomedToken, { method: 'GET', url: '/crm/contacts' })).statusCode).toBe(401);
      const wrongScheme = await s.app.inject({ method: 'GET', url: '/crm/contacts', headers: { authorization: basic(creds.clientId, creds.clientSecret) } });
      expect(wrongScheme.statusCode).toBe(401);
      expect(wrongScheme.json()).toMatchObject({ ...ERROR_SHAPE, code: 'SB_UNAUTHORIZED' });
    });

    it('answers 401 without a token on every protected route of the OpenAPI document', async () => {
      const protectedOps = ops.filter((o) => o.bearerScopes !== null);
      expect(protectedOps.length).toBeGreaterThan(30);
      for (const op of protectedOps) {
        const res = await s.app.inject({ method: op.method, url: op.url, payload: {} });
        expect({ route: `${op.method} ${op.path}`, status: res.statusCode }).toEqual({ route: `${op.method} ${op.path}`, status: 401 });
        expect(res.json()).toMatchObject({ ...ERROR_SHAPE, statusCode: 401, code: 'SB_UNAUTHORIZED' });
        expect(res.headers['www-authenticate']).toBe('Bearer realm="switchboard"');
      }
    });

    it('answers 403 on every protected route to a token holding every other scope', async () => {
      const tokens = new Map<string, string>();
      for (const op of ops.filter((o) => o.bearerScopes !== null)) {
        const others = ALL_SCOPES.filter((sc) => !op.bearerScopes!.includes(sc));
        const key = others.join(' ');
        if (!tokens.has(key)) tokens.set(key, await s.token(others as Scope[]));
        const res = await s.call(tokens.get(key)!, { method: op.method, url: op.url, payload: {} });
        expect({ route: `${op.method} ${op.path}`, status: res.statusCode }).toEqual({ route: `${op.method} ${op.path}`, status: 403 });
        expect(res.json()).toMatchObject({ ...ERROR_SHAPE, statusCode: 403, code: 'SB_FORBIDDEN' });
        expect(res.headers['www-authenticate']).toContain(`error="insufficient_scope", scope="${op.bearerScopes!.join(' ')}"`);
      }
    });

    it('needs no token for /health, /openapi.json and /docs', async () => {
      expect((await s.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      expect((await s.app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
      const docs = await s.app.inject({ method: 'GET', url: '/docs/' });
      expect(docs.statusCode).toBe(200);
      expect(docs.headers['content-type']).toContain('text/html');
    });
  });
});

describe('rate limits (sqlite)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await createTestServer('sqlite', { rateLimit: { max: 3, timeWindowMs: 60_000 } });
  });
  afterAll(async () => s.close());

  it('limits each client on its own: 429 with Retry-After in the error shape', async () => {
    const a = await s.token(['crm:read']);
    const b = await s.token(['crm:read']);
    for (let i = 0; i < 3; i++) expect((await s.call(a, { method: 'GET', url: '/crm/contacts' })).statusCode).toBe(200);
    const limited = await s.call(a, { method: 'GET', url: '/crm/contacts' });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ statusCode: 429, code: 'SB_RATE_LIMITED', error: 'Too Many Requests' });
    expect((await s.call(b, { method: 'GET', url: '/crm/contacts' })).statusCode).toBe(200);
  });

  it('limits token requests per address, failed ones included', async () => {
    const limited = await createTestServer('sqlite', { tokenRequestsPerMinute: 2 });
    try {
      const { clientId } = await limited.client(['crm:read']);
      const attempt = () => limited.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: 'guess' } });
      expect((await attempt()).statusCode).toBe(401);
      expect((await attempt()).statusCode).toBe(401);
      const third = await attempt();
      expect(third.statusCode).toBe(429);
      expect(third.headers['retry-after']).toBeDefined();
      expect(third.json()).toMatchObject({ statusCode: 429, code: 'SB_RATE_LIMITED' });
    } finally {
      await limited.close();
    }
  });
});
