// The BullMQ queue (REDIS_URL): a `sync` queue whose job id is the run id, `upsertJobScheduler`
// for cron schedules (one per key across restarts and deploys), stalled jobs handed out again
// (the run is taken over and resumes from its checkpoint), graceful close. Any number of
// processes may run workers on the same queue. BullMQ retries nothing itself: the executor's
// verdict moves a job back (`moveToWait`, `moveToDelayed`) or fails it. Every operation waits
// for Redis at most `commandTimeoutMs`, then fails with SB_QUEUE_UNAVAILABLE, so a caller is
// told at once instead of hanging while Redis is away (ioredis keeps the command and sends it
// when Redis is back, which is harmless: job ids are run ids).
import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { SwitchboardError, errorMessage } from '../errors';
import { nextFireTime } from './memory';
import type { JobQueue, JobState, JobStatus, QueueMetrics, RunProcessor, ScheduledRun, ScheduleHandler } from './types';

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
  /** How long a job may go without its lock being renewed before it counts as stalled (default 30 s). */
  stalledIntervalMs?: number;
  /** How long an operation waits for Redis before SB_QUEUE_UNAVAILABLE (default 2000 ms). */
  commandTimeoutMs?: number;
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
  readonly #timeoutMs: number;
  /** The runs this process is working on: a closing worker stops each at its next page. */
  readonly #running = new Set<AbortController>();

  constructor(options: BullQueueOptions) {
    const prefix = options.prefix ?? 'switchboard';
    this.#timeoutMs = options.commandTimeoutMs ?? 2000;
    const queueConnection = connect(options.redisUrl);
    this.#connections.push(queueConnection);
    this.queue = new Queue<JobData>(QUEUE_NAME, { connection: queueConnection, prefix });
    this.queue.on('error', (err) => options.onError?.(err, 'queue'));
    const concurrency = options.concurrency ?? 2;
    if (concurrency > 0) {
      const workerConnection = connect(options.redisUrl);
      this.#connections.push(workerConnection);
      this.worker = new Worker<JobData>(QUEUE_NAME, (job, token, signal) => this.#process(job, token, options, signal), {
        connection: workerConnection,
        prefix,
        concurrency,
        // A dead worker's lock lapses after lockDuration; the stalled check then hands its job on.
        lockDuration: options.stalledIntervalMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        // A job whose workers die twice is handed out again; the third time BullMQ fails it
        // ("job stalled more than allowable limit") and the reconciler decides by the run's row.
        maxStalledCount: 2,
      });
      this.worker.on('error', (err) => options.onError?.(err, 'worker'));
      // A closing worker stops its runs at the next page boundary (they resume elsewhere).
      this.worker.on('closing', () => {
        for (const c of this.#running) c.abort();
      });
    }
  }

  async #process(job: Job<JobData>, token: string | undefined, options: BullQueueOptions, signal: AbortSignal | undefined): Promise<void> {
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
      // Started before: the job went back to the queue (stalled, or released), so its run may
      // still be `running` under a holder that is gone.
      const verdict = await options.processor(runId, { signal: controller.signal, takeover: job.attemptsStarted > 1 });
      if (verdict.next === 'failed') throw new UnrecoverableError(verdict.reason);
      if (verdict.next === 'again') {
        if (verdict.delayMs <= 0) {
          await job.moveToWait(token);
          throw new WaitingError();
        }
        await job.moveToDelayed(Date.now() + verdict.delayMs, token);
        throw new DelayedError();
      }
    } finally {
      this.#running.delete(controller);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** `op`, or SB_QUEUE_UNAVAILABLE when Redis has not answered within the timeout. */
  async #bounded<T>(what: string, op: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const pending = op();
    // Left running after a timeout: keep its late failure from going unhandled.
    pending.catch(() => undefined);
    try {
      return await Promise.race([
        pending,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new SwitchboardError('SB_QUEUE_UNAVAILABLE', `the queue (Redis) did not answer within ${this.#timeoutMs} ms while ${what}`)), this.#timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async enqueue(runId: string, options: { fresh?: boolean } = {}): Promise<void> {
    await this.#bounded(`enqueueing run ${runId}`, async () => {
      // A finished job with this id would make `add` a no-op: a run put back in the queue by
      // the reconciler must run again. (A run id is new when its row was just inserted: one round trip.)
      const existing = options.fresh === true ? undefined : await this.queue.getJob(runId);
      if (existing !== undefined) {
        const state = await existing.getState();
        if (state !== 'completed' && state !== 'failed') return;
        await existing.remove();
      }
      await this.queue.add(RUN_JOB, { runId }, { jobId: runId, attempts: 1, removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } });
    });
  }

  async schedule(key: string, cron: string, timezone: string, run: ScheduledRun): Promise<void> {
    nextFireTime(cron, timezone); // refuse a bad expression with our own error
    await this.#bounded(`saving schedule ${key}`, () =>
      this.queue.upsertJobScheduler(key, { pattern: cron, tz: timezone }, { name: SCHEDULE_JOB, data: run, opts: { removeOnComplete: true, removeOnFail: 100 } }),
    );
  }

  async unschedule(key: string): Promise<void> {
    await this.#bounded(`removing schedule ${key}`, () => this.queue.removeJobScheduler(key));
  }

  async cancel(runId: string): Promise<void> {
    await this.#bounded(`canceling run ${runId}`, async () => {
      const job = await this.queue.getJob(runId);
      if (job === undefined) return;
      const state = await job.getState();
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
        await job.remove().catch((err: unknown) => {
          // It may have started meanwhile: the run's cancel flag stops it at the next page.
          if (!/locked|active/i.test(errorMessage(err))) throw err;
        });
      }
    });
    // Active here: stop it now rather than at the next page check.
    this.worker?.cancelJob(runId, 'canceled');
  }

  async jobStates(runIds: readonly string[]): Promise<Map<string, JobStatus>> {
    return this.#bounded('reading job states', async () => {
      const states = new Map<string, JobStatus>();
      await Promise.all(
        runIds.map(async (id) => {
          const raw = await this.queue.getJobState(id);
          const state: JobState = raw === 'prioritized' || raw === 'waiting-children' ? 'waiting' : raw === 'unknown' ? 'missing' : raw;
          const status: JobStatus = { state };
          if (state === 'failed') {
            const reason = (await this.queue.getJob(id))?.failedReason;
            if (reason !== undefined) status.reason = reason;
          }
          states.set(id, status);
        }),
      );
      return states;
    });
  }

  async metrics(): Promise<QueueMetrics> {
    const c = await this.#bounded('counting jobs', () => this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'));
    return { waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0), active: c['active'] ?? 0, delayed: c['delayed'] ?? 0, failed: c['failed'] ?? 0, completed: c['completed'] ?? 0 };
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await Promise.all(this.#connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
