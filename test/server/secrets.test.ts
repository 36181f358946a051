// No response body, log line, database file or row, or Redis key ever shows a secret or a token:
// unique values are planted in connection configs (secret settings), client secrets, webhook
// secrets and OAuth2 tokens, then every route that touches them is called and the captured log,
// all answers, the SQLite file (or every PostgreSQL row) and every Redis key are searched.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import Redis from 'ioredis';
import { DIALECTS } from '../helpers/db';
import { deleteRedisKeys } from '../helpers/redis';
import { REDIS_URL } from '../helpers/wait';
import { startMockServer, type MockApi } from '../../examples/mock-apis/server';
import { TokenIssuer } from '../../examples/mock-apis/oauth';
import * as connections from '../../core/store/tables/connections';
import { ALL_SCOPES } from '../../server/auth/scopes';
import { createTestServer, type TestServer } from './helpers';

type Json = Record<string, unknown>;
const planted = (what: string): string => `PLANTED-${what}-${randomBytes(6).toString('hex')}`;

interface Exercise {
  /** Every planted value by name. */
  secrets: Record<string, string>;
  answers: Array<{ label: string; text: string }>;
  bearer: string;
}

/** Plants secrets through every route that takes or uses them; returns them with every answer. */
async function exercise(s: TestServer, api: MockApi, planted: { apiKey: string; newApiKey: string; webhookSecret: string; oauthClientSecret: string }): Promise<Exercise> {
  const answers: Array<{ label: string; text: string }> = [];
  const keep = (label: string, res: LightMyRequestResponse): LightMyRequestResponse => {
    answers.push({ label, text: `${JSON.stringify(res.headers)}\n${res.body}` });
    return res;
  };
  const { apiKey, newApiKey, webhookSecret, oauthClientSecret } = planted;
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
  await call('webhook replay', 'POST', '/webhooks/leaky', body, { 'content-type': 'application/json', 'x-demo-signature': `sha256=${createHmac('sha256', webhookSecret).update(body).digest('hex')}` });
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
    'the bearer token': bearer,
  };
  return { secrets, answers, bearer };
}

/** Everything the database holds: the SQLite file and its journals as bytes, or every PostgreSQL row as text. */
async function databaseContents(s: TestServer): Promise<string> {
  if (s.db.dialect === 'sqlite') {
    return ['', '-wal', '-journal'].map((suffix) => `${s.db.url}${suffix}`).filter(existsSync).map((file) => readFileSync(file).toString('latin1')).join('\n');
  }
  const tables = (await s.db.knex('information_schema.tables').where('table_schema', s.db.knex.raw('current_schema()')).select('table_name')) as Array<{ table_name: string }>;
  expect(tables.length).toBeGreaterThan(10);
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const rows = (await s.db.knex.raw('SELECT t::text AS row FROM ?? t', [table_name])) as { rows: Array<{ row: string }> };
    parts.push(...rows.rows.map((r) => r.row));
  }
  return parts.join('\n');
}

/** Every key under the prefixes, with its value whatever its type. */
async function redisContents(prefixes: readonly string[]): Promise<{ keys: number; text: string }> {
  const redis = new Redis(REDIS_URL);
  try {
    const parts: string[] = [];
    let keys = 0;
    for (const prefix of prefixes) {
      for (const key of await redis.keys(`${prefix}*`)) {
        keys++;
        const type = await redis.type(key);
        const value =
          type === 'string' ? await redis.get(key)
          : type === 'hash' ? await redis.hgetall(key)
          : type === 'list' ? await redis.lrange(key, 0, -1)
          : type === 'set' ? await redis.smembers(key)
          : type === 'zset' ? await redis.zrange(key, 0, -1, 'WITHSCORES')
          : type === 'stream' ? await redis.xrange(key, '-', '+')
          : null;
        parts.push(key, JSON.stringify(value));
      }
    }
    return { keys, text: parts.join('\n') };
  } finally {
    redis.disconnect();
  }
}

function expectNowhere(secrets: Record<string, string>, places: Record<string, string>): void {
  for (const [name, value] of Object.entries(secrets)) {
    for (const [place, text] of Object.entries(places)) expect({ name, place, shown: text.includes(value) }).toEqual({ name, place, shown: false });
  }
}

/** An API that echoes the key it was sent in its error body, as some do; and an OAuth token endpoint. */
async function leakyApi(issuer: TokenIssuer): Promise<MockApi> {
  return startMockServer(async (req) => {
    if (req.path === '/oauth/token') return issuer.handle(req);
    return { status: 403, body: { error: `key ${String(req.headers['x-api-key'])} is not allowed`, auth: req.headers['authorization'] } };
  });
}

describe.each(DIALECTS)('secrets stay secret on %s', (dialect) => {
  let s: TestServer;
  let api: MockApi;
  const values = { apiKey: planted('apikey'), newApiKey: planted('apikey2'), webhookSecret: planted('whsec'), oauthClientSecret: planted('oauthsecret') };
  const issuer = new TokenIssuer({ clientId: 'cid', clientSecret: values.oauthClientSecret, codes: ['the-code'], expiresIn: 3600 });

  beforeAll(async () => {
    s = await createTestServer(dialect);
    api = await leakyApi(issuer);
  });
  afterAll(async () => {
    await api.close();
    await s.close();
  });

  it('never shows them in answers, logs or the database', async () => {
    const { secrets, answers, bearer } = await exercise(s, api, values);
    const logs = s.logs();
    expect(logs).toContain('request completed');
    // The bearer token among them: only the token endpoint's answer (not kept here) carries it.
    expectNowhere(secrets, { logs, ...Object.fromEntries(answers.map((a) => [`answer to ${a.label}`, a.text])) });
    expect(logs.includes(bearer.split('.')[2]!)).toBe(false);
    const database = await databaseContents(s);
    // What the flow wrote is there to be found: the connection's name and its plain settings.
    expect(database).toContain('leaky');
    expect(database).toContain(api.url);
    expectNowhere(secrets, { [dialect === 'sqlite' ? 'the SQLite file' : 'the PostgreSQL rows']: database });
  });
});

describe('secrets stay out of Redis (sqlite, BullMQ queue, shared rate limits)', () => {
  const prefixes = { queue: `sbtest-${randomBytes(4).toString('hex')}`, limits: `sbtest:${randomBytes(4).toString('hex')}:api-rate:` };
  const values = { apiKey: planted('apikey'), newApiKey: planted('apikey2'), webhookSecret: planted('whsec'), oauthClientSecret: planted('oauthsecret') };
  const issuer = new TokenIssuer({ clientId: 'cid', clientSecret: values.oauthClientSecret, codes: ['the-code'], expiresIn: 3600 });
  let s: TestServer;
  let api: MockApi;

  beforeAll(async () => {
    s = await createTestServer('sqlite', { redisUrl: REDIS_URL, rateLimitPrefix: prefixes.limits }, { bullmq: { redisUrl: REDIS_URL, prefix: prefixes.queue } });
    api = await leakyApi(issuer);
  });
  afterAll(async () => {
    await api.close();
    await s.close();
    await deleteRedisKeys([`${prefixes.queue}:`, prefixes.limits]);
  });

  it('never writes them to a Redis key or value', async () => {
    const { secrets } = await exercise(s, api, values);
    const redis = await redisContents([`${prefixes.queue}:`, prefixes.limits]);
    // The queue's job and the rate-limit counters are there to be searched.
    expect(redis.keys).toBeGreaterThan(2);
    expect(redis.text).toContain(prefixes.limits);
    expectNowhere(secrets, { Redis: redis.text });
  });
});
