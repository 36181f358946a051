// OAuth2 through simple-oauth2 against a mock token endpoint: grants, caching until shortly
// before expiry, one refresh on a 401, refresh token rotation under the token lock, base URL
// from the token response, the authorization code flow.
import type { AuthOAuth2, ConnectorDefinition } from '../../../core/generated/connector';
import { MemoryTokenStore } from '../../../core/auth';
import { readStream, type StreamPage } from '../../../core/http';
import { hubspotContacts, startHubSpot } from '../../../examples/mock-apis/hubspot';
import { TokenIssuer } from '../../../examples/mock-apis/oauth';
import { salesforceContacts, startSalesforce } from '../../../examples/mock-apis/salesforce';
import type { MockApi } from '../../../examples/mock-apis/server';
import { client, hubspotDefinition, idsOf, readAll, recordsOf, salesforceDefinition } from '../../helpers/http-connectors';

let api: MockApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const CLIENT = { clientId: 'app-1', clientSecret: 'app-secret-1' };
const contacts = hubspotContacts(300);

function oauth(extra: Partial<AuthOAuth2> = {}): AuthOAuth2 {
  return {
    type: 'oauth2',
    grant: 'refresh_token',
    token_url: '{{config.base_url}}/oauth/v1/token',
    client_id: '{{config.client_id}}',
    client_secret: '{{config.client_secret}}',
    refresh_token: '{{config.refresh_token}}',
    client_auth: 'body',
    ...extra,
  };
}

function definition(auth: AuthOAuth2): ConnectorDefinition {
  const def = hubspotDefinition({ auth });
  def.config_schema = { type: 'object', properties: { client_secret: { type: 'string', secret: true }, refresh_token: { type: 'string', secret: true } } };
  return def;
}

const config = (url: string) => ({ base_url: url, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: 'rt-initial' });
const tokenRequests = (a: MockApi) => a.requests.filter((r) => r.path === '/oauth/v1/token');

describe('oauth2 grants', () => {
  it('client_credentials: one token for many requests, Basic client auth by default', async () => {
    const tokens = new TokenIssuer({ ...CLIENT, expiresIn: 1800 });
    api = await startHubSpot({ objects: { contacts }, tokens });
    const c = client(definition(oauth({ grant: 'client_credentials', client_auth: 'header', scopes: ['crm.objects.contacts.read', 'crm.schemas.read'] })), config(api.url));
    expect(idsOf(recordsOf(await readAll(c, 'contacts')))).toEqual(contacts.map((x) => x.id));
    const [grant] = tokenRequests(api);
    expect(tokenRequests(api)).toHaveLength(1);
    expect(grant!.headers['authorization']).toMatch(/^Basic /);
    expect(new URLSearchParams(grant!.body).get('scope')).toBe('crm.objects.contacts.read crm.schemas.read');
    expect(api.requests.filter((r) => r.path !== '/oauth/v1/token').every((r) => /^Bearer at-/.test(String(r.headers['authorization'])))).toBe(true);
  });

  it('refresh_token with rotation: the rotated token is saved before use and used next time', async () => {
    const tokens = new TokenIssuer({ ...CLIENT, refreshToken: 'rt-initial', rotate: true, expiresIn: 1800 });
    api = await startHubSpot({ objects: { contacts }, tokens });
    const store = new MemoryTokenStore();
    await readAll(client(definition(oauth()), config(api.url), { tokenStore: store }), 'contacts');
    const saved = await store.load();
    expect(saved?.refresh_token).toMatch(/^rt-/);
    expect(saved?.refresh_token).not.toBe('rt-initial');
    tokens.expireAll();
    // A new worker (same store, config still holding the spent initial token) refreshes with the saved one.
    const pages = await readAll(client(definition(oauth()), config(api.url), { tokenStore: store }), 'contacts');
    expect(recordsOf(pages)).toHaveLength(300);
    expect(tokens.refreshes).toBe(2);
    expect(tokens.spentRefreshUses).toBe(0);
  });

  it('a token refused with invalid_grant is SB_AUTH_FAILED with the reason, secrets redacted', async () => {
    const tokens = new TokenIssuer({ ...CLIENT, refreshToken: 'something-else' });
    api = await startHubSpot({ objects: { contacts }, tokens });
    const err = await readAll(client(definition(oauth()), config(api.url)), 'contacts').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SB_AUTH_FAILED' });
    const message = (err as Error).message;
    expect(message).toContain('invalid_grant');
    expect(message).not.toContain('rt-initial');
    expect(message).not.toContain(CLIENT.clientSecret);
  });

  it('authorization_code: authorize URL, code exchange into the store, then refreshes', async () => {
    const tokens = new TokenIssuer({ ...CLIENT, codes: ['code-123'], rotate: true, expiresIn: 1800 });
    api = await startHubSpot({ objects: { contacts }, tokens });
    const auth = oauth({ grant: 'authorization_code', authorize_url: 'https://app.hubspot.com/oauth/authorize', scopes: ['crm.objects.contacts.read'] });
    delete auth.refresh_token;
    const store = new MemoryTokenStore();
    const c = client(definition(auth), config(api.url), { tokenStore: store });
    const url = new URL(c.authorizationUrl({ redirectUri: 'https://sb.example.com/oauth/callback', state: 'st-1' }));
    expect(url.origin + url.pathname).toBe('https://app.hubspot.com/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({ response_type: 'code', client_id: 'app-1', redirect_uri: 'https://sb.example.com/oauth/callback', scope: 'crm.objects.contacts.read', state: 'st-1' });
    await expect(readAll(c, 'contacts')).rejects.toMatchObject({ code: 'SB_AUTH_FAILED', message: expect.stringMatching(/authorize the connection first/) });
    await c.completeAuthorization({ code: 'code-123', redirectUri: 'https://sb.example.com/oauth/callback' });
    expect((await store.load())?.refresh_token).toMatch(/^rt-/);
    expect(recordsOf(await readAll(c, 'contacts'))).toHaveLength(300);
    tokens.expireAll();
    expect(recordsOf(await readAll(c, 'contacts'))).toHaveLength(300);
    expect(tokens.refreshes).toBe(1);
  });

  it('Salesforce: base_url_from takes instance_url from the token response', async () => {
    const records = salesforceContacts(30);
    const tokens = new TokenIssuer({ ...CLIENT, refreshToken: 'rt-initial' });
    api = await startSalesforce({ records, tokens, batchSize: 10 });
    const def = salesforceDefinition({
      base_url: 'https://login.invalid',
      auth: { ...oauth({ token_url: `${api.url}/services/oauth2/token`, base_url_from: 'instance_url' }) },
    });
    const store = new MemoryTokenStore();
    const pages = await readAll(client(def, config(api.url), { tokenStore: store }), 'contacts');
    expect(idsOf(recordsOf(pages), 'Id')).toEqual(records.map((r) => r.Id));
    expect((await store.load())?.base_url).toBe(api.url);
  });
});

describe('expiry and 401', () => {
  it('a token that expires mid-stream: 401, one refresh, the page retried, every record once', async () => {
    const tokens = new TokenIssuer({ ...CLIENT, refreshToken: 'rt-initial', rotate: true });
    api = await startHubSpot({ objects: { contacts }, tokens });
    const c = client(definition(oauth()), config(api.url));
    const pages: StreamPage[] = [];
    for await (const page of readStream(c, 'contacts', { prefetch: false })) {
      pages.push(page);
      if (pages.length === 1) tokens.expireAll();
    }
    expect(idsOf(recordsOf(pages))).toEqual(contacts.map((x) => x.id));
    expect(tokens.refreshes).toBe(2);
    expect(pages[1]).toMatchObject({ requests: 2, retries: 1 });
    expect(api.requests.filter((r) => r.path !== '/oauth/v1/token').map((r) => r.query.get('after') === null)).toEqual([true, false, false, false]);
  });

  it('refreshes shortly before expiry instead of waiting for a 401', async () => {
    const tokens = new TokenIssuer({ ...CLIENT, refreshToken: 'rt-initial', expiresIn: 1 });
    api = await startHubSpot({ objects: { contacts }, tokens });
    const c = client(definition(oauth()), config(api.url));
    await c.send(c.connector.check!, c.context());
    await new Promise((r) => setTimeout(r, 800)); // inside the last quarter of the lifetime
    await c.send(c.connector.check!, c.context());
    expect(tokens.refreshes).toBe(2);
    expect(c.stats).toEqual({ requests: 2, retries: 0 });
  });

  it('a 401 that persists after the refresh is SB_AUTH_FAILED after exactly one refresh', async () => {
    const tokens = new TokenIssuer({ ...CLIENT, refreshToken: 'rt-initial' });
    api = await startHubSpot({ objects: { contacts }, tokens, faults: (_i, req) => (req.path === '/oauth/v1/token' ? undefined : { status: 401, body: { category: 'INVALID_AUTHENTICATION' } }) });
    const err = await readAll(client(definition(oauth()), config(api.url)), 'contacts').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SB_AUTH_FAILED' });
    expect(tokens.refreshes).toBe(2);
    expect(api.requests.filter((r) => r.path !== '/oauth/v1/token')).toHaveLength(2);
  });

  it('rotation with concurrent requests and two workers: one refresh, nobody uses the spent token', async () => {
    const tokens = new TokenIssuer({ ...CLIENT, refreshToken: 'rt-initial', rotate: true, delayMs: 100 });
    api = await startHubSpot({ objects: { contacts }, tokens });
    const store = new MemoryTokenStore(); // shared, as the database store is between workers
    const workers = [client(definition(oauth()), config(api.url), { tokenStore: store }), client(definition(oauth()), config(api.url), { tokenStore: store })];
    const send = (i: number) => workers[i % 2]!.send(workers[0]!.connector.check!, workers[0]!.context());
    await Promise.all([0, 1, 2, 3, 4, 5].map(send));
    expect(tokens.refreshes).toBe(1);
    tokens.expireAll(); // every worker now holds a refused token: six concurrent 401s
    await Promise.all([0, 1, 2, 3, 4, 5].map(send));
    expect(tokens.refreshes).toBe(2);
    expect(tokens.spentRefreshUses).toBe(0);
    expect(store.saves).toBe(2);
    expect(workers.map((w) => w.stats.retries)).toEqual([3, 3]);
  });
});
