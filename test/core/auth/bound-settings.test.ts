// Which settings the credentials of a connection are bound to, computed from the definition: the
// config keys base_url, auth, headers and allowed_origins use (those an update may not change
// without giving the secrets again).
import { join } from 'node:path';
import { boundSettings, refreshTokenSettings } from '../../../core/auth/bound-settings';
import { loadRegistry } from '../../../core/definitions';
import type { ConnectorDefinition } from '../../../core/generated/connector';

const CONNECTORS = join(__dirname, '..', '..', '..', 'connectors');

describe('settings the credentials are bound to', () => {
  it('are the config keys of base_url, auth, headers and allowed_origins, for each shipped connector', async () => {
    const registry = await loadRegistry({ connectorsDir: CONNECTORS, mappingsDir: join(CONNECTORS, '..', 'mappings') });
    const bound = Object.fromEntries([...registry.connectors.values()].map((c) => [c.id, [...boundSettings(c).keys].sort()]));
    expect(bound).toEqual({
      hubspot: ['access_token', 'base_url'],
      mailchimp: ['api_key', 'base_url'],
      pipedrive: ['api_token', 'base_url', 'company_domain'],
      salesforce: ['client_id', 'client_secret', 'login_url', 'refresh_token'],
      shopify: ['access_token', 'base_url', 'shop'],
      stripe: ['base_url', 'secret_key'],
      zendesk: ['api_token', 'base_url', 'email', 'subdomain'],
    });
    expect(refreshTokenSettings(registry.connector('salesforce'))).toEqual(new Set(['refresh_token']));
    expect(refreshTokenSettings(registry.connector('hubspot'))).toEqual(new Set());
  });

  it('are every setting when one of those templates uses config as a whole', () => {
    const def = { id: 'x', name: 'x', base_url: '{{lookup config "host"}}', streams: {} } as unknown as ConnectorDefinition;
    expect(boundSettings(def)).toMatchObject({ all: true });
    const paths = { id: 'y', name: 'y', base_url: 'https://api.example.com', allowed_origins: ['https://{{config.region}}.example.com'], streams: {} } as unknown as ConnectorDefinition;
    expect(boundSettings(paths)).toEqual({ keys: new Set(['region']), all: false });
  });
});
