// The engine: one object that owns the database, the secret box, the loaded definitions, the
// queue, the rate limiters, the run executor and the reconciler, and offers what the CLI, the management API and
// the workers do with them: connections, runs, schedules. Sync code never sees it: it gets the
// narrow run context (core/sync/context.ts) the executor hands down.
import { resolve } from 'node:path';
import type { Knex } from 'knex';
import { Ajv2020 } from 'ajv/dist/2020';
import { boundSettings, refreshTokenSettings } from './auth/bound-settings';
import { DEFAULT_RUN_SETTINGS, loadConfig, type RunSettings, type SwitchboardConfig } from './config';
import { SwitchboardError, isSwitchboardError } from './errors';
import { loadRegistry, type Registry } from './definitions';
import { secretNamesOf } from './definitions/connector-checks';
import type { ConnectorDefinition } from './generated/connector';
import { ConnectorClient } from './http/client';
import { createLogger, type Logger } from './logger';
import { RateLimiters } from './ratelimit';
import { BullQueue } from './queue/bullmq';
import { MemoryQueue } from './queue/memory';
import type { JobQueue, RunVerdict, ScheduledRun } from './queue/types';
import { Reconciler, RetryPolicy, RunExecutor, WORKER_ID, type ExecuteOptions, type ReconcileReport } from './runs';
import { SecretBox, loadKey } from './secrets';
import { openDatabase, resolveDatabaseTarget, type DatabaseTarget } from './store/db';
import { migrate } from './store/migrate';
import { DbTokenStore } from './store/token-store';
import * as connections from './store/tables/connections';
import * as schedules from './store/tables/schedules';
import * as syncRuns from './store/tables/sync-runs';
import type { RunContext } from './sync/context';

export interface EngineOptions {
  /** `--db`: a postgres:// URL or a SQLite file; default DATABASE_URL, else ./data/switchboard.db. */
  db?: string;
  /** A knex instance to use instead of opening one (tests). */
  knex?: Knex;
  /** The configuration (read from the environment by core/config.ts when not given). */
  config?: SwitchboardConfig;
  cwd?: string;
  connectorsDir?: string;
  mappingsDir?: string;
  /** Preloaded definitions (otherwise loaded from the folders; any problem refuses to start). */
  registry?: Registry;
  /** A SecretBox to use instead of the key from the configuration or the data folder. */
  box?: SecretBox;
  /** Runs processed at once by this process (default 2). 0: this process only enqueues. */
  concurrency?: number;
  /** Attempts a run may fail before it fails for good (default the configuration's, 5). */
  attempts?: number;
  /** Base delay between attempts (default the configuration's, 1000 ms). */
  backoffMs?: number;
  /** Heartbeat, staleness, reconciler and queue timeouts (default the configuration's). */
  runs?: Partial<Omit<RunSettings, 'attempts' | 'backoffMs'>>;
  /** `memory`, `bullmq`, or `auto` (default): BullMQ when a Redis URL is configured. */
  queue?: 'memory' | 'bullmq' | 'auto';
  /** Redis for BullMQ and for the rate limiters (shared by every process using it); default the configuration's REDIS_URL. */
  redisUrl?: string;
  /**
   * Rate limiters to use instead of the engine's own (embedders sharing one registry between
   * engines); the caller closes them. By default the engine makes its registry from `redisUrl`
   * (in memory without Redis) and closes it with the engine.
   */
  rateLimiters?: RateLimiters;
  /** Redis key prefix of the queue (default SWITCHBOARD_QUEUE_PREFIX, else `switchboard`). */
  queuePrefix?: string;
  /** BullMQ: how long a job may go without lock renewal before it counts as stalled. */
  stalledIntervalMs?: number;
  /** The worker id recorded on the runs this engine holds (default `host:pid`). */
  workerId?: string;
  logger?: Logger;
}

export interface RequestRunInput {
  /** Connection id or name. */
  connection: string;
  mapping: string;
  mode?: syncRuns.RunMode;
  direction?: syncRuns.RunDirection;
  trigger?: syncRuns.RunTrigger;
  /** False: only record the run (the caller executes it in this process, like the CLI). Default true. */
  enqueue?: boolean;
}

export interface PutScheduleInput {
  connection: string;
  /** Null: every mapping of the connection's connector. */
  mapping: string | null;
  cron: string;
  timezone?: string;
  direction?: syncRuns.RunDirection;
  mode?: syncRuns.RunMode;
  enabled?: boolean;
  /** A label to tell several schedules of one mapping apart. */
  name?: string | null;
}

export { WORKER_ID };

/** Seconds a client should wait before asking again when the queue (Redis) did not answer. */
export const QUEUE_RETRY_AFTER_SECONDS = 5;

export class Engine {
  readonly db: Knex;
  readonly box: SecretBox;
  /** The loaded definitions; replaced whole (never changed in place) when one is saved. */
  registry: Registry;
  /** The folders definitions were loaded from; undefined when they were given preloaded. */
  readonly definitionDirs: { connectors: string; mappings: string } | undefined;
  readonly logger: Logger;
  readonly target: DatabaseTarget | undefined;
  readonly config: SwitchboardConfig;
  /** The Redis this engine's queue uses (undefined: in-process). */
  readonly redisUrl: string | undefined;
  readonly runs: RunExecutor;
  readonly reconciler: Reconciler;
  readonly workerId: string;
  queue!: JobQueue;
  /** Every client of the engine's runs, checks and pushes takes its budgets from here. */
  readonly rateLimiters: RateLimiters;
  readonly #ownsLimiters: boolean;
  readonly #ownsDb: boolean;
  readonly #ajv = new Ajv2020({ allErrors: true, strict: false });
  readonly #configValidators = new Map<string, ReturnType<Ajv2020['compile']>>();

  private constructor(parts: { db: Knex; box: SecretBox; registry: Registry; dirs: Engine['definitionDirs']; logger: Logger; target: DatabaseTarget | undefined; ownsDb: boolean; config: SwitchboardConfig; redisUrl: string | undefined; options: EngineOptions }) {
    this.db = parts.db;
    this.box = parts.box;
    this.registry = parts.registry;
    this.definitionDirs = parts.dirs;
    this.logger = parts.logger;
    this.target = parts.target;
    this.config = parts.config;
    this.redisUrl = parts.redisUrl;
    this.#ownsDb = parts.ownsDb;
    this.workerId = parts.options.workerId ?? WORKER_ID;
    const settings: RunSettings = { ...DEFAULT_RUN_SETTINGS, ...parts.config.runs, ...parts.options.runs };
    const policy = new RetryPolicy({ attempts: parts.options.attempts ?? settings.attempts, backoffMs: parts.options.backoffMs ?? settings.backoffMs });
    // Limits are shared through Redis whenever there is one, whatever the queue.
    const limitsUrl = parts.options.redisUrl ?? parts.config.redisUrl;
    this.#ownsLimiters = parts.options.rateLimiters === undefined;
    const rateLimiters =
      parts.options.rateLimiters ??
      (limitsUrl === undefined || limitsUrl === '' ? new RateLimiters() : new RateLimiters({ redisUrl: limitsUrl, keyPrefix: `${parts.options.queuePrefix ?? parts.config.queuePrefix}:rl` }));
    this.rateLimiters = rateLimiters;
    const current = (): Registry => this.registry;
    const context: RunContext = {
      db: parts.db,
      box: parts.box,
      // The engine's current definitions: a saved definition replaces the registry whole.
      get registry(): Registry {
        return current();
      },
      logger: parts.logger,
      rateLimiters,
      tokenStore: (connectionId) => new DbTokenStore(parts.db, parts.box, connectionId),
    };
    this.runs = new RunExecutor({ context, policy, worker: this.workerId, heartbeatMs: settings.heartbeatMs });
    this.reconciler = new Reconciler({ db: parts.db, queue: () => this.queue, policy, worker: this.workerId, logger: parts.logger, intervalMs: settings.reconcileIntervalMs, staleAfterMs: settings.staleAfterMs });
  }

  /** Opens the database (migrating it), the key, the definitions, the queue and the reconciler. */
  static async open(options: EngineOptions = {}): Promise<Engine> {
    const config = options.config ?? loadConfig();
    const cwd = options.cwd ?? process.cwd();
    const logger = options.logger ?? createLogger({ level: config.logLevel });
    const dirs = options.registry === undefined ? { connectors: resolve(cwd, options.connectorsDir ?? 'connectors'), mappings: resolve(cwd, options.mappingsDir ?? 'mappings') } : undefined;
    const registry = options.registry ?? (await loadRegistry({ connectorsDir: dirs!.connectors, mappingsDir: dirs!.mappings }));
    let box = options.box;
    if (box === undefined) {
      const key = loadKey(config.secretKey, cwd);
      if (key.origin === 'generated') {
        logger.warn({ file: key.file }, 'SWITCHBOARD_SECRET_KEY is not set: generated a key file to encrypt connection secrets; set the variable in production and keep the key safe');
      }
      box = new SecretBox(key.key);
    }
    const target = options.knex === undefined ? resolveDatabaseTarget(options.db ?? config.databaseUrl, cwd) : undefined;
    const db = options.knex ?? openDatabase(target!, { debug: config.debug });
    await migrate(db);
    const redisUrl = options.redisUrl ?? config.redisUrl;
    const kind = options.queue ?? 'auto';
    const bull = kind !== 'memory' && redisUrl !== undefined && redisUrl !== '';
    const engine = new Engine({ db, box, registry, dirs, logger, target, ownsDb: options.knex === undefined, config, redisUrl: bull ? redisUrl : undefined, options });
    const concurrency = options.concurrency ?? 2;
    const common = {
      processor: (runId: string, job: { signal: AbortSignal; takeover: boolean }) => engine.runs.execute(runId, job),
      onSchedule: (run: ScheduledRun, key: string) => engine.fireSchedule(run, key),
      concurrency,
      onError: (err: unknown, context: string) => logger.warn({ err }, context),
    };
    if (kind === 'bullmq' && !bull) {
      await engine.close();
      throw new SwitchboardError('SB_CONFIG_INVALID', 'BullMQ needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379)');
    }
    const queueTimeoutMs = options.runs?.queueTimeoutMs ?? config.runs.queueTimeoutMs;
    engine.queue = bull
      ? new BullQueue({
          ...common,
          redisUrl: redisUrl!,
          prefix: options.queuePrefix ?? config.queuePrefix,
          commandTimeoutMs: queueTimeoutMs,
          ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
        })
      : new MemoryQueue(common);
    // A process whose queue runs nothing and reaches no other worker has nothing to reconcile.
    if (bull || concurrency > 0) engine.reconciler.start();
    return engine;
  }

  /** Replaces the queue (BullMQ); the previous one is closed. */
  async useQueue(queue: JobQueue): Promise<void> {
    await this.queue.close();
    this.queue = queue;
  }

  // --- connectors and connections -----------------------------------------------------------

  connector(id: string): ConnectorDefinition {
    return this.registry.connector(id);
  }

  /** Names of the config values the connector marks `"secret": true`. */
  secretKeysOf(connectorId: string): string[] {
    return [...secretNamesOf(this.connector(connectorId))];
  }

  /** Checks a connection's config against its connector's `config_schema`. */
  validateConfig(connectorId: string, config: Record<string, unknown>): void {
    let validate = this.#configValidators.get(connectorId);
    if (validate === undefined) {
      validate = this.#ajv.compile(this.connector(connectorId).config_schema ?? { type: 'object' });
      this.#configValidators.set(connectorId, validate);
    }
    if (!validate(config)) {
      const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
      throw new SwitchboardError('SB_CONNECTION_CONFIG_INVALID', `the config does not match connector "${connectorId}": ${problems.join('; ')}`, { details: { problems } });
    }
  }

  async createConnection(input: { name: string; connectorId: string; config: Record<string, unknown> }): Promise<connections.Connection> {
    this.validateConfig(input.connectorId, input.config);
    return connections.create(this.db, this.box, { ...input, secretKeys: this.secretKeysOf(input.connectorId) });
  }

  /**
   * Changes a connection. A change of a setting the credentials are bound to (see
   * core/auth/bound-settings.ts: e.g. `base_url`, a subdomain, a token URL) is refused with
   * SB_CONNECTION_SECRETS_REQUIRED unless every stored secret is given again in the same update,
   * and drops the stored OAuth2 tokens: stored secrets never follow a connection to a new host.
   * A new value for the setting the refresh token comes from (a reinstall) drops them too, so
   * the new refresh token is used instead of the stored one.
   */
  async updateConnection(idOrName: string, patch: { name?: string; config?: Record<string, unknown>; status?: connections.ConnectionStatus }): Promise<connections.Connection> {
    const current = await connections.get(this.db, this.box, idOrName);
    const secretKeys = this.secretKeysOf(current.connectorId);
    let dropTokens = false;
    if (patch.config !== undefined) {
      const stored = await connections.loadConfig(this.db, this.box, current.id);
      const merged = connections.mergeConfig(stored, patch.config);
      this.validateConfig(current.connectorId, merged);
      const definition = this.connector(current.connectorId);
      const changed = Object.keys(patch.config).filter((k) => JSON.stringify(stored[k]) !== JSON.stringify(merged[k]));
      const bound = boundSettings(definition);
      const retargeted = changed.filter((k) => !secretKeys.includes(k) && (bound.all || bound.keys.has(k)));
      if (retargeted.length > 0) {
        const missing = current.secretsSet.filter((k) => !Object.hasOwn(patch.config!, k));
        if (missing.length > 0) {
          throw new SwitchboardError(
            'SB_CONNECTION_SECRETS_REQUIRED',
            `changing ${retargeted.map((k) => `"${k}"`).join(', ')} of connection "${current.name}" changes where its credentials are sent: give ${missing.map((k) => `"${k}"`).join(', ')} again in the same update`,
            { details: { connection: current.name, settings: retargeted, secrets: missing } },
          );
        }
      }
      const refresh = refreshTokenSettings(definition);
      dropTokens = retargeted.length > 0 || changed.some((k) => refresh.has(k));
    }
    return connections.update(this.db, this.box, current.id, { ...patch, secretKeys, ...(dropTokens ? { dropTokens } : {}) });
  }

  /**
   * The connector client of a stored connection: its settings (secrets decrypted, in memory
   * only) and its tokens in the database, refreshed under the connection's token lock, so a
   * rotated refresh token is saved whoever uses the client (a run, a check, the OAuth flow).
   */
  async connectionClient(connection: Pick<connections.Connection, 'id' | 'connectorId'>): Promise<ConnectorClient> {
    const connector = this.connector(connection.connectorId);
    const config = await connections.loadConfig(this.db, this.box, connection.id);
    return new ConnectorClient({ connector, config, connectionId: connection.id, tokenStore: new DbTokenStore(this.db, this.box, connection.id), rateLimiters: this.rateLimiters });
  }

  /** The connection by id or name, creating or updating it from `config` (the CLI's `--config`). */
  async ensureConnection(name: string, connectorId: string, config: Record<string, unknown>): Promise<connections.Connection> {
    const row = await connections.findRow(this.db, name);
    if (row === undefined) return this.createConnection({ name, connectorId, config });
    if (row.connector_id !== connectorId) {
      throw new SwitchboardError('SB_CONFLICT', `connection "${name}" belongs to connector "${row.connector_id}", not "${connectorId}"`);
    }
    return this.updateConnection(row.id, { config });
  }

  // --- runs -------------------------------------------------------------------------------

  /**
   * Asks for a run: the `queued` row is inserted first, then only its id is enqueued. A run
   * already queued or running for the same connection and mapping is returned instead. When
   * the queue (Redis) does not answer in time, SB_QUEUE_UNAVAILABLE (503) names the run, which
   * stays `queued`: the reconciler enqueues it once Redis answers, and asking again returns it.
   */
  async requestRun(input: RequestRunInput): Promise<{ run: syncRuns.SyncRun; created: boolean }> {
    const mapping = this.registry.mapping(input.mapping);
    if (input.direction !== undefined && !['pull', 'push', 'both'].includes(input.direction)) {
      throw new SwitchboardError('SB_BAD_REQUEST', `direction must be pull, push or both, not "${String(input.direction)}"`);
    }
    if (input.mode !== undefined && !['full', 'incremental'].includes(input.mode)) {
      throw new SwitchboardError('SB_BAD_REQUEST', `mode must be full or incremental, not "${String(input.mode)}"`);
    }
    if ((input.direction ?? 'pull') !== 'pull' && mapping.push === undefined) {
      throw new SwitchboardError('SB_BAD_REQUEST', `mapping "${mapping.id}" has no push section`);
    }
    const ask = { mappingId: mapping.id, direction: input.direction ?? 'pull', mode: input.mode ?? 'incremental', trigger: input.trigger ?? 'api' } as const;
    const enqueue = input.enqueue ?? true;
    // Usually one statement; otherwise the lookup below says why (no such connection, another
    // connector's, or a run already active, which is returned).
    const fresh = await syncRuns.tryRequestRunByName(this.db, { ...ask, connection: input.connection, connectorId: mapping.connector });
    if (fresh !== undefined) {
      if (enqueue) await this.#enqueue(fresh, true);
      return { run: fresh, created: true };
    }
    const connection = await connections.identify(this.db, input.connection);
    if (mapping.connector !== connection.connectorId) {
      throw new SwitchboardError('SB_BAD_REQUEST', `mapping "${mapping.id}" reads connector "${mapping.connector}", but connection "${connection.name}" is for "${connection.connectorId}"`);
    }
    if (connection.status === 'disabled') throw new SwitchboardError('SB_CONFLICT', `connection "${connection.name}" is disabled`);
    const result = await syncRuns.requestRun(this.db, { ...ask, connectionId: connection.id });
    if (enqueue && (result.created || result.run.status === 'queued')) await this.#enqueue(result.run, result.created);
    return result;
  }

  /** Enqueues a run whose row is recorded; an unreachable queue is told with the run it kept. */
  async #enqueue(run: syncRuns.SyncRun, fresh: boolean): Promise<void> {
    try {
      await this.queue.enqueue(run.id, { fresh });
    } catch (err) {
      if (!isSwitchboardError(err, 'SB_QUEUE_UNAVAILABLE')) throw err;
      this.logger.warn({ run: run.id }, 'the queue did not answer: the run stays queued and the reconciler enqueues it once the queue is back');
      throw new SwitchboardError('SB_QUEUE_UNAVAILABLE', `${err.message}; run ${run.id} is recorded (queued) and starts once the queue is reachable again: asking again returns it`, {
        cause: err,
        details: { run: run.id, retry_after_seconds: QUEUE_RETRY_AFTER_SECONDS },
      });
    }
  }

  /** Cancels a run: the row first (a running run stops at its next page); the queue's job if it can. */
  async cancelRun(runId: string): Promise<syncRuns.SyncRun> {
    const run = await syncRuns.requestCancel(this.db, runId);
    try {
      await this.queue.cancel(runId);
    } catch (err) {
      // The row is what counts: a job taken later finds the run canceled and does nothing.
      if (!isSwitchboardError(err, 'SB_QUEUE_UNAVAILABLE')) throw err;
      this.logger.warn({ run: runId }, 'the queue did not answer; the run is canceled in the database');
    }
    return run;
  }

  /** One attempt at a run in this process, by the run executor (what the queues' workers do). */
  executeRun(runId: string, options: ExecuteOptions = {}): Promise<RunVerdict> {
    return this.runs.execute(runId, options);
  }

  /**
   * Ingests records a webhook delivered (core/runs/kinds/ingest.ts). A failure is thrown once
   * recorded; when it left the run queued (retryable), the run is enqueued as a pull run.
   */
  async ingest(connectionId: string, mappingId: string, records: readonly unknown[]): Promise<{ run: syncRuns.SyncRun; ingested: boolean }> {
    const { run, ingested, queued, error } = await this.runs.ingest({ connectionId, mappingId, records });
    if (queued) await this.queue.enqueue(run.id).catch((err: unknown) => this.logger.warn({ err, run: run.id }, 'could not enqueue; the reconciler will'));
    if (error !== undefined) throw error;
    return { run, ingested };
  }

  /** One reconciler pass now (at start, and in tests); the periodic ones run by themselves. */
  reconcile(): Promise<ReconcileReport> {
    return this.reconciler.pass();
  }

  // --- schedules ----------------------------------------------------------------------------

  /** Creates or replaces the schedule of the connection, mapping and direction (one such per key). */
  async putSchedule(input: PutScheduleInput): Promise<schedules.Schedule> {
    return this.#register(await schedules.put(this.db, await this.#scheduleInput(input)));
  }

  /** Adds a schedule beside the others of the same connection, mapping and direction. */
  async addSchedule(input: PutScheduleInput): Promise<schedules.Schedule> {
    return this.#register(await schedules.create(this.db, await this.#scheduleInput(input)));
  }

  /** Changes a schedule (timing, mode, name, enabled) and its timer in the queue. */
  async updateSchedule(id: string, patch: schedules.SchedulePatch): Promise<schedules.Schedule> {
    return this.#register(await schedules.update(this.db, id, patch));
  }

  async #scheduleInput(input: PutScheduleInput): Promise<schedules.PutSchedule> {
    const connection = await connections.get(this.db, this.box, input.connection);
    if (input.mapping !== null) {
      const mapping = this.registry.mapping(input.mapping);
      if (mapping.connector !== connection.connectorId) {
        throw new SwitchboardError('SB_BAD_REQUEST', `mapping "${mapping.id}" does not read connector "${connection.connectorId}"`);
      }
    }
    return {
      connectionId: connection.id,
      mappingId: input.mapping,
      cron: input.cron,
      timezone: input.timezone ?? 'UTC',
      direction: input.direction ?? 'pull',
      mode: input.mode ?? 'incremental',
      enabled: input.enabled ?? true,
      ...(input.name === undefined ? {} : { name: input.name }),
    };
  }

  async #register(schedule: schedules.Schedule): Promise<schedules.Schedule> {
    if (schedule.enabled) await this.queue.schedule(schedule.key, schedule.cron, schedule.timezone, this.#scheduled(schedule));
    else await this.queue.unschedule(schedule.key);
    return schedule;
  }

  async removeSchedule(key: string): Promise<boolean> {
    await this.queue.unschedule(key);
    return schedules.remove(this.db, key);
  }

  /** Registers every enabled schedule with the queue (at start; idempotent). */
  async loadSchedules(): Promise<number> {
    const all = await schedules.list(this.db, { enabled: true });
    for (const s of all) await this.queue.schedule(s.key, s.cron, s.timezone, this.#scheduled(s));
    return all.length;
  }

  #scheduled(s: schedules.Schedule): ScheduledRun {
    return { connectionId: s.connectionId, mappingId: s.mappingId, direction: s.direction, mode: s.mode };
  }

  /** A schedule fired: one run per mapping it covers. */
  async fireSchedule(run: ScheduledRun, key: string): Promise<void> {
    const connection = await connections.identify(this.db, run.connectionId);
    if (connection.status === 'disabled') {
      this.logger.debug({ schedule: key, connection: connection.id }, 'schedule skipped: the connection is disabled');
      return;
    }
    const mappingIds =
      run.mappingId !== null
        ? [run.mappingId]
        : [...this.registry.mappings.values()].filter((m) => m.connector === connection.connectorId && (run.direction === 'pull' || m.push !== undefined)).map((m) => m.id);
    for (const mapping of mappingIds) {
      await this.requestRun({ connection: connection.id, mapping, mode: run.mode, direction: run.direction, trigger: 'schedule' });
    }
    this.logger.debug({ schedule: key, runs: mappingIds.length }, 'schedule fired');
  }

  async close(): Promise<void> {
    await this.reconciler.stop();
    await this.queue?.close();
    if (this.#ownsLimiters) await this.rateLimiters.close();
    if (this.#ownsDb) await this.db.destroy();
  }
}
