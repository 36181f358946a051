// Test servers: an Engine on a fresh database (SQLite or PostgreSQL) with small inline
// definitions, the API app on it, every log line captured, and clients and tokens on demand.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createRegistry, type ConnectorDefinition, type MappingDefinition } from '../../core/definitions';
import { Engine } from '../../core/engine';
import { createLogger } from '../../core/logger';
import { SecretBox } from '../../core/secrets';
import type { Knex } from 'knex';
import { openDatabase, resolveDatabaseTarget, type Dialect } from '../../core/store/db';
import * as apiClients from '../../core/store/tables/api-clients';
import { buildApp, type BuildAppOptions } from '../../server/app';
import type { Scope } from '../../server/auth/scopes';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db';

/** A small API with an api key, a check request, an incremental stream and signed webhooks carrying records. */
export const demoConnector = {
  id: 'demo',
  name: 'Demo API',
  config_schema: {
    type: 'object',
    required: ['base_url', 'api_key'],
    properties: {
      base_url: { type: 'string' },
      api_key: { type: 'string', secret: true },
      webhook_secret: { type: 'string', secret: true },
      region: { type: 'string' },
    },
  },
  base_url: '{{config.base_url}}',
  auth: { type: 'api_key', name: 'X-Api-Key', value: '{{config.api_key}}', in: 'header' },
  retry: { max_attempts: 1 },
  check: { request: { path: '/me' } },
  streams: {
    people: {
      request: { path: '/people' },
      records: 'data',
      primary_key: 'id',
      incremental: { cursor_field: 'updated', param: 'since', in: 'query', format: 'iso8601' },
    },
  },
  webhooks: {
    signature: { type: 'hmac', header: 'X-Demo-Signature', secret: '{{config.webhook_secret}}', prefix: 'sha256=' },
    stream: 'people',
    records: 'data',
  },
} as unknown as ConnectorDefinition;

export const demoMapping = {
  id: 'demo-contacts',
  connector: 'demo',
  stream: 'people',
  entity: 'contacts',
  fields: { email: { path: 'email', transform: ['trim', 'lowercase'] }, first_name: 'name', 'custom.tier': 'tier' },
  required: ['email'],
  match_on: ['email'],
} as unknown as MappingDefinition;

/** Webhooks that only say "something changed" (a shared token), and an OAuth2 authorization-code connector. */
export const pingConnector = {
  id: 'ping',
  name: 'Ping API',
  config_schema: { type: 'object', properties: { base_url: { type: 'string' }, hook_token: { type: 'string', secret: true } } },
  base_url: '{{config.base_url}}',
  streams: { items: { request: { path: '/items' }, records: 'items', primary_key: 'id' } },
  webhooks: { signature: { type: 'token', header: 'X-Hook-Token', value: '{{config.hook_token}}' } },
} as unknown as ConnectorDefinition;

export const pingMapping = { id: 'ping-companies', connector: 'ping', stream: 'items', entity: 'companies', fields: { name: 'name' } } as unknown as MappingDefinition;

export const unsignedConnector = {
  id: 'unsigned',
  name: 'Unsigned webhooks',
  config_schema: { type: 'object', properties: {} },
  base_url: 'http://127.0.0.1:9',
  streams: { items: { request: { path: '/items' }, records: 'items', primary_key: 'id' } },
  webhooks: { stream: 'items', records: '' },
} as unknown as ConnectorDefinition;

export const unsignedMapping = { id: 'unsigned-companies', connector: 'unsigned', stream: 'items', entity: 'companies', fields: { name: 'name' }, required: ['name'] } as unknown as MappingDefinition;

export const oauthConnector = {
  id: 'oauthy',
  name: 'OAuth API',
  config_schema: {
    type: 'object',
    required: ['base_url', 'client_id', 'client_secret'],
    properties: { base_url: { type: 'string' }, client_id: { type: 'string' }, client_secret: { type: 'string', secret: true } },
  },
  base_url: '{{config.base_url}}',
  auth: {
    type: 'oauth2',
    grant: 'authorization_code',
    token_url: '{{config.base_url}}/oauth/token',
    authorize_url: '{{config.base_url}}/oauth/authorize',
    client_id: '{{config.client_id}}',
    client_secret: '{{config.client_secret}}',
    scopes: ['read'],
  },
  check: { request: { path: '/me' } },
  streams: { items: { request: { path: '/items' }, records: 'items', primary_key: 'id' } },
} as unknown as ConnectorDefinition;

export const CONNECTORS = [demoConnector, pingConnector, unsignedConnector, oauthConnector];
export const MAPPINGS = [demoMapping, pingMapping, unsignedMapping];

export function testRegistry(): ReturnType<typeof createRegistry> {
  return createRegistry(new Map(CONNECTORS.map((c) => [c.id, c])), new Map(MAPPINGS.map((m) => [m.id, m])));
}

export interface TestServer {
  db: TestDatabase;
  engine: Engine;
  app: FastifyInstance;
  /** Every log line written so far (JSON text). */
  logs(): string;
  /** A client with these scopes, and a token for it. */
  client(scopes: readonly Scope[]): Promise<{ clientId: string; clientSecret: string }>;
  token(scopes: readonly Scope[]): Promise<string>;
  /** `inject` with a bearer token. */
  call(token: string, options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Another server process on the same database (a pool of its own) and the same secret key. */
  twin(options?: BuildAppOptions): Promise<TestServer>;
  close(): Promise<void>;
}

export interface TestServerSetup {
  /** The definitions served (default the small inline ones above). */
  registry?: ReturnType<typeof createRegistry>;
  /** Enqueue runs on BullMQ in this Redis, under this key prefix (default the in-process queue). */
  bullmq?: { redisUrl: string; prefix: string };
}

export async function createTestServer(dialect: Dialect, options: BuildAppOptions = {}, setup: TestServerSetup = {}): Promise<TestServer> {
  const db = await createMigratedDatabase(dialect);
  return serve(db, db.knex, randomBytes(32), setup, options, async () => db.cleanup());
}

async function serve(db: TestDatabase, knex: Knex, key: Buffer, setup: TestServerSetup, options: BuildAppOptions, release: () => Promise<void>): Promise<TestServer> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', destination: sink });
  const registry = setup.registry ?? testRegistry();
  const queue = setup.bullmq === undefined ? ({ queue: 'memory' } as const) : ({ queue: 'bullmq', redisUrl: setup.bullmq.redisUrl, queuePrefix: setup.bullmq.prefix } as const);
  const engine = await Engine.open({ knex, registry, box: new SecretBox(key), logger, concurrency: 0, ...queue });
  // Suites ask for many tokens from one address: the token endpoint's own limit is tested apart.
  const app = await buildApp(engine, { redisUrl: '', tokenRequestsPerMinute: 10_000, ...options });
  await app.ready();
  const server: TestServer = {
    db,
    engine,
    app,
    logs: () => lines.join(''),
    async client(scopes) {
      const { client, clientSecret } = await apiClients.create(knex, { name: `test-${randomBytes(3).toString('hex')}`, scopes });
      return { clientId: client.clientId, clientSecret };
    },
    async token(scopes) {
      const { clientId, clientSecret } = await server.client(scopes);
      const res = await app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } });
      if (res.statusCode !== 200) throw new Error(`token request failed: ${res.body}`);
      return (res.json() as { access_token: string }).access_token;
    },
    call(token, opts) {
      return app.inject({ ...opts, headers: { ...opts.headers, authorization: `Bearer ${token}` } });
    },
    async twin(twinOptions = options) {
      const own = openDatabase(resolveDatabaseTarget(db.url), { poolMax: 5 });
      return serve(db, own, key, setup, twinOptions, async () => own.destroy());
    },
    async close() {
      await app.close();
      await engine.close();
      await release();
    },
  };
  return server;
}
