// Credentials never leave their API's origin. An absolute next-page URL or `Link` header on
// another host got the Authorization header and the secret headers and query parameters: a
// listening server on the other origin (127.0.0.2, or another port) now receives nothing, and the
// read or run fails with SB_HTTP_ORIGIN_NOT_ALLOWED. Declared origins (base_url, base_url_from,
// allowed_origins) still work, and the OAuth2 token URL is only ever called as declared.
import { randomBytes } from 'node:crypto';
import type { ConnectorDefinition, Pagination } from '../../../core/generated/connector';
import { createRegistry } from '../../../core/definitions';
import { Engine } from '../../../core/engine';
import { checkConnection } from '../../../core/http';
import { silentLogger } from '../../../core/logger';
import { SecretBox } from '../../../core/secrets';
import * as crm from '../../../core/store/crm';
import * as syncRuns from '../../../core/store/tables/sync-runs';
import { TokenIssuer } from '../../../examples/mock-apis/oauth';
import { startMockServer, type LoggedRequest, type MockApi, type MockResponse } from '../../../examples/mock-apis/server';
import { createMigratedDatabase } from '../../helpers/db';
import { client, connector, readAll, recordsOf, failure } from '../../helpers/http-connectors';

const KEY = 'key-0123456789abcdef';
const TOKEN = 'tok-0123456789abcdef';
const servers: MockApi[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: (req: LoggedRequest, base: string) => MockResponse, host?: string): Promise<MockApi> {
  const api = await startMockServer(handler, host === undefined ? {} : { host });
  servers.push(api);
  return api;
}

/** A server on another host that answers like a page of the API would: it must never be reached. */
const elsewhere = (host = '127.0.0.2') => serve(() => ({ body: { items: [{ id: 'stolen' }] } }), host);

/** Credentials of every kind at once: a bearer token, a secret header, a secret query parameter. */
function definition(pagination: Pagination | undefined, extra: Partial<ConnectorDefinition> = {}): ConnectorDefinition {
  return connector('leaky', {
    config_schema: { type: 'object', properties: { base_url: { type: 'string' }, token: { type: 'string', secret: true }, key: { type: 'string', secret: true } } },
    auth: { type: 'bearer', token: '{{config.token}}' },
    headers: { 'X-Api-Key': '{{config.key}}' },
    streams: { items: { request: { path: '/items', query: { api_key: '{{config.key}}' } }, records: 'items', primary_key: 'id', ...(pagination === undefined ? {} : { pagination }) } },
    ...extra,
  });
}

const config = (url: string) => ({ base_url: url, token: TOKEN, key: KEY });

describe('requests to origins the connector does not declare', () => {
  it('an absolute next-page URL on another host gets nothing, and the read fails with SB_HTTP_ORIGIN_NOT_ALLOWED', async () => {
    const thief = await elsewhere();
    const api = await serve(() => ({ body: { items: [{ id: 1 }], next: `${thief.url}/items?page=2` } }));
    const err = await failure(readAll(client(definition({ type: 'next_url', url_path: 'next' }), config(api.url)), 'items'));
    expect(thief.requests).toEqual([]);
    expect(err.code).toBe('SB_HTTP_ORIGIN_NOT_ALLOWED');
    expect(err.message).toContain(`${thief.url} is not one of the connector's origins (${api.url})`);
    expect(err.message).not.toContain(KEY);
    expect(api.requests).toHaveLength(1);
  });

  it('a Link header to another port of the same host gets nothing either', async () => {
    const thief = await elsewhere('127.0.0.1');
    const api = await serve(() => ({ headers: { link: `<${thief.url}/items?page_info=x>; rel="next"` }, body: { items: [{ id: 1 }] } }));
    const err = await failure(readAll(client(definition({ type: 'link_header' }), config(api.url)), 'items'));
    expect(thief.requests).toEqual([]);
    expect(err.code).toBe('SB_HTTP_ORIGIN_NOT_ALLOWED');
  });

  it('a path template that renders a full URL elsewhere is refused the same way', async () => {
    const thief = await elsewhere();
    const def = definition(undefined, { check: { request: { path: `${thief.url}/me` } } });
    const result = await checkConnection(client(def, config('http://127.0.0.1:9')));
    expect(thief.requests).toEqual([]);
    expect(result).toMatchObject({ ok: false, error: { details: { cause: 'SB_HTTP_ORIGIN_NOT_ALLOWED' } } });
  });

  it('allowed_origins declares another origin: requests go there, credentials included', async () => {
    const other = await serve(() => ({ body: { items: [{ id: 2 }] } }), '127.0.0.2');
    const api = await serve(() => ({ body: { items: [{ id: 1 }], next: `${other.url}/items?page=2` } }));
    const def = definition({ type: 'next_url', url_path: 'next' }, { allowed_origins: ['http://{{config.other_host}}', ''] });
    def.config_schema!.properties!['other_host'] = { type: 'string' };
    const pages = await readAll(client(def, { ...config(api.url), other_host: other.url.slice('http://'.length) }), 'items');
    expect(recordsOf(pages)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(other.requests[0]!.headers['authorization']).toBe(`Bearer ${TOKEN}`);
  });

  it('the base URL from the token response (base_url_from) is allowed; other hosts are not', async () => {
    const thief = await elsewhere('127.0.0.1');
    const tokens = new TokenIssuer({ clientId: 'app', clientSecret: 'app-secret', refreshToken: 'rt-1' });
    const instance = await serve((req) => (req.headers['authorization'] === undefined ? { status: 401 } : { body: { items: [{ id: 1 }], next: `${thief.url}/items?2` } }), '127.0.0.2');
    const login = await serve((req) => (req.path === '/token' ? tokens.handle(req) : { status: 404 }) as MockResponse);
    tokens.extra['instance_url'] = instance.url;
    const def = definition({ type: 'next_url', url_path: 'next' }, {
      auth: { type: 'oauth2', grant: 'refresh_token', token_url: '{{config.base_url}}/token', client_id: 'app', client_secret: '{{config.token}}', refresh_token: '{{config.key}}', client_auth: 'body', base_url_from: 'instance_url' },
      headers: {},
    });
    const err = await failure(readAll(client(def, { base_url: login.url, token: 'app-secret', key: 'rt-1' }), 'items'));
    expect(instance.requests).toHaveLength(1);
    expect(thief.requests).toEqual([]);
    expect(err.code).toBe('SB_HTTP_ORIGIN_NOT_ALLOWED');
    expect(err.details?.['allowed']).toEqual([login.url, instance.url]);
  });

  it('the OAuth2 token URL is called as declared: a redirect elsewhere is not followed', async () => {
    const thief = await serve(() => ({ body: { access_token: 'stolen' } }), '127.0.0.2');
    const login = await serve(() => ({ status: 307, headers: { location: `${thief.url}/token` }, body: '' }));
    const def = definition(undefined, {
      auth: { type: 'oauth2', grant: 'client_credentials', token_url: '{{config.base_url}}/token', client_id: 'app', client_secret: '{{config.token}}' },
      check: { request: { path: '/me' } },
    });
    const result = await checkConnection(client(def, config(login.url)));
    expect(thief.requests).toEqual([]);
    expect(login.requests.map((r) => r.path)).toEqual(['/token']);
    expect(result).toMatchObject({ ok: false, error: { details: { cause: 'SB_AUTH_FAILED' } } });
  });

  it('a pull run whose next page points elsewhere fails with the error, the other host receives nothing, and nothing is swept', async () => {
    const db = await createMigratedDatabase('sqlite');
    const thief = await elsewhere();
    let redirect = false;
    const api = await serve((req) =>
      req.query.get('page') === '2' ? { body: { items: [{ id: 'b', email: 'b@x.test' }] } } : { body: { items: [{ id: 'a', email: 'a@x.test' }], next: redirect ? `${thief.url}/items?page=2` : '/items?page=2' } },
    );
    const def = definition({ type: 'next_url', url_path: 'next' });
    const mapping = { id: 'leaky-contacts', connector: 'leaky', stream: 'items', entity: 'contacts', fields: { email: 'email' } } as const;
    const engine = await Engine.open({ knex: db.knex, registry: createRegistry(new Map([[def.id, def]]), new Map([[mapping.id, mapping]])), box: new SecretBox(randomBytes(32)), logger: silentLogger(), queue: 'memory', concurrency: 0 });
    try {
      const conn = await engine.createConnection({ name: 'leaky', connectorId: 'leaky', config: config(api.url) });
      const runFull = async () => {
        const { run } = await engine.requestRun({ connection: conn.id, mapping: mapping.id, mode: 'full' });
        await engine.executeRun(run.id, {}).catch(() => undefined);
        return syncRuns.get(db.knex, run.id);
      };
      expect((await runFull()).status).toBe('succeeded');
      redirect = true;
      const run = await runFull();
      expect(run.status).toBe('failed');
      expect(run.error).toMatchObject({ code: 'SB_HTTP_ORIGIN_NOT_ALLOWED', message: expect.stringContaining(`${thief.url} is not one of the connector's origins`) });
      expect(thief.requests).toEqual([]);
      expect((await crm.list(db.knex, 'contacts', { limit: 10 })).items.map((c) => c.email).sort()).toEqual(['a@x.test', 'b@x.test']);
    } finally {
      await engine.close();
      await db.cleanup();
    }
  });
});
