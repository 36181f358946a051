// What the end-to-end suites share: the CLI arguments that point at the e2e fixtures and a
// store, the usual setups (a migrated database, a local HubSpot-style API with generated
// contacts, and either a config file for the CLI in a scratch folder or an Engine in this
// process whose connection reaches the API through a fault proxy), connections whose contacts
// carry a tag of their own, and waiting for runs.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Knex } from 'knex';
import { loadRegistry, type Registry } from '../../core/definitions';
import { Engine } from '../../core/engine';
import { silentLogger } from '../../core/logger';
import { QUEUE_NAME } from '../../core/queue/bullmq';
import { SecretBox } from '../../core/secrets';
import type { Dialect } from '../../core/store/db';
import type { Connection } from '../../core/store/tables/connections';
import * as syncRuns from '../../core/store/tables/sync-runs';
import type { SyncRun } from '../../core/store/tables/sync-runs';
import { hubspotContacts, startHubSpot, type Faults, type HubSpotRecord, type MockApi } from '../../examples/mock-apis';
import { runCli, type CliResult } from './cli';
import { createMigratedDatabase, type TestDatabase } from './db';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { REDIS_URL, waitFor } from './wait';

const FIXTURES = join(__dirname, '..', 'fixtures', 'e2e');

/** `--config FILE --db URL` plus the e2e fixtures' connectors and mappings. */
export function fixtureArgs(configFile: string, dbUrl: string): string[] {
  return ['--config', configFile, '--db', dbUrl, '--connectors-dir', join(FIXTURES, 'connectors'), '--mappings-dir', join(FIXTURES, 'mappings')];
}

export interface HubSpotE2e {
  db: TestDatabase;
  api: MockApi;
  /** The API's contacts: change them to change the source. */
  source: HubSpotRecord[];
  dir: string;
  configFile: string;
  /** `switchboard COMMAND MAPPING ... --json EXTRA...` in-process, in `dir`. */
  cli(command: string, mapping: string, ...extra: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

export async function startHubSpotE2e(dialect: Dialect, options: { records: number; token: string; secretKey: string }): Promise<HubSpotE2e> {
  const db = await createMigratedDatabase(dialect);
  const source = hubspotContacts(options.records);
  const api = await startHubSpot({ objects: { contacts: source }, token: options.token });
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-e2e-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ access_token: options.token, base_url: api.url }));
  return {
    db,
    api,
    source,
    dir,
    configFile,
    cli: (command, mapping, ...extra) =>
      runCli([command, mapping, ...fixtureArgs(configFile, db.url), '--json', ...extra], { cwd: dir, env: { SWITCHBOARD_SECRET_KEY: options.secretKey } }),
    close: async () => {
      await api.close();
      await db.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The e2e fixtures' connectors and mappings, loaded. */
export function fixtureRegistry(): Promise<Registry> {
  return loadRegistry({ connectorsDir: join(FIXTURES, 'connectors'), mappingsDir: join(FIXTURES, 'mappings') });
}

/** `--db URL` plus the e2e fixtures' connectors and mappings (for `switchboard worker`). */
export function workerArgs(dbUrl: string, ...extra: string[]): string[] {
  return ['--db', dbUrl, '--connectors-dir', join(FIXTURES, 'connectors'), '--mappings-dir', join(FIXTURES, 'mappings'), ...extra];
}

export interface TaggedConnection {
  conn: Connection;
  api: MockApi;
  /** Prefix of every email of this connection's contacts. */
  tag: string;
}

/**
 * A `crm-hub` connection to a local HubSpot-style API of `records` contacts whose emails carry
 * a tag of their own (the fixture mapping merges contacts by email, so connections sharing a
 * database must not share emails). The API is added to `apis`, for the caller to close.
 */
export async function taggedConnection(engine: Engine, records: number, apis: MockApi[], faults?: Faults): Promise<TaggedConnection> {
  const tag = randomBytes(4).toString('hex');
  const source = hubspotContacts(records).map((r) => ({ ...r, properties: { ...r.properties, email: `${tag}-${r.properties['email']}` } }));
  const api = await startHubSpot({ objects: { contacts: source }, token: 'tok', ...(faults === undefined ? {} : { faults }) });
  apis.push(api);
  const conn = await engine.createConnection({ name: `c-${tag}`, connectorId: 'crm-hub', config: { access_token: 'tok', base_url: api.url } });
  return { conn, api, tag };
}

/** Every page answered after `ms`: runs are surely mid-way when a test interrupts them. */
export const slowPages = (ms: number): Faults => () => ({ delayMs: ms });

/** Contacts of a tagged connection in the store: [rows, distinct emails]. */
export async function taggedContacts(knex: Knex, tag: string): Promise<[number, number]> {
  const rows = (await knex('contacts').where('email', 'like', `${tag}-%`).count({ n: '*' }).first()) as { n: unknown };
  const emails = (await knex('contacts').where('email', 'like', `${tag}-%`).countDistinct({ n: 'email' }).first()) as { n: unknown };
  return [Number(rows.n), Number(emails.n)];
}

/** Waits for a run to end (succeeded, failed or canceled). */
export function runFinished(knex: Knex, runId: string, timeoutMs = 60_000): Promise<SyncRun> {
  return waitFor(`run ${runId} to finish`, async () => {
    const run = await syncRuns.get(knex, runId);
    return ['succeeded', 'failed', 'canceled'].includes(run.status) ? run : undefined;
  }, timeoutMs);
}

/** Removes a test's BullMQ queue (every key under its prefix) from Redis. */
export async function obliterateQueue(prefix: string, url = REDIS_URL): Promise<void> {
  const q = new Queue(QUEUE_NAME, { connection: { url }, prefix });
  await q.obliterate({ force: true });
  await q.close();
}

/** Starts `switchboard worker ARGS...` in a child process; resolves once it says it is ready. */
export function startWorkerProcess(args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const root = join(__dirname, '..', '..');
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), join(root, 'test', 'helpers', 'cli-entry.ts'), 'worker', ...args], {
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
  });
}

export interface EngineE2e {
  db: TestDatabase;
  engine: Engine;
  api: MockApi;
  /** Between the connection and the API: rules here break pages. */
  proxy: FaultProxy;
  source: HubSpotRecord[];
  connectionId: string;
  /** Asks for a run of `crm-hub-contacts` and runs it to its end in this process (one attempt). */
  run(mode: 'full' | 'incremental'): Promise<syncRuns.SyncRun>;
  /** The CRM's contacts that are not deleted. */
  liveContacts(): Promise<number>;
  close(): Promise<void>;
}

/** The e2e fixtures' HubSpot-style connector in an Engine, its API behind a fault proxy. */
export async function startEngineE2e(dialect: Dialect, options: { records: number }): Promise<EngineE2e> {
  const db = await createMigratedDatabase(dialect);
  const source = hubspotContacts(options.records);
  const api = await startHubSpot({ objects: { contacts: source }, token: 'pat-e2e' });
  const proxy = await startFaultProxy(api.url);
  const registry = await fixtureRegistry();
  const engine = await Engine.open({ knex: db.knex, registry, box: new SecretBox(Buffer.alloc(32, 6)), logger: silentLogger(), queue: 'memory', concurrency: 0 });
  const connection = await engine.createConnection({ name: 'e2e', connectorId: 'crm-hub', config: { access_token: 'pat-e2e', base_url: proxy.url } });
  return {
    db,
    engine,
    api,
    proxy,
    source,
    connectionId: connection.id,
    async run(mode) {
      const { run } = await engine.requestRun({ connection: connection.id, mapping: 'crm-hub-contacts', mode });
      await engine.executeRun(run.id, {}).catch(() => undefined);
      return syncRuns.get(db.knex, run.id);
    },
    async liveContacts() {
      return Number(((await db.knex('contacts').whereNull('deleted_at').count({ n: '*' })) as Array<{ n: unknown }>)[0]!.n);
    },
    close: async () => {
      await engine.close();
      await proxy.close();
      await api.close();
      await db.cleanup();
    },
  };
}
