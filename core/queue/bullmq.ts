// The BullMQ queue (REDIS_URL): a `sync` queue whose job id is the run id, attempts with
// exponential backoff, `upsertJobScheduler` for cron schedules (one per key across restarts and
// deploys), stalled jobs rerun and resume from their checkpoint, graceful close. Any number of
// processes may run workers on the same queue.
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { SwitchboardError, errorMessage } from '../errors';
import { nextFireTime } from './memory';
import type { JobQueue, QueueMetrics, RunProcessor, ScheduledRun, ScheduleHandler } from './types';

export const QUEUE_NAME = 'sync';
const RUN_JOB = 'run';
const SCHEDULE_JOB = 'schedule';

export interface BullQueueOptions {
  redisUrl: string;
  /** Key prefix in Redis (default `switchboard`); tests use one of their own. */
  prefix?: string;
  processor: RunProcessor;
  onSchedule: ScheduleHandler;
  /** Jobs this process works on at once; 0 means this process only enqueues (default 2). */
  concurrency?: number;
  /** Attempts per run, the first included (default 3). */
  attempts?: number;
  /** Base delay of the exponential backoff (default 1000 ms). */
  backoffMs?: number;
  /** How long a job may go without its lock being renewed before it counts as stalled (default 30 s). */
  stalledIntervalMs?: number;
  onError?: (err: unknown, context: string) => void;
}

type JobData = { runId: string } | ScheduledRun;

function connect(url: string): Redis {
  // BullMQ's blocking commands need maxRetriesPerRequest: null.
  return new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

export class BullQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  readonly queue: Queue<JobData>;
  readonly worker: Worker<JobData> | undefined;
  readonly #connections: Redis[] = [];
  readonly #attempts: number;
  readonly #backoffMs: number;
  /** The runs this process is working on: a closing worker stops each at its next page. */
  readonly #running = new Set<AbortController>();

  constructor(options: BullQueueOptions) {
    const prefix = options.prefix ?? 'switchboard';
    this.#attempts = options.attempts ?? 3;
    this.#backoffMs = options.backoffMs ?? 1000;
    const queueConnection = connect(options.redisUrl);
    this.#connections.push(queueConnection);
    this.queue = new Queue<JobData>(QUEUE_NAME, { connection: queueConnection, prefix });
    this.queue.on('error', (err) => options.onError?.(err, 'queue'));
    const concurrency = options.concurrency ?? 2;
    if (concurrency > 0) {
      const workerConnection = connect(options.redisUrl);
      this.#connections.push(workerConnection);
      this.worker = new Worker<JobData>(QUEUE_NAME, (job, _token, signal) => this.#process(job, options, signal), {
        connection: workerConnection,
        prefix,
        concurrency,
        // A dead worker's lock lapses after lockDuration; the stalled check then hands its job on.
        lockDuration: options.stalledIntervalMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        maxStalledCount: 2,
      });
      this.worker.on('error', (err) => options.onError?.(err, 'worker'));
      // A closing worker stops its runs at the next page boundary (they resume elsewhere).
      this.worker.on('closing', () => {
        for (const c of this.#running) c.abort();
      });
    }
  }

  async #process(job: Job<JobData>, options: BullQueueOptions, signal: AbortSignal | undefined): Promise<void> {
    if (job.name === SCHEDULE_JOB) {
      await options.onSchedule(job.data as ScheduledRun, job.repeatJobKey ?? job.id ?? '');
      return;
    }
    const { runId } = job.data as { runId: string };
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#running.add(controller);
    try {
      await options.processor(runId, { attempt: job.attemptsMade + 1, signal: controller.signal });
    } catch (err) {
      if (err instanceof SwitchboardError && !err.retryable) throw new UnrecoverableError(`${err.code}: ${err.message}`);
      throw err;
    } finally {
      this.#running.delete(controller);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async enqueue(runId: string, options: { fresh?: boolean } = {}): Promise<void> {
    // A finished job with this id would make `add` a no-op: a run put back in the queue by
    // recovery must run again. (A run id is new when its row was just inserted: one round trip.)
    const existing = options.fresh === true ? undefined : await this.queue.getJob(runId);
    if (existing !== undefined) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed') return;
      await existing.remove();
    }
    await this.queue.add(RUN_JOB, { runId }, {
      jobId: runId,
      attempts: this.#attempts,
      backoff: { type: 'exponential', delay: this.#backoffMs },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    });
  }

  async schedule(key: string, cron: string, timezone: string, run: ScheduledRun): Promise<void> {
    nextFireTime(cron, timezone); // refuse a bad expression with our own error
    await this.queue.upsertJobScheduler(key, { pattern: cron, tz: timezone }, { name: SCHEDULE_JOB, data: run, opts: { removeOnComplete: true, removeOnFail: 100 } });
  }

  async unschedule(key: string): Promise<void> {
    await this.queue.removeJobScheduler(key);
  }

  async cancel(runId: string): Promise<void> {
    const job = await this.queue.getJob(runId);
    if (job === undefined) return;
    const state = await job.getState();
    if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
      await job.remove().catch((err: unknown) => {
        // It may have started meanwhile: the run's cancel flag stops it at the next page.
        if (!/locked|active/i.test(errorMessage(err))) throw err;
      });
    }
    // Active here: stop it now rather than at the next page check.
    this.worker?.cancelJob(runId, 'canceled');
  }

  async metrics(): Promise<QueueMetrics> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
    return { waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0), active: c['active'] ?? 0, delayed: c['delayed'] ?? 0, failed: c['failed'] ?? 0, completed: c['completed'] ?? 0 };
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await Promise.all(this.#connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
