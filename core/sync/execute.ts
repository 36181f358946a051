// Running one run to its end, as the queue's processor: take it (compare-and-set), load its
// connection, connector and mapping, run it, and record how it ended. Transient failures go
// back to the queue while attempts remain; the rest fail the run for good.
import { hostname } from 'node:os';
import type { Knex } from 'knex';
import { SwitchboardError, errorMessage, isSwitchboardError } from '../errors';
import type { Engine } from '../engine';
import { ConnectorClient } from '../http/client';
import { secretNamesOf } from '../definitions/connector-checks';
import { compilePullMapping, mappingConfig } from '../mapping/compile-pull';
import { asSwitchboardError } from '../store/db-errors';
import { DbTokenStore } from '../store/token-store';
import * as connections from '../store/tables/connections';
import * as syncRuns from '../store/tables/sync-runs';
import { nowIso } from '../store/values';
import { HttpStreamSource } from './http-source';
import { checkPlan, runPull, type PullOptions, type PullOutcome, type PullProgress, type PullResult } from './pull';
import type { PullPlan } from './pull-page';
import { executePush, type PushOptions } from './push';
import { DEFAULT_SWEEP_MIN_RATIO } from './sweep';

export interface ExecuteOptions {
  attempt: number;
  maxAttempts: number;
  /** Aborted when the process shuts down: the run stops at a page boundary, resumable. */
  signal: AbortSignal;
  worker: string;
  onPage?: (progress: PullProgress) => void;
}

/** A retryable failure the queue should try again: the run row is already back to `queued`. */
export class RetryLater extends SwitchboardError {}

const HEARTBEAT_MS = 15_000;

export async function executeRun(engine: Engine, runId: string, options: ExecuteOptions): Promise<void> {
  const db = engine.db;
  // Take it first (one compare-and-set); only a run that cannot be taken needs a closer look.
  const run = await take(db, runId, options.worker);
  if (run === undefined) return;
  const heartbeat = setInterval(() => {
    void db(syncRuns.SYNC_RUNS_TABLE).where({ id: runId, status: 'running' }).update({ heartbeat_at: nowIso() }).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  // Counts the pull left for the final transition (its last, empty page; its sweep).
  let counts: Partial<syncRuns.RunCounts> = {};
  let warnings: syncRuns.RunWarning[] = [];
  try {
    let outcome: PullOutcome;
    if (run.direction === 'push') outcome = await executePush(engine, run, pushOptions(options));
    else ({ outcome, unrecorded: counts, warnings } = await pull(engine, run, options));
    // `both`: the push follows a pull that completed, so it weighs the latest source changes.
    if (run.direction === 'both' && outcome === 'succeeded') outcome = await executePush(engine, run, pushOptions(options));
    if (outcome === 'succeeded') {
      await syncRuns.transition(db, runId, 'succeeded', { counts, warnings });
      for (const w of warnings) engine.logger.warn({ run: runId, code: w.code }, w.message);
    }
    else if (outcome === 'canceled') await syncRuns.transition(db, runId, 'canceled', { counts });
    else {
      // Shutting down between pages: back to the queue; the checkpoint lets it resume.
      await syncRuns.transition(db, runId, 'queued', { worker: null, counts });
      throw new RetryLater('SB_RUN_CANCELED', `run ${runId} was interrupted by a shutdown and will resume`);
    }
  } catch (err) {
    if (err instanceof RetryLater) throw err;
    // A driver error that escaped a guard (a transaction's COMMIT) still gets its own code (disk full, ...).
    const error = asSwitchboardError(err, `run ${runId}`);
    const again = error.retryable && options.attempt < options.maxAttempts;
    await syncRuns.tryTransition(db, runId, again ? 'queued' : 'failed', { error: { code: error.code, message: error.message }, worker: null, counts });
    engine.logger.warn({ run: runId, code: error.code, attempt: options.attempt, retry: again }, `run failed: ${error.message}`);
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * Takes a run: `queued` -> `running`. A run still `running` is taken over only when the queue
 * hands it out again (its worker died, or this is a retry of a stalled job). Undefined when
 * the run is finished or gone.
 */
async function take(db: Knex, runId: string, worker: string): Promise<syncRuns.SyncRun | undefined> {
  const taken = await syncRuns.tryTransition(db, runId, 'running', { worker });
  if (taken !== undefined) return taken;
  const now = nowIso();
  const [row] = (await db(syncRuns.SYNC_RUNS_TABLE)
    .where({ id: runId, status: 'running' })
    .update({ worker, heartbeat_at: now, updated_at: now, attempts: db.raw('?? + 1', ['attempts']) }, '*')) as syncRuns.SyncRunRow[];
  return row === undefined ? undefined : syncRuns.fromRow(row);
}

/** The plan of a pull run of `run`'s mapping (also used to ingest records a webhook delivers). */
export function buildPullPlan(engine: Engine, run: Pick<syncRuns.SyncRun, 'id' | 'connectionId' | 'mappingId' | 'mode'>, config: Record<string, unknown>): PullPlan {
  const mappingDef = engine.registry.mapping(run.mappingId);
  const connector = engine.registry.connector(mappingDef.connector);
  const stream = connector.streams?.[mappingDef.stream];
  if (stream === undefined) throw new SwitchboardError('SB_DEFINITION_INVALID', `connector "${connector.id}" has no stream "${mappingDef.stream}"`);
  return {
    runId: run.id,
    connectionId: run.connectionId,
    mappingId: mappingDef.id,
    mode: run.mode === 'incremental' && stream.incremental !== undefined ? 'incremental' : 'full',
    mapping: compilePullMapping(mappingDef),
    config: mappingConfig(config, secretNamesOf(connector)),
    primaryKey: stream.primary_key ?? 'id',
    cursorField: stream.incremental?.cursor_field,
    deleted: stream.deleted === undefined ? undefined : { path: stream.deleted.path, equals: stream.deleted.equals ?? true },
    deletes: mappingDef.deletes ?? 'soft',
    sweepMinRatio: mappingDef.sweep_min_ratio ?? DEFAULT_SWEEP_MIN_RATIO,
    conflict: mappingDef.conflict ?? 'source_wins',
    matchOn: mappingDef.match_on ?? [],
  };
}

async function pull(engine: Engine, run: syncRuns.SyncRun, options: ExecuteOptions): Promise<PullResult> {
  const mappingDef = engine.registry.mapping(run.mappingId);
  const connector = engine.registry.connector(mappingDef.connector);
  const { config, state } = await connections.loadConfigAndState(engine.db, engine.box, { connectionId: run.connectionId, mappingId: run.mappingId });
  const plan = buildPullPlan(engine, run, config);
  const stream = connector.streams![mappingDef.stream]!;
  const client = new ConnectorClient({ connector, config, connectionId: run.connectionId, tokenStore: new DbTokenStore(engine.db, engine.box, run.connectionId) });
  checkPlan(plan);
  const pullOptions: PullOptions = { stopSignal: options.signal, state, ...(options.onPage === undefined ? {} : { onPage: options.onPage }) };
  if (stream.incremental?.lookback_seconds !== undefined) pullOptions.lookbackSeconds = stream.incremental.lookback_seconds;
  return runPull(engine.db, plan, new HttpStreamSource(client, mappingDef.stream), pullOptions);
}

function pushOptions(options: ExecuteOptions): PushOptions {
  return { stopSignal: options.signal, ...(options.onPage === undefined ? {} : { onPage: options.onPage }) };
}

/** Is this `host:pid` worker a process of this machine that is gone? */
function deadLocally(worker: string | null): boolean {
  if (worker === null) return true;
  const [host, pid] = worker.split(':');
  if (host !== hostname() || pid === undefined) return false;
  try {
    process.kill(Number(pid), 0); // signal 0: only asks whether the process exists
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Runs to put back in the queue after a crash: ids of queued runs, and of running runs whose worker is gone. */
export async function recoverRuns(db: Knex, staleAfterMs: number): Promise<string[]> {
  // Infinity: only runs whose worker is a dead process of this machine.
  const staleBefore = Number.isFinite(staleAfterMs) ? new Date(Date.now() - staleAfterMs).toISOString() : '';
  const running = await syncRuns.list(db, { status: 'running', limit: 1000 });
  for (const r of running) {
    if (deadLocally(r.worker) || (r.heartbeatAt !== null && r.heartbeatAt < staleBefore)) {
      await syncRuns.tryTransition(db, r.id, 'queued', { worker: null, error: { code: 'SB_INTERNAL', message: `recovered: its worker ${r.worker ?? '?'} stopped` } });
    }
  }
  const queued = await syncRuns.list(db, { status: 'queued', limit: 1000 });
  return queued.map((r) => r.id).reverse();
}
