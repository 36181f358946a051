// Connections over the API on both databases: create (config checked), secrets write-only, list,
// get, update, delete, check against a local API, schedules, and the OAuth2 authorization-code
// flow against a local token endpoint.
import { DIALECTS } from '../helpers/db';
import { startMockServer, type MockApi } from '../../examples/mock-apis/server';
import { TokenIssuer } from '../../examples/mock-apis/oauth';
import * as connections from '../../core/store/tables/connections';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { createTestServer, type TestServer } from './helpers';

type Json = Record<string, unknown>;

describe.each(DIALECTS)('connections API on %s', (dialect) => {
  let s: TestServer;
  let admin: string;
  let reader: string;
  let api: MockApi;
  const issuer = new TokenIssuer({ clientId: 'cid', clientSecret: 'client-secret-value', codes: ['good-code'], expiresIn: 3600 });

  beforeAll(async () => {
    s = await createTestServer(dialect);
    admin = await s.token(['connections:admin', 'connections:read']);
    reader = await s.token(['connections:read']);
    api = await startMockServer(async (req) => {
      if (req.path === '/oauth/token') return issuer.handle(req);
      if (req.path === '/me') return req.headers['x-api-key'] === 'right-key' ? { body: { ok: true } } : { status: 401, body: { message: `bad key ${String(req.headers['x-api-key'])}` } };
      return { status: 404, body: {} };
    });
  });
  afterAll(async () => {
    await api.close();
    await s.close();
  });

  const create = (name: string, config: Json, connector = 'demo') => s.call(admin, { method: 'POST', url: '/connections', payload: { name, connector, config } });

  it('creates a connection: 201, secrets encrypted and shown only as set or not', async () => {
    const res = await create('main', { base_url: api.url, api_key: 'right-key', region: 'eu' });
    expect(res.statusCode).toBe(201);
    const body = res.json() as Json;
    expect(body).toMatchObject({ name: 'main', connector: 'demo', status: 'active', config: { base_url: api.url, region: 'eu' }, secrets: { api_key: true, webhook_secret: false }, authorized: false });
    expect(res.body).not.toContain('right-key');
    expect(res.headers['location']).toBe(`/connections/${String(body['id'])}`);
    const row = (await s.db.knex('connections').where('id', String(body['id'])).first()) as Json;
    expect(JSON.stringify(row)).not.toContain('right-key');
  });

  it('refuses a config that does not match the connector (422), an unknown connector (422) and a taken name (409)', async () => {
    const bad = await create('bad', { base_url: 5 });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'SB_CONNECTION_CONFIG_INVALID' });
    const unknown = await create('x', {}, 'nope');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ code: 'SB_DEFINITION_NOT_FOUND' });
    expect((await create('main', { base_url: api.url, api_key: 'k' })).statusCode).toBe(409);
    expect((await s.call(admin, { method: 'POST', url: '/connections', payload: { name: '../etc', connector: 'demo', config: {} } })).statusCode).toBe(400);
  });

  it('lists, gets by id or name, updates (merging config, null removes) and deletes', async () => {
    const id = String(((await create('second', { base_url: api.url, api_key: 'k2', region: 'us' })).json() as Json)['id']);
    const list = (await s.call(reader, { method: 'GET', url: '/connections' })).json() as Json[];
    expect(list.map((c) => c['name'])).toEqual(expect.arrayContaining(['main', 'second']));
    expect(((await s.call(reader, { method: 'GET', url: '/connections/second' })).json() as Json)['id']).toBe(id);
    const patched = await s.call(admin, { method: 'PATCH', url: `/connections/${id}`, payload: { config: { region: null, webhook_secret: 'whs' }, status: 'disabled' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ status: 'disabled', config: { base_url: api.url }, secrets: { api_key: true, webhook_secret: true } });
    expect((patched.json() as { config: Json }).config).not.toHaveProperty('region');
    expect(await connections.loadConfig(s.db.knex, s.engine.box, id)).toEqual({ base_url: api.url, api_key: 'k2', webhook_secret: 'whs' });
    expect((await s.call(admin, { method: 'PATCH', url: `/connections/${id}`, payload: { config: { api_key: null } } })).statusCode).toBe(422);
    expect((await s.call(admin, { method: 'DELETE', url: `/connections/${id}` })).statusCode).toBe(204);
    expect((await s.call(reader, { method: 'GET', url: `/connections/${id}` })).statusCode).toBe(404);
    expect((await s.call(admin, { method: 'DELETE', url: `/connections/${id}` })).statusCode).toBe(404);
  });

  it('refuses to delete a connection with an active run (409)', async () => {
    const id = String(((await create('busy', { base_url: api.url, api_key: 'k' })).json() as Json)['id']);
    await syncRuns.requestRun(s.db.knex, { connectionId: id, mappingId: 'demo-contacts' });
    const res = await s.call(admin, { method: 'DELETE', url: `/connections/${id}` });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'SB_CONFLICT' });
  });

  it('checks credentials: ok, or the reason with the secret redacted', async () => {
    const ok = await s.call(admin, { method: 'POST', url: '/connections/main/check' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true, request: 'GET /me', source: 'check', status: 200 });
    await create('wrongkey', { base_url: api.url, api_key: 'wrong-key-value' });
    const bad = await s.call(admin, { method: 'POST', url: '/connections/wrongkey/check' });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ ok: false, status: 401, error: { code: 'SB_CHECK_FAILED' } });
    expect(bad.body).not.toContain('wrong-key-value');
  });

  it('puts, lists and deletes schedules; refuses bad cron expressions and mappings of other connectors', async () => {
    const put = await s.call(admin, { method: 'PUT', url: '/connections/main/schedules', payload: { mapping: 'demo-contacts', cron: '*/15 * * * *' } });
    expect(put.statusCode).toBe(200);
    const schedule = put.json() as Json;
    expect(schedule).toMatchObject({ mapping: 'demo-contacts', cron: '*/15 * * * *', timezone: 'UTC', direction: 'pull', mode: 'incremental', enabled: true });
    const replaced = (await s.call(admin, { method: 'PUT', url: '/connections/main/schedules', payload: { mapping: 'demo-contacts', cron: '0 * * * *', timezone: 'Europe/Paris' } })).json() as Json;
    expect(replaced['id']).toBe(schedule['id']);
    expect((await s.call(reader, { method: 'GET', url: '/connections/main/schedules' })).json()).toEqual([expect.objectContaining({ cron: '0 * * * *', timezone: 'Europe/Paris' })]);
    const badCron = await s.call(admin, { method: 'PUT', url: '/connections/main/schedules', payload: { mapping: 'demo-contacts', cron: 'every minute' } });
    expect(badCron.statusCode).toBe(400);
    expect((await s.call(admin, { method: 'PUT', url: '/connections/main/schedules', payload: { mapping: 'ping-companies', cron: '* * * * *' } })).statusCode).toBe(400);
    expect((await s.call(admin, { method: 'PUT', url: '/connections/main/schedules', payload: { mapping: 'nope', cron: '* * * * *' } })).statusCode).toBe(422);
    expect((await s.call(reader, { method: 'GET', url: '/connections/main/schedules' })).json()).toHaveLength(1);
    expect((await s.call(admin, { method: 'DELETE', url: `/connections/main/schedules/${String(schedule['id'])}` })).statusCode).toBe(204);
    expect((await s.call(admin, { method: 'DELETE', url: `/connections/main/schedules/${String(schedule['id'])}` })).statusCode).toBe(404);
  });

  it('runs the OAuth2 authorization-code flow: authorize URL with a single-use state, callback stores the tokens', async () => {
    const id = String(((await create('oauth', { base_url: api.url, client_id: 'cid', client_secret: 'client-secret-value' }, 'oauthy')).json() as Json)['id']);
    const start = await s.call(admin, { method: 'POST', url: `/connections/${id}/oauth/authorize`, payload: { redirect_uri: 'https://switchboard.example/oauth/callback' } });
    expect(start.statusCode).toBe(200);
    const url = new URL(String((start.json() as Json)['authorize_url']));
    expect(`${url.origin}${url.pathname}`).toBe(`${api.url}/oauth/authorize`);
    expect(url.searchParams.get('client_id')).toBe('cid');
    expect(url.searchParams.get('redirect_uri')).toBe('https://switchboard.example/oauth/callback');
    expect(url.searchParams.get('scope')).toBe('read');
    expect(start.body).not.toContain('client-secret-value');
    const state = url.searchParams.get('state')!;
    expect(state.length).toBeGreaterThan(30);
    const back = await s.app.inject({ method: 'GET', url: `/oauth/callback?code=good-code&state=${encodeURIComponent(state)}` });
    expect(back.statusCode).toBe(200);
    expect(back.json()).toMatchObject({ authorized: true, connection: { id, authorized: true } });
    expect(back.body).not.toMatch(/"(at|rt)-/);
    const tokenRequest = api.requests.find((r) => r.path === '/oauth/token')!;
    expect(new URLSearchParams(tokenRequest.body).get('redirect_uri')).toBe('https://switchboard.example/oauth/callback');
    const again = await s.app.inject({ method: 'GET', url: `/oauth/callback?code=good-code&state=${encodeURIComponent(state)}` });
    expect(again.statusCode).toBe(400);
    expect((await s.app.inject({ method: 'GET', url: '/oauth/callback?code=x&state=forged' })).statusCode).toBe(400);
    const denied = await s.call(admin, { method: 'POST', url: `/connections/${id}/oauth/authorize` });
    const deniedState = new URL(String((denied.json() as Json)['authorize_url'])).searchParams.get('state')!;
    expect(new URL(String((denied.json() as Json)['authorize_url'])).searchParams.get('redirect_uri')).toBe('http://localhost:80/oauth/callback');
    const refused = await s.app.inject({ method: 'GET', url: `/oauth/callback?error=access_denied&state=${encodeURIComponent(deniedState)}` });
    expect(refused.statusCode).toBe(400);
    expect((refused.json() as Json)['message']).toContain('access_denied');
    expect((await s.call(admin, { method: 'POST', url: '/connections/main/oauth/authorize' })).statusCode).toBe(400);
  });

  // A PATCH that changed only base_url kept the stored secrets, so the next check sent them to
  // the new host: anyone with connections:admin could read any write-only secret.
  it('a base_url change needs every stored secret again (422 naming them); the new host receives nothing until then', async () => {
    const thief = await startMockServer(() => ({ body: { ok: true } }), { host: '127.0.0.2' });
    try {
      await create('retarget', { base_url: api.url, api_key: 'right-key', webhook_secret: 'whs-secret', region: 'us' });
      const refused = await s.call(admin, { method: 'PATCH', url: '/connections/retarget', payload: { config: { base_url: thief.url } } });
      expect(refused.statusCode).toBe(422);
      expect(refused.json()).toMatchObject({
        code: 'SB_CONNECTION_SECRETS_REQUIRED',
        message: 'changing "base_url" of connection "retarget" changes where its credentials are sent: give "api_key", "webhook_secret" again in the same update',
        details: { settings: ['base_url'], secrets: ['api_key', 'webhook_secret'] },
      });
      // Giving one secret is not enough; the connection is left as it was.
      expect((await s.call(admin, { method: 'PATCH', url: '/connections/retarget', payload: { config: { base_url: thief.url, api_key: 'x' } } })).json()).toMatchObject({ details: { secrets: ['webhook_secret'] } });
      expect(((await s.call(reader, { method: 'GET', url: '/connections/retarget' })).json() as { config: Json }).config['base_url']).toBe(api.url);
      expect((await s.call(admin, { method: 'POST', url: '/connections/retarget/check' })).json()).toMatchObject({ ok: true });
      expect(thief.requests).toEqual([]);

      // Settings the credentials are not bound to change freely; so does base_url set to its value.
      expect((await s.call(admin, { method: 'PATCH', url: '/connections/retarget', payload: { config: { region: 'eu', base_url: api.url } } })).statusCode).toBe(200);

      // With every secret given again, the change goes through and only the new secrets travel.
      const moved = await s.call(admin, { method: 'PATCH', url: '/connections/retarget', payload: { config: { base_url: thief.url, api_key: 'key-for-the-new-host', webhook_secret: null } } });
      expect(moved.statusCode).toBe(200);
      await s.call(admin, { method: 'POST', url: '/connections/retarget/check' });
      expect(thief.requests.map((r) => r.headers['x-api-key'])).toEqual(['key-for-the-new-host']);
      expect(JSON.stringify(thief.requests)).not.toContain('right-key');
    } finally {
      await thief.close();
    }
  });

  it('a change of what the credentials are bound to drops the stored OAuth2 tokens', async () => {
    const id = String(((await create('tokened', { base_url: api.url, client_id: 'cid', client_secret: 'client-secret-value' }, 'oauthy')).json() as Json)['id']);
    await connections.saveTokens(s.db.knex, s.engine.box, id, { access_token: 'at-old-host', refresh_token: 'rt-old-host', obtained_at: new Date().toISOString() }, 0);
    expect((await s.call(reader, { method: 'GET', url: '/connections/tokened' })).json()).toMatchObject({ authorized: true });
    expect((await s.call(admin, { method: 'PATCH', url: '/connections/tokened', payload: { config: { base_url: 'http://127.0.0.2:9' } } })).statusCode).toBe(422);
    expect((await s.call(reader, { method: 'GET', url: '/connections/tokened' })).json()).toMatchObject({ authorized: true });
    expect((await s.call(admin, { method: 'PATCH', url: '/connections/tokened', payload: { config: { base_url: 'http://127.0.0.2:9', client_secret: 'client-secret-value' } } })).statusCode).toBe(200);
    expect((await s.call(reader, { method: 'GET', url: '/connections/tokened' })).json()).toMatchObject({ authorized: false });
    expect((await connections.loadTokens(s.db.knex, s.engine.box, id)).tokens).toBeUndefined();
  });
});
