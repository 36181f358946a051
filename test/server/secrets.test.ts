// No response body and no log line ever shows a secret or a token: unique values are planted in
// connection configs (secret settings), client secrets, webhook secrets and OAuth2 tokens, then
// every route that touches them is called and the captured log and all answers are searched.
import { createHmac, randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { DIALECTS } from '../helpers/db';
import { startMockServer, type MockApi } from '../../examples/mock-apis/server';
import { TokenIssuer } from '../../examples/mock-apis/oauth';
import * as connections from '../../core/store/tables/connections';
import { ALL_SCOPES } from '../../server/auth/scopes';
import { createTestServer, type TestServer } from './helpers';

type Json = Record<string, unknown>;
const planted = (what: string): string => `PLANTED-${what}-${randomBytes(6).toString('hex')}`;

describe.each(DIALECTS)('secrets stay secret on %s', (dialect) => {
  let s: TestServer;
  let api: MockApi;
  const apiKey = planted('apikey');
  const newApiKey = planted('apikey2');
  const webhookSecret = planted('whsec');
  const oauthClientSecret = planted('oauthsecret');
  const issuer = new TokenIssuer({ clientId: 'cid', clientSecret: oauthClientSecret, codes: ['the-code'], expiresIn: 3600 });
  const answers: Array<{ label: string; text: string }> = [];

  const keep = (label: string, res: LightMyRequestResponse): LightMyRequestResponse => {
    answers.push({ label, text: `${JSON.stringify(res.headers)}\n${res.body}` });
    return res;
  };

  beforeAll(async () => {
    s = await createTestServer(dialect);
    // An API that echoes the key it was sent in its error body, as some do.
    api = await startMockServer(async (req) => {
      if (req.path === '/oauth/token') return issuer.handle(req);
      return { status: 403, body: { error: `key ${String(req.headers['x-api-key'])} is not allowed`, auth: req.headers['authorization'] } };
    });
  });
  afterAll(async () => {
    await api.close();
    await s.close();
  });

  it('never shows them in answers or logs', async () => {
    const { clientId, clientSecret } = await s.client([...ALL_SCOPES]);
    const tokenRes = await s.app.inject({
      method: 'POST',
      url: '/oauth/token?client_secret=in-the-url',
      payload: `grant_type=client_credentials&client_id=${clientId}&client_secret=${encodeURIComponent(clientSecret)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const bearer = String((tokenRes.json() as Json)['access_token']);
    const call = async (label: string, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
      keep(label, await s.app.inject({ method: method as 'GET', url, ...(payload === undefined ? {} : { payload: payload as Json }), headers: { authorization: `Bearer ${bearer}`, ...headers } }));

    keep('wrong client secret', await s.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: `${clientSecret}x` } }));
    const created = await call('create', 'POST', '/connections', { name: 'leaky', connector: 'demo', config: { base_url: api.url, api_key: apiKey, webhook_secret: webhookSecret } });
    expect(created.statusCode).toBe(201);
    const id = String((created.json() as Json)['id']);
    await call('bad config', 'POST', '/connections', { name: 'leaky2', connector: 'demo', config: { base_url: api.url, api_key: 12345, webhook_secret: webhookSecret } });
    await call('get', 'GET', `/connections/${id}`);
    await call('list', 'GET', '/connections');
    await call('patch', 'PATCH', `/connections/${id}`, { config: { api_key: newApiKey } });
    const check = await call('check', 'POST', `/connections/${id}/check`);
    expect(check.json()).toMatchObject({ ok: false });
    await call('run', 'POST', `/connections/${id}/runs`, { mapping: 'demo-contacts' });
    const body = JSON.stringify({ data: [{ id: 'w1', email: 'w@example.com' }] });
    await call('webhook', 'POST', '/webhooks/leaky', body, { 'content-type': 'application/json', 'x-demo-signature': `sha256=${createHmac('sha256', webhookSecret).update(body).digest('hex')}` });
    await call('bad webhook', 'POST', '/webhooks/leaky', body, { 'content-type': 'application/json', 'x-demo-signature': 'sha256=00' });

    const oauth = await call('oauth create', 'POST', '/connections', { name: 'oauthy', connector: 'oauthy', config: { base_url: api.url, client_id: 'cid', client_secret: oauthClientSecret } });
    const oauthId = String((oauth.json() as Json)['id']);
    const start = await s.app.inject({ method: 'POST', url: `/connections/${oauthId}/oauth/authorize`, headers: { authorization: `Bearer ${bearer}` } });
    const state = new URL(String((start.json() as Json)['authorize_url'])).searchParams.get('state')!;
    keep('callback', await s.app.inject({ method: 'GET', url: `/oauth/callback?code=the-code&state=${encodeURIComponent(state)}` }));
    keep('callback replay', await s.app.inject({ method: 'GET', url: `/oauth/callback?code=the-code&state=${encodeURIComponent(state)}` }));
    await call('oauth check', 'POST', `/connections/${oauthId}/check`);
    const stored = (await connections.loadTokens<{ access_token: string; refresh_token: string }>(s.db.knex, s.engine.box, oauthId)).tokens!;
    expect(stored.access_token).toBeTruthy();

    const secrets: Record<string, string> = {
      apiKey,
      newApiKey,
      webhookSecret,
      oauthClientSecret,
      clientSecret,
      accessToken: stored.access_token,
      refreshToken: stored.refresh_token,
      'the OAuth code': 'the-code',
      'the OAuth state': state,
      'a client secret in a query string': 'in-the-url',
    };
    const logs = s.logs();
    expect(logs).toContain('request completed');
    for (const [name, value] of Object.entries(secrets)) {
      expect({ name, inLogs: logs.includes(value) }).toEqual({ name, inLogs: false });
      for (const a of answers) expect({ name, answer: a.label, shown: a.text.includes(value) }).toEqual({ name, answer: a.label, shown: false });
    }
    // Bearer tokens appear in no log line either (only the token endpoint's answer carries one).
    expect(logs.includes(bearer)).toBe(false);
    expect(logs.includes(bearer.split('.')[2]!)).toBe(false);
  });
});
