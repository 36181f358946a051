// The JobQueue interface: how sync runs reach workers. Implemented over BullMQ (Redis, any
// number of worker processes) and in-process (one process, no Redis). The database row of a
// run is the truth; a queue job carries only the run id, and the run executor (core/runs)
// decides what becomes of a job: the queue only carries out its verdict.
import type { RunDirection, RunMode } from '../store/tables/sync-runs';

/** What a schedule asks for each time it fires. */
export interface ScheduledRun {
  connectionId: string;
  /** Null: every mapping of the connection. */
  mappingId: string | null;
  direction: RunDirection;
  mode: RunMode;
}

export interface QueueMetrics {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/**
 * What the executor says of a job it ran: `done` (the run ended, or is not this job's any
 * more), `again` (back to the queue after `delayMs`: a retry, or a run interrupted by a
 * shutdown, which goes at once), `failed` (the run failed for good; `reason` says why).
 */
export type RunVerdict = { next: 'done' } | { next: 'again'; delayMs: number } | { next: 'failed'; reason: string };

export interface ProcessedJob {
  /** Aborted when the process shuts down or the run is canceled: the run stops at a page boundary. */
  signal: AbortSignal;
  /**
   * The queue handed this job out again after its holder was lost (BullMQ: a stalled job, or
   * one released by a worker that could not record it): a run still `running` may be taken over.
   */
  takeover: boolean;
}

/** Runs a queued run (one attempt, or one resumption); the queue calls it for each job. */
export type RunProcessor = (runId: string, job: ProcessedJob) => Promise<RunVerdict>;

/** Where a run's job is: held (`waiting`, `delayed`, `active`), finished, or not in the queue at all. */
export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed' | 'missing';

export interface JobStatus {
  state: JobState;
  /** Why the queue failed the job (BullMQ's failedReason, e.g. "job stalled more than allowable limit"). */
  reason?: string;
}

/** Fired by a schedule: asks for the runs (inserting their rows, then enqueueing). */
export type ScheduleHandler = (run: ScheduledRun, key: string) => Promise<void>;

export interface JobQueue {
  readonly kind: 'bullmq' | 'memory';
  /**
   * Queues a run by id (its row must exist, `queued`). Enqueueing the same id twice runs it once.
   * `fresh`: the row was just inserted, so no job can exist for it yet (skips that check).
   */
  enqueue(runId: string, options?: { fresh?: boolean }): Promise<void>;
  /** Creates or replaces the schedule `key` (cron in `timezone`); exactly one per key, across restarts. */
  schedule(key: string, cron: string, timezone: string, run: ScheduledRun): Promise<void>;
  unschedule(key: string): Promise<void>;
  /** Stops a run: removed if still waiting; a running one stops at its next page. */
  cancel(runId: string): Promise<void>;
  /** Where the jobs of these runs are (for the reconciler). */
  jobStates(runIds: readonly string[]): Promise<Map<string, JobStatus>>;
  metrics(): Promise<QueueMetrics>;
  /** Stops taking jobs, lets running ones reach a page boundary, and releases connections. */
  close(): Promise<void>;
}
