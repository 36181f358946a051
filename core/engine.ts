// The engine: one object that owns the database, the secret box, the loaded definitions and
// the queue, and offers what the CLI, the management API and the workers do with them:
// connections, runs, schedules. Everything else in core/ is plain functions it composes.
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Knex } from 'knex';
import { Ajv2020 } from 'ajv/dist/2020';
import { SwitchboardError } from './errors';
import { loadRegistry, type Registry } from './definitions';
import type { ConnectorDefinition } from './generated/connector';
import { createLogger, type Logger } from './logger';
import { closeSharedRateLimiters } from './ratelimit';
import { BullQueue } from './queue/bullmq';
import { MemoryQueue } from './queue/memory';
import type { JobQueue, ScheduledRun } from './queue/types';
import { SecretBox, loadKey } from './secrets';
import { openDatabase, resolveDatabaseTarget, type DatabaseTarget } from './store/db';
import { migrate } from './store/migrate';
import * as connections from './store/tables/connections';
import * as schedules from './store/tables/schedules';
import * as syncRuns from './store/tables/sync-runs';
import { executeRun, recoverRuns, type ExecuteOptions } from './sync/execute';

export interface EngineOptions {
  /** `--db`: a postgres:// URL or a SQLite file; default DATABASE_URL, else ./data/switchboard.db. */
  db?: string;
  /** A knex instance to use instead of opening one (tests). */
  knex?: Knex;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  connectorsDir?: string;
  mappingsDir?: string;
  /** Preloaded definitions (otherwise loaded from the folders; any problem refuses to start). */
  registry?: Registry;
  /** A SecretBox to use instead of the key from the environment or the data folder. */
  box?: SecretBox;
  /** Runs processed at once by this process (default 2). 0: this process only enqueues. */
  concurrency?: number;
  /** Attempts per run, the first included (default 3). */
  attempts?: number;
  /** Base delay between attempts (default 1000 ms). */
  backoffMs?: number;
  /** `memory`, `bullmq`, or `auto` (default): BullMQ when REDIS_URL is set. */
  queue?: 'memory' | 'bullmq' | 'auto';
  /** Redis for BullMQ; default REDIS_URL. */
  redisUrl?: string;
  /** Redis key prefix of the queue (default SWITCHBOARD_QUEUE_PREFIX, else `switchboard`). */
  queuePrefix?: string;
  /** BullMQ: how long a job may go without lock renewal before it counts as stalled. */
  stalledIntervalMs?: number;
  logger?: Logger;
}

export interface RequestRunInput {
  /** Connection id or name. */
  connection: string;
  mapping: string;
  mode?: syncRuns.RunMode;
  direction?: syncRuns.RunDirection;
  trigger?: syncRuns.RunTrigger;
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

/** `host:pid`: who runs a run, so a dead process's runs can be told apart and recovered. */
export const WORKER_ID = `${hostname()}:${process.pid}`;

export class Engine {
  readonly db: Knex;
  readonly box: SecretBox;
  /** The loaded definitions; replaced whole (never changed in place) when one is saved. */
  registry: Registry;
  /** The folders definitions were loaded from; undefined when they were given preloaded. */
  readonly definitionDirs: { connectors: string; mappings: string } | undefined;
  readonly logger: Logger;
  readonly target: DatabaseTarget | undefined;
  queue!: JobQueue;
  readonly #ownsDb: boolean;
  readonly #ajv = new Ajv2020({ allErrors: true, strict: false });
  readonly #configValidators = new Map<string, ReturnType<Ajv2020['compile']>>();

  private constructor(db: Knex, box: SecretBox, registry: Registry, dirs: Engine['definitionDirs'], logger: Logger, target: DatabaseTarget | undefined, ownsDb: boolean) {
    this.db = db;
    this.box = box;
    this.registry = registry;
    this.definitionDirs = dirs;
    this.logger = logger;
    this.target = target;
    this.#ownsDb = ownsDb;
  }

  /** Opens the database (migrating it), the key, the definitions and an in-process queue. */
  static async open(options: EngineOptions = {}): Promise<Engine> {
    const env = options.env ?? process.env;
    const cwd = options.cwd ?? process.cwd();
    const logger = options.logger ?? createLogger();
    const dirs = options.registry === undefined ? { connectors: resolve(cwd, options.connectorsDir ?? 'connectors'), mappings: resolve(cwd, options.mappingsDir ?? 'mappings') } : undefined;
    const registry = options.registry ?? (await loadRegistry({ connectorsDir: dirs!.connectors, mappingsDir: dirs!.mappings }));
    let box = options.box;
    if (box === undefined) {
      const key = loadKey(env, cwd);
      if (key.origin === 'generated') {
        logger.warn({ file: key.file }, 'SWITCHBOARD_SECRET_KEY is not set: generated a key file to encrypt connection secrets; set the variable in production and keep the key safe');
      }
      box = new SecretBox(key.key);
    }
    const target = options.knex === undefined ? resolveDatabaseTarget(options.db, env, cwd) : undefined;
    const db = options.knex ?? openDatabase(target!);
    await migrate(db);
    const engine = new Engine(db, box, registry, dirs, logger, target, options.knex === undefined);
    const attempts = options.attempts ?? 3;
    const common = {
      processor: (runId: string, job: { attempt: number; signal: AbortSignal }) => engine.executeRun(runId, { attempt: job.attempt, maxAttempts: attempts, signal: job.signal }),
      onSchedule: (run: ScheduledRun, key: string) => engine.fireSchedule(run, key),
      concurrency: options.concurrency ?? 2,
      attempts,
      backoffMs: options.backoffMs ?? 1000,
      onError: (err: unknown, context: string) => logger.warn({ err }, context),
    };
    const redisUrl = options.redisUrl ?? (env['REDIS_URL'] || undefined);
    const kind = options.queue ?? 'auto';
    if (kind === 'bullmq' && redisUrl === undefined) {
      await engine.close();
      throw new SwitchboardError('SB_CONFIG_INVALID', 'BullMQ needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379)');
    }
    engine.queue =
      kind !== 'memory' && redisUrl !== undefined
        ? new BullQueue({ ...common, redisUrl, prefix: options.queuePrefix ?? (env['SWITCHBOARD_QUEUE_PREFIX'] || 'switchboard'), ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }) })
        : new MemoryQueue(common);
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
    const props = (this.connector(connectorId).config_schema as { properties?: Record<string, { secret?: boolean }> } | undefined)?.properties ?? {};
    return Object.entries(props).filter(([, p]) => p.secret === true).map(([k]) => k);
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

  async updateConnection(idOrName: string, patch: { name?: string; config?: Record<string, unknown>; status?: connections.ConnectionStatus }): Promise<connections.Connection> {
    const current = await connections.get(this.db, this.box, idOrName);
    if (patch.config !== undefined) {
      const merged = { ...(await connections.loadConfig(this.db, this.box, current.id)) };
      for (const [k, v] of Object.entries(patch.config)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      this.validateConfig(current.connectorId, merged);
    }
    return connections.update(this.db, this.box, current.id, { ...patch, secretKeys: this.secretKeysOf(current.connectorId) });
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
   * already queued or running for the same connection and mapping is returned instead.
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
    // Usually one statement; otherwise the lookup below says why (no such connection, another
    // connector's, or a run already active, which is returned).
    const fresh = await syncRuns.tryRequestRunByName(this.db, { ...ask, connection: input.connection, connectorId: mapping.connector });
    if (fresh !== undefined) {
      await this.queue.enqueue(fresh.id, { fresh: true });
      return { run: fresh, created: true };
    }
    const connection = await connections.identify(this.db, input.connection);
    if (mapping.connector !== connection.connectorId) {
      throw new SwitchboardError('SB_BAD_REQUEST', `mapping "${mapping.id}" reads connector "${mapping.connector}", but connection "${connection.name}" is for "${connection.connectorId}"`);
    }
    if (connection.status === 'disabled') throw new SwitchboardError('SB_CONFLICT', `connection "${connection.name}" is disabled`);
    const result = await syncRuns.requestRun(this.db, { ...ask, connectionId: connection.id });
    if (result.created || result.run.status === 'queued') await this.queue.enqueue(result.run.id, { fresh: result.created });
    return result;
  }

  async cancelRun(runId: string): Promise<syncRuns.SyncRun> {
    const run = await syncRuns.requestCancel(this.db, runId);
    await this.queue.cancel(runId);
    return run;
  }

  /** The queue's processor: runs one run to its end (see core/sync/execute.ts). */
  async executeRun(runId: string, options: Omit<ExecuteOptions, 'worker'>): Promise<void> {
    await executeRun(this, runId, { ...options, worker: WORKER_ID });
  }

  /**
   * Puts back in the queue what a dead process left behind: runs `running` under a worker that
   * is gone (or silent for `staleAfterMs`), and `queued` runs (the in-process queue keeps
   * nothing across restarts; BullMQ dedupes by run id).
   */
  async recover(staleAfterMs = 120_000): Promise<string[]> {
    const ids = await recoverRuns(this.db, staleAfterMs);
    for (const id of ids) await this.queue.enqueue(id);
    return ids;
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
    await this.queue?.close();
    await closeSharedRateLimiters();
    if (this.#ownsDb) await this.db.destroy();
  }
}
