// What the end-to-end suites share: the CLI arguments that point at the e2e fixtures and a
// store, and the usual setups (a migrated database, a local HubSpot-style API with generated
// contacts, and either a config file for the CLI in a scratch folder or an Engine in this
// process whose connection reaches the API through a fault proxy).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry } from '../../core/definitions';
import { Engine } from '../../core/engine';
import { silentLogger } from '../../core/logger';
import { SecretBox } from '../../core/secrets';
import type { Dialect } from '../../core/store/db';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { hubspotContacts, startHubSpot, type HubSpotRecord, type MockApi } from '../../examples/mock-apis';
import { runCli, type CliResult } from './cli';
import { createMigratedDatabase, type TestDatabase } from './db';
import { startFaultProxy, type FaultProxy } from './fault-proxy';

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
  const registry = await loadRegistry({ connectorsDir: join(FIXTURES, 'connectors'), mappingsDir: join(FIXTURES, 'mappings') });
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
      await engine.executeRun(run.id, { attempt: 1, maxAttempts: 1, signal: new AbortController().signal }).catch(() => undefined);
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
