// The reconciler: makes the run rows (the truth) and the queue agree, periodically, in every
// worker and server, one process at a time (a lease in the store, so it works on SQLite and
// PostgreSQL alike). A `running` run whose job failed (BullMQ gave up on it after it stalled
// too often) or vanished, and whose worker is gone (a dead local process, or no heartbeat for
// `staleAfterMs`), goes back to the queue, or fails with the queue's reason once its attempts
// are spent; a `queued` run with no job in the queue (Redis restarted empty, a producer that
// could not reach Redis, a process that stopped) gets one again. Every change is a
// compare-and-set on the row it read, so a run that moved meanwhile is left alone.
import type { Knex } from 'knex';
import { errorMessage } from '../errors';
import type { Logger } from '../logger';
import type { JobQueue, JobStatus } from '../queue/types';
import * as leases from '../store/tables/leases';
import * as syncRuns from '../store/tables/sync-runs';
import type { RetryPolicy } from './policy';
import { deadLocally } from './worker-id';

export const RECONCILER_LEASE = 'reconciler';

export interface ReconcilerOptions {
  db: Knex;
  /** The queue to compare with (a function: the engine may replace its queue). */
  queue: () => JobQueue;
  policy: RetryPolicy;
  /** This process's worker id: the lease holder. */
  worker: string;
  logger: Logger;
  /** Time between passes; 0 means passes only when asked for. */
  intervalMs: number;
  /** A running run with no heartbeat for this long, and no job the queue holds, lost its worker. */
  staleAfterMs: number;
  /** Queued runs younger than this are left alone (their enqueue may be on its way; default min(interval, 5 s)). */
  queuedGraceMs?: number;
}

export interface ReconcileReport {
  /** False when another process holds the lease (it reconciles). */
  leader: boolean;
  /** Running runs whose worker was lost, put back in the queue. */
  requeued: string[];
  /** Running runs whose worker was lost once too often, failed. */
  failed: string[];
  /** Queued runs that had no job, enqueued again. */
  enqueued: string[];
}

/** Jobs the queue still holds: their runs are someone's (BullMQ hands a stalled job out again itself). */
const HELD = new Set<JobStatus['state']>(['waiting', 'delayed', 'active']);

/**
 * Why a running run lost its worker, or undefined when it did not: the queue holds its job, or
 * its worker may still be at work (heartbeat fresh, not a dead process of this machine).
 */
export function abandonment(run: syncRuns.SyncRun, job: JobStatus, staleBefore: string): string | undefined {
  if (HELD.has(job.state)) return undefined;
  if (job.state === 'failed') return `the queue failed its job: ${job.reason ?? 'no reason given'}`;
  if (deadLocally(run.worker)) return `its worker ${run.worker ?? '?'} is no longer running`;
  if (run.heartbeatAt === null || run.heartbeatAt < staleBefore) return `its worker ${run.worker ?? '?'} stopped (no heartbeat since ${run.heartbeatAt ?? 'the start'})`;
  return undefined;
}

/**
 * Takes a running run back from a holder that is gone (by `why`): to `queued`, or to `failed`
 * once its attempts are spent; one failure counted. Undefined when the run moved meanwhile.
 */
export async function releaseLost(db: Knex, policy: RetryPolicy, run: syncRuns.SyncRun, why: string): Promise<syncRuns.SyncRun | undefined> {
  const spent = policy.spent(run.failures + 1);
  const patch = { error: { code: 'SB_RUN_LOST', message: `run lost: ${why}` }, worker: null, failed: true };
  return syncRuns.tryTransition(db, run.id, spent ? 'failed' : 'queued', patch, { holder: { worker: run.worker, attempt: run.attempts } });
}

export class Reconciler {
  readonly #options: ReconcilerOptions;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<unknown> | undefined;
  #stopped = false;

  constructor(options: ReconcilerOptions) {
    this.#options = options;
  }

  /** Starts the periodic passes (the first one after one interval). */
  start(): void {
    if (this.#options.intervalMs <= 0 || this.#timer !== undefined) return;
    const tick = (): void => {
      this.#timer = setTimeout(() => {
        this.#inFlight = this.pass()
          .catch((err: unknown) => this.#options.logger.warn({ err: errorMessage(err) }, 'reconciling runs failed; trying again at the next pass'))
          .finally(() => {
            this.#inFlight = undefined;
            if (!this.#stopped) tick();
          });
      }, this.#options.intervalMs);
      this.#timer.unref();
    };
    tick();
  }

  /** One pass, when this process holds (or takes) the lease. */
  async pass(): Promise<ReconcileReport> {
    const { db, policy, logger } = this.#options;
    const report: ReconcileReport = { leader: false, requeued: [], failed: [], enqueued: [] };
    const ttl = Math.max(2 * this.#options.intervalMs, 1000);
    if (!(await leases.acquire(db, RECONCILER_LEASE, this.#options.worker, ttl))) return report;
    report.leader = true;
    const now = Date.now();
    const grace = this.#options.queuedGraceMs ?? Math.min(this.#options.intervalMs || 5000, 5000);
    const running = await syncRuns.list(db, { status: 'running', limit: 1000 });
    const queued = await syncRuns.list(db, { status: 'queued', limit: 1000, queuedBefore: new Date(now - grace).toISOString() });
    if (running.length + queued.length === 0) return report;
    const queue = this.#options.queue();
    const jobs = await queue.jobStates([...running, ...queued].map((r) => r.id));
    const staleBefore = new Date(now - this.#options.staleAfterMs).toISOString();
    for (const run of running) {
      const why = abandonment(run, jobs.get(run.id) ?? { state: 'missing' }, staleBefore);
      if (why === undefined) continue;
      const moved = await releaseLost(db, policy, run, why);
      if (moved === undefined) continue;
      logger.warn({ run: run.id, worker: run.worker, status: moved.status, failures: moved.failures }, `run lost: ${why}`);
      if (moved.status === 'failed') report.failed.push(run.id);
      else {
        await queue.enqueue(run.id);
        report.requeued.push(run.id);
      }
    }
    for (const run of queued) {
      const state = jobs.get(run.id)?.state ?? 'missing';
      if (HELD.has(state)) continue;
      await queue.enqueue(run.id);
      report.enqueued.push(run.id);
    }
    if (report.enqueued.length > 0) logger.warn({ runs: report.enqueued }, 'queued runs without a job enqueued again');
    return report;
  }

  /** Stops the passes; waits for one in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
    await leases.release(this.#options.db, RECONCILER_LEASE, this.#options.worker).catch(() => undefined);
  }
}
