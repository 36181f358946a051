// The configuration loader: the one module that reads the environment. The engine, the CLI and
// the server are given a SwitchboardConfig (read once, at start) and never look at variables
// themselves, so a process configured by options (tests, embedders) sees exactly what it was
// given, and every variable is documented in one place (the README's Configuration table).
import { SwitchboardError } from './errors';

/** Variables as the process has them (or a test gives them). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** How runs are kept alive, retried and reconciled (core/runs). */
export interface RunSettings {
  /**
   * Attempts a run may fail (retryable errors, and workers lost mid-run) before it fails for
   * good. Interruptions by a shutdown and an unreachable store or Redis never count.
   * @defaultValue 5 (`SWITCHBOARD_RUN_ATTEMPTS`)
   */
  attempts: number;
  /**
   * Base delay before a failed attempt is tried again; it doubles with each failure (capped at
   * five minutes).
   * @defaultValue 1000 ms (`SWITCHBOARD_RUN_BACKOFF_MS`)
   */
  backoffMs: number;
  /**
   * How often a worker records that it still holds each of its runs.
   * @defaultValue 10000 ms (`SWITCHBOARD_HEARTBEAT_MS`)
   */
  heartbeatMs: number;
  /**
   * How long a run may go without a heartbeat before the reconciler counts its worker as gone
   * (when the queue cannot vouch for it).
   * @defaultValue six heartbeats (`SWITCHBOARD_STALE_AFTER_MS`)
   */
  staleAfterMs: number;
  /**
   * How often a worker or server reconciles the run rows with the queue; 0 turns it off.
   * @defaultValue 15000 ms (`SWITCHBOARD_RECONCILE_INTERVAL_MS`)
   */
  reconcileIntervalMs: number;
  /**
   * How long a queue operation waits for Redis before it fails with SB_QUEUE_UNAVAILABLE (so
   * asking for a run answers 503 instead of hanging).
   * @defaultValue 2000 ms (`SWITCHBOARD_QUEUE_TIMEOUT_MS`)
   */
  queueTimeoutMs: number;
}

export interface SwitchboardConfig {
  /** `DATABASE_URL`: a postgres:// URL or a SQLite file; undefined means the SQLite default. */
  databaseUrl: string | undefined;
  /** `REDIS_URL`: BullMQ queues and shared rate limits; undefined means in-process. */
  redisUrl: string | undefined;
  /** `SWITCHBOARD_QUEUE_PREFIX` (default `switchboard`). */
  queuePrefix: string;
  /** `SWITCHBOARD_SECRET_KEY`: the 32-byte key of secrets at rest, as given (parsed by core/secrets). */
  secretKey: string | undefined;
  /** `PORT` and `HOST` of `serve`, as given (the command checks them). */
  port: string | undefined;
  host: string | undefined;
  /** `SWITCHBOARD_PUBLIC_URL`. */
  publicUrl: string | undefined;
  /** `SWITCHBOARD_TRUST_PROXY=1`. */
  trustProxy: boolean;
  /** `LOG_LEVEL` (default `info`). */
  logLevel: string;
  /** `SWITCHBOARD_DEBUG`: the database driver's own diagnostics on stderr. */
  debug: boolean;
  runs: RunSettings;
}

export const DEFAULT_RUN_SETTINGS: RunSettings = {
  attempts: 5,
  backoffMs: 1000,
  heartbeatMs: 10_000,
  staleAfterMs: 60_000,
  reconcileIntervalMs: 15_000,
  queueTimeoutMs: 2000,
};

/** The environment of this process: for the entry points that have no other (the CLI's main). */
export function processEnvironment(): Environment {
  return process.env;
}

function text(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function whole(env: Environment, name: string, fallback: number, min: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new SwitchboardError('SB_CONFIG_INVALID', `${name} must be a whole number of at least ${min}, got ${JSON.stringify(raw)}`, { details: { variable: name } });
  }
  return value;
}

/** Reads every variable Switchboard knows, once; bad values are refused naming the variable. */
export function loadConfig(env: Environment = process.env): SwitchboardConfig {
  const heartbeatMs = whole(env, 'SWITCHBOARD_HEARTBEAT_MS', DEFAULT_RUN_SETTINGS.heartbeatMs, 10);
  return {
    databaseUrl: text(env, 'DATABASE_URL'),
    redisUrl: text(env, 'REDIS_URL'),
    queuePrefix: text(env, 'SWITCHBOARD_QUEUE_PREFIX') ?? 'switchboard',
    secretKey: text(env, 'SWITCHBOARD_SECRET_KEY'),
    port: text(env, 'PORT'),
    host: text(env, 'HOST'),
    publicUrl: text(env, 'SWITCHBOARD_PUBLIC_URL'),
    trustProxy: env['SWITCHBOARD_TRUST_PROXY'] === '1',
    logLevel: text(env, 'LOG_LEVEL') ?? 'info',
    debug: text(env, 'SWITCHBOARD_DEBUG') !== undefined,
    runs: {
      attempts: whole(env, 'SWITCHBOARD_RUN_ATTEMPTS', DEFAULT_RUN_SETTINGS.attempts, 1),
      backoffMs: whole(env, 'SWITCHBOARD_RUN_BACKOFF_MS', DEFAULT_RUN_SETTINGS.backoffMs, 0),
      heartbeatMs,
      staleAfterMs: whole(env, 'SWITCHBOARD_STALE_AFTER_MS', heartbeatMs * 6, heartbeatMs),
      reconcileIntervalMs: whole(env, 'SWITCHBOARD_RECONCILE_INTERVAL_MS', DEFAULT_RUN_SETTINGS.reconcileIntervalMs, 0),
      queueTimeoutMs: whole(env, 'SWITCHBOARD_QUEUE_TIMEOUT_MS', DEFAULT_RUN_SETTINGS.queueTimeoutMs, 1),
    },
  };
}
