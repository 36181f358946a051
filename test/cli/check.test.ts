// `switchboard check CONNECTOR --config FILE` against a local mock API: pass and fail output,
// exit codes.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubspotContacts, startHubSpot } from '../../examples/mock-apis/hubspot';
import type { MockApi } from '../../examples/mock-apis/server';
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
