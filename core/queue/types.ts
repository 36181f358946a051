// The JobQueue interface: how sync runs reach workers. Implemented over BullMQ (Redis, any
// number of worker processes) and in-process (one process, no Redis). The database row of a
// run is the truth; a queue job carries only the run id.
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

/** Runs a queued run to its end; the queue calls it for each job. Throwing means a failed attempt. */
export type RunProcessor = (runId: string, job: { attempt: number; signal: AbortSignal }) => Promise<void>;

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
  metrics(): Promise<QueueMetrics>;
  /** Stops taking jobs, lets running ones reach a page boundary, and releases connections. */
  close(): Promise<void>;
}
