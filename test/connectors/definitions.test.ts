// The shipped definitions as files: `switchboard validate` passes on connectors/ and mappings/,
// every file names its schema, credentials are secret, base URLs default to the real APIs, and
// `switchboard check` passes against each local mock.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileConnector } from '../../core/http';
import {
  TokenIssuer,
  hubspotContacts,
  mailchimpMembers,
  pipedrivePersons,
  salesforceContacts,
  shopifyCustomers,
  startHubSpot,
  startMailchimp,
  startPipedrive,
  startSalesforce,
  startShopify,
  startStripe,
  startZendesk,
  stripeCustomers,
  zendeskRecords,
  type MockApi,
} from '../../examples/mock-apis';
import { runCli } from '../helpers/cli';
import { CONNECTORS_DIR, MAPPINGS_DIR, REPO, shippedRegistry } from './harness';

const CONNECTORS = ['hubspot', 'mailchimp', 'pipedrive', 'salesforce', 'shopify', 'stripe', 'zendesk'];
/** Settings that are credentials by their name. */
const CREDENTIAL = /(token|secret|password)$|_key$/;

const json = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

describe('shipped definitions', () => {
  it('`switchboard validate` passes on connectors/ and mappings/', async () => {
    const r = await runCli(['validate'], { cwd: REPO });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ definition\(s\) valid: 7 connector\(s\), \d+ mapping\(s\)\n$/);
  });

  it('every file names its schema and its id, and every connector marks its credentials secret', () => {
    expect(readdirSync(CONNECTORS_DIR).sort()).toEqual(CONNECTORS.map((c) => `${c}.json`));
    for (const name of readdirSync(CONNECTORS_DIR)) {
      const def = json(join(CONNECTORS_DIR, name));
      expect(def).toMatchObject({ $schema: '../core/schemas/connector.schema.json', id: name.replace(/\.json$/, '') });
      const props = (def['config_schema'] as { properties: Record<string, { secret?: boolean }> }).properties;
      for (const [key, spec] of Object.entries(props)) {
        if (CREDENTIAL.test(key)) expect({ connector: def['id'], key, secret: spec.secret }).toEqual({ connector: def['id'], key, secret: true });
      }
      // Each connector reads and writes: the tests of test/connectors exercise both.
      expect(Object.keys(def['streams'] as object).length).toBeGreaterThan(0);
      expect(Object.keys(def['actions'] as object).length).toBeGreaterThan(0);
    }
    for (const name of readdirSync(MAPPINGS_DIR)) expect(json(join(MAPPINGS_DIR, name))).toMatchObject({ $schema: '../core/schemas/mapping.schema.json', id: name.replace(/\.json$/, '') });
  });

  it('base URLs default to the real APIs, and a base_url setting overrides them', async () => {
    const registry = await shippedRegistry();
    const config = { shop: 'acme', subdomain: 'acme', company_domain: 'acme', api_key: '0123abcd-us6' };
    const base = (id: string, extra: Record<string, unknown> = {}) => compileConnector(registry.connector(id)).baseUrl({ config: { ...config, ...extra } });
    expect(Object.fromEntries(CONNECTORS.map((id) => [id, base(id)]))).toEqual({
      hubspot: 'https://api.hubapi.com',
      mailchimp: 'https://us6.api.mailchimp.com/3.0',
      pipedrive: 'https://acme.pipedrive.com',
      salesforce: 'https://login.salesforce.com',
      shopify: 'https://acme.myshopify.com/admin/api/2026-04',
      stripe: 'https://api.stripe.com/v1',
      zendesk: 'https://acme.zendesk.com/api/v2',
    });
    expect(base('zendesk', { base_url: 'http://127.0.0.1:9' })).toBe('http://127.0.0.1:9/api/v2');
    expect(base('mailchimp', { base_url: 'http://127.0.0.1:9' })).toBe('http://127.0.0.1:9/3.0');
  });

  it('`switchboard check` passes for every connector against its mock', async () => {
    const tokens = new TokenIssuer({ clientId: 'id', clientSecret: 'secret', refreshToken: 'rt' });
    const mocks: [string, MockApi, (url: string) => Record<string, unknown>][] = [
      ['hubspot', await startHubSpot({ objects: { contacts: hubspotContacts(2) }, token: 'pat' }), (url) => ({ access_token: 'pat', base_url: url })],
      ['mailchimp', await startMailchimp({ listId: 'L1', members: mailchimpMembers(2), apiKey: 'abc123-us6' }), (url) => ({ api_key: 'abc123-us6', list_id: 'L1', base_url: url })],
      ['pipedrive', await startPipedrive({ persons: pipedrivePersons(2), apiToken: 'pd' }), (url) => ({ company_domain: 'acme', api_token: 'pd', base_url: url })],
      ['salesforce', await startSalesforce({ records: salesforceContacts(2), tokens }), (url) => ({ client_id: 'id', client_secret: 'secret', refresh_token: 'rt', login_url: url })],
      ['shopify', await startShopify({ customers: shopifyCustomers(2), accessToken: 'shpat' }), (url) => ({ shop: 'acme', access_token: 'shpat', base_url: url })],
      ['stripe', await startStripe({ customers: stripeCustomers(2), secretKey: 'sk_test_x' }), (url) => ({ secret_key: 'sk_test_x', base_url: url })],
      ['zendesk', await startZendesk({ users: zendeskRecords(2), email: 'a@b.c', apiToken: 'zd' }), (url) => ({ subdomain: 'acme', email: 'a@b.c', api_token: 'zd', base_url: url })],
    ];
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-check-'));
    try {
      for (const [id, api, config] of mocks) {
        const file = join(dir, `${id}.json`);
        writeFileSync(file, JSON.stringify(config(api.url)));
        const r = await runCli(['check', id, '--config', file, '--connectors-dir', CONNECTORS_DIR, '--mappings-dir', MAPPINGS_DIR], { cwd: REPO });
        expect({ id, code: r.code, out: r.stdout }).toEqual({ id, code: 0, out: expect.stringMatching(new RegExp(`^✓ ${id}: credentials accepted`)) });
      }
    } finally {
      for (const [, api] of mocks) await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
