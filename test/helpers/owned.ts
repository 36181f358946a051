// Servers a fault test owns, so it can stop and restart them without touching the shared ones:
// a PostgreSQL cluster initialised in a temporary folder (run as the `postgres` OS user when
// this process is root, since PostgreSQL refuses to run as root) and a Redis without
// persistence, each on a free port of 127.0.0.1; and `switchboard worker` processes.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait';

const ROOT = join(__dirname, '..', '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const version = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  if (version === undefined) throw new Error(`no PostgreSQL binaries under ${base}`);
  return join(base, version, 'bin');
}

export interface OwnedPostgres {
  /** postgres://... of the cluster's `postgres` database. */
  url: string;
  /** `pg_ctl stop -m immediate`: the server dies without a clean shutdown. */
  crash(): void;
  start(): void;
  destroy(): void;
}

/** A private PostgreSQL cluster (trust authentication, fsync off: it only lives for a test). */
export async function startOwnedPostgres(): Promise<OwnedPostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const run = (tool: string, args: string[]): void => {
    const command = join(bin, tool);
    if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'pipe' });
    else execFileSync(command, args, { stdio: 'pipe' });
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=60`;
  const start = (): void => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    crash: () => run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']),
    start,
    destroy() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnedRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL): everything in it is gone, there is no persistence. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

export async function startOwnedRedis(port?: number): Promise<OwnedRedis> {
  const p = port ?? (await freePort());
  let child: ChildProcess | undefined;
  const owned: OwnedRedis = {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    async start() {
      const server = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = server;
      await new Promise<void>((resolve, reject) => {
        let out = '';
        server.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('Ready to accept connections')) resolve();
        });
        server.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
      });
    },
    async kill() {
      const server = child;
      if (server === undefined || server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGKILL');
      await exited;
    },
  };
  if (port === undefined) await owned.start();
  return owned;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Everything the process wrote to stderr so far (its log lines). */
  stderr(): string;
  /** Resolves with the signal or code the process ended with. */
  exited: Promise<NodeJS.Signals | number | null>;
}

/**
 * `switchboard worker` from source, ready once it says so; `env` on top of this process's.
 * `prefix`: a command it runs under (e.g. `ip netns exec NAME`, which execs it: same pid).
 */
export async function startWorker(args: readonly string[], env: NodeJS.ProcessEnv, prefix: readonly string[] = []): Promise<WorkerProcess> {
  const command = [...prefix, process.execPath, '--require', require.resolve('tsx/cjs'), join(ROOT, 'test', 'helpers', 'cli-entry.ts'), 'worker', ...args];
  const child = spawn(command[0]!, command.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    void exited.then((how) => reject(new Error(`worker exited early (${String(how)}): ${err}`)));
  });
  return { child, pid: child.pid!, stderr: () => err, exited };
}

/** Stops the workers still running (SIGTERM) and waits for them. */
export async function stopWorkers(workers: readonly WorkerProcess[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}

/** Waits for something that may fail while a server is down (queries retried until they answer). */
export function waitThrough<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  return waitFor(what, async () => fn().catch(() => undefined), timeoutMs);
}
