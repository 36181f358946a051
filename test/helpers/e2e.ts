// What the end-to-end suites share: the CLI arguments that point at the e2e fixtures and a
// store, and the usual setup (a migrated database, a local HubSpot-style API with generated
// contacts, a config file for the CLI in a scratch folder).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialect } from '../../core/store/db';
import { hubspotContacts, startHubSpot, type HubSpotRecord, type MockApi } from '../../examples/mock-apis';
import { runCli, type CliResult } from './cli';
import { createMigratedDatabase, type TestDatabase } from './db';

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

/**
 * Starts the CLI (`argv`) in a child process in `cwd` and kills it with SIGKILL once `ready()`
 * holds (polled every 2 ms, 30 s at most); resolves with the signal that ended it.
 */
export async function killCliWhen(argv: string[], cwd: string, env: NodeJS.ProcessEnv, ready: () => boolean): Promise<NodeJS.Signals | null> {
  const root = join(__dirname, '..', '..');
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), join(root, 'test', 'helpers', 'cli-entry.ts'), ...argv], { cwd, env: { ...process.env, ...env }, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const deadline = Date.now() + 30_000;
  while (!ready() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  child.kill('SIGKILL');
  return exited;
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
