// `switchboard check CONNECTOR --config FILE` against a local mock API: pass and fail output,
// exit codes, and OAuth2 tokens kept with the connection like a run keeps them.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubspotContacts, startHubSpot } from '../../examples/mock-apis/hubspot';
import type { MockApi } from '../../examples/mock-apis/server';
import { TokenIssuer } from '../../examples/mock-apis/oauth';
import { loadConfig } from '../../core/config';
import { Engine } from '../../core/engine';
import { silentLogger } from '../../core/logger';
import * as apiClients from '../../core/store/tables/api-clients';
import { buildApp } from '../../server/app';
import { runCli } from '../helpers/cli';

const TOKEN = 'pat-na1-7f3e2c1d';

const definition = {
  $schema: '../core/schemas/connector.schema.json',
  id: 'hubspot',
  name: 'HubSpot CRM',
  version: '1.0.0',
  config_schema: {
    type: 'object',
    required: ['base_url', 'access_token'],
    properties: { base_url: { type: 'string' }, access_token: { type: 'string', secret: true } },
  },
  base_url: '{{config.base_url}}',
  auth: { type: 'bearer', token: '{{config.access_token}}' },
  retry: { max_attempts: 2, backoff: { initial_ms: 5, max_ms: 20 } },
  timeout_ms: 2000,
  check: { request: { path: '/crm/v3/objects/contacts', query: { limit: 1 } } },
  streams: {
    contacts: { request: { path: '/crm/v3/objects/contacts' }, records: 'results', primary_key: 'id', pagination: { type: 'cursor', cursor_path: 'paging.next.after', cursor_param: 'after' } },
  },
};

let dir: string;
let api: MockApi;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-check-'));
  await mkdir(join(dir, 'connectors'));
  await mkdir(join(dir, 'mappings'));
  await writeFile(join(dir, 'connectors', 'hubspot.json'), JSON.stringify(definition, null, 2));
  api = await startHubSpot({ objects: { contacts: hubspotContacts(3) }, token: TOKEN });
});

afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

async function check(config: Record<string, unknown>, connector = 'hubspot') {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(config));
  return runCli(['check', connector, '--config', file], { cwd: dir });
}

describe('switchboard check', () => {
  it('passes with good credentials: exit 0 and what answered', async () => {
    const result = await check({ base_url: api.url, access_token: TOKEN });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^✓ hubspot: credentials accepted \(GET \/crm\/v3\/objects\/contacts answered 200 in \d+ ms\)\n$/);
    expect(result.code).toBe(0);
  });

  it('fails with bad credentials: exit 1, the API reason, the secret redacted', async () => {
    const wrong = 'pat-na1-wrong-token';
    const result = await check({ base_url: api.url, access_token: wrong });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^✗ hubspot: check failed: SB_AUTH_FAILED: GET http:\/\/127\.0\.0\.1:\d+\/crm\/v3\/objects\/contacts\?limit=1 answered 401/);
    expect(result.stderr).toContain('INVALID_AUTHENTICATION');
    expect(result.stderr).not.toContain(wrong);
  });

  it('fails when the API cannot be reached', async () => {
    const result = await check({ base_url: 'http://127.0.0.1:1', access_token: TOKEN });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SB_HTTP_NETWORK');
  });

  it('fails on a config missing a required setting, before any request', async () => {
    const before = api.requests.length;
    const result = await check({ base_url: api.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('✗ hubspot: the config is missing access_token\n');
    expect(api.requests.length).toBe(before);
  });

  it('an unknown connector or a missing --config exits 1 with the reason', async () => {
    const unknown = await check({ base_url: api.url, access_token: TOKEN }, 'hubspt');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('SB_DEFINITION_NOT_FOUND');
    const noConfig = await runCli(['check', 'hubspot'], { cwd: dir });
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toContain('--config FILE is required');
  });
});

// `switchboard check` spent a rotating refresh token without saving the new one, so the
// connection's first token was lost after a check; and a new refresh token given after a
// reinstall (in --config or PATCH /connections/{id}) lost to the stored token state.
describe('switchboard check with a rotating OAuth2 refresh token', () => {
  const CLIENT = { clientId: 'app-7', clientSecret: 'app-secret-7' };
  const issuer = new TokenIssuer({ ...CLIENT, refreshToken: 'rt-first', rotate: true, expiresIn: 1800 });
  let oauthDir: string;
  let oauthApi: MockApi;
  const oauthDefinition = {
    ...definition,
    config_schema: {
      type: 'object',
      required: ['base_url', 'client_id', 'client_secret', 'refresh_token'],
      properties: { base_url: { type: 'string' }, client_id: { type: 'string' }, client_secret: { type: 'string', secret: true }, refresh_token: { type: 'string', secret: true } },
    },
    auth: { type: 'oauth2', grant: 'refresh_token', token_url: '{{config.base_url}}/oauth/v1/token', client_id: '{{config.client_id}}', client_secret: '{{config.client_secret}}', refresh_token: '{{config.refresh_token}}', client_auth: 'body' },
  };
  const mapping = { $schema: '../core/schemas/mapping.schema.json', id: 'hubspot-contacts', connector: 'hubspot', stream: 'contacts', entity: 'contacts', fields: { email: 'properties.email' } };

  beforeAll(async () => {
    oauthDir = await mkdtemp(join(tmpdir(), 'sb-check-oauth-'));
    await mkdir(join(oauthDir, 'connectors'));
    await mkdir(join(oauthDir, 'mappings'));
    await writeFile(join(oauthDir, 'connectors', 'hubspot.json'), JSON.stringify(oauthDefinition, null, 2));
    await writeFile(join(oauthDir, 'mappings', 'hubspot-contacts.json'), JSON.stringify(mapping, null, 2));
    oauthApi = await startHubSpot({ objects: { contacts: hubspotContacts(5) }, tokens: issuer });
  });
  afterAll(async () => {
    await oauthApi.close();
    await rm(oauthDir, { recursive: true, force: true });
  });

  const configFile = async (refreshToken: string): Promise<string> => {
    const file = join(oauthDir, `config-${refreshToken}.json`);
    await writeFile(file, JSON.stringify({ base_url: oauthApi.url, ...{ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }, refresh_token: refreshToken }));
    return file;
  };
  const cli = (...args: string[]) => runCli(args, { cwd: oauthDir });

  it('saves the rotated token like a run, so the next sync and check work; a new refresh token given in --config or PATCH replaces the stored one', async () => {
    const first = await configFile('rt-first');
    const checked = await cli('check', 'hubspot', '--config', first);
    expect(checked.stdout).toMatch(/^✓ hubspot: credentials accepted/);
    expect(issuer.refreshes).toBe(1);

    // The same config file again: its refresh token is spent, the stored rotated one is used.
    issuer.expireAll();
    const synced = await cli('sync', 'hubspot-contacts', '--config', first, '--json');
    expect(JSON.parse(synced.stdout)).toMatchObject({ status: 'succeeded', records: { read: 5 } });
    issuer.expireAll();
    expect((await cli('check', 'hubspot', '--config', first)).code).toBe(0);
    expect(issuer.spentRefreshUses).toBe(0);
    expect(issuer.refreshes).toBe(3);

    // Reinstalled: every old token is revoked, the config file carries the new refresh token.
    issuer.reinstall('rt-reinstalled');
    const again = await cli('check', 'hubspot', '--config', await configFile('rt-reinstalled'));
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(issuer.spentRefreshUses).toBe(0);

    // Reinstalled once more, the new token given through the API this time.
    issuer.reinstall('rt-through-the-api');
    const engine = await Engine.open({ cwd: oauthDir, config: loadConfig({}), connectorsDir: join(oauthDir, 'connectors'), mappingsDir: join(oauthDir, 'mappings'), logger: silentLogger(), queue: 'memory', concurrency: 0 });
    const app = await buildApp(engine, { redisUrl: '' });
    try {
      const { client, clientSecret } = await apiClients.create(engine.db, { name: 'admin', scopes: ['connections:admin'] });
      const token = ((await app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: clientSecret } })).json() as { access_token: string }).access_token;
      const headers = { authorization: `Bearer ${token}` };
      const patched = await app.inject({ method: 'PATCH', url: '/connections/hubspot', headers, payload: { config: { refresh_token: 'rt-through-the-api' } } });
      expect(patched.statusCode).toBe(200);
      const check = await app.inject({ method: 'POST', url: '/connections/hubspot/check', headers });
      expect(check.json()).toMatchObject({ ok: true });
      expect(issuer.spentRefreshUses).toBe(0);
      // And what the API check rotated is what the next run uses.
      issuer.expireAll();
      expect((await app.inject({ method: 'POST', url: '/connections/hubspot/check', headers })).json()).toMatchObject({ ok: true });
      expect(issuer.spentRefreshUses).toBe(0);
    } finally {
      await app.close();
      await engine.close();
    }
  });
});
