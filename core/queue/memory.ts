// The in-process queue: the same processor as the BullMQ workers, bounded concurrency, the
// executor's verdicts carried out (a run asked back after a delay waits in a timer), and cron
// timers for schedules. The embedded default for one machine; it does not pretend to be
// distributed: the database rows are what survives, and the reconciler puts them back here.
import { CronExpressionParser } from 'cron-parser';
import { SwitchboardError, errorMessage } from '../errors';
import type { JobQueue, JobStatus, QueueMetrics, RunProcessor, RunVerdict, ScheduledRun, ScheduleHandler } from './types';

export interface MemoryQueueOptions {
  processor: RunProcessor;
  onSchedule: ScheduleHandler;
  /** Runs at the same time (default 2). */
  concurrency?: number;
  /** Where failures of schedule handlers and processors are reported. */
  onError?: (err: unknown, context: string) => void;
}

interface Timer {
  cron: string;
  timezone: string;
  run: ScheduledRun;
  handle: NodeJS.Timeout | undefined;
}

/** Validates a cron expression (5 fields, or 6 with seconds) and time zone; the next fire time. */
export function nextFireTime(cron: string, timezone: string, after: Date = new Date()): Date {
  return nextFireTimes(cron, timezone, 1, after)[0]!;
}

/** The next `count` times a cron expression fires in its time zone, after `after`. */
export function nextFireTimes(cron: string, timezone: string, count: number, after: Date = new Date()): Date[] {
  try {
    const it = CronExpressionParser.parse(cron, { tz: timezone, currentDate: after });
    return Array.from({ length: count }, () => it.next().toDate());
  } catch (err) {
    throw new SwitchboardError('SB_BAD_REQUEST', `invalid schedule "${cron}" in time zone "${timezone}": ${errorMessage(err)}`, { cause: err });
  }
}

export class MemoryQueue implements JobQueue {
  readonly kind = 'memory' as const;
  readonly #options: Required<Omit<MemoryQueueOptions, 'onError'>> & Pick<MemoryQueueOptions, 'onError'>;
  readonly #waiting: string[] = [];
  readonly #active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  readonly #delayed = new Map<string, NodeJS.Timeout>();
  readonly #timers = new Map<string, Timer>();
  #failed = 0;
  #completed = 0;
  #closed = false;

  constructor(options: MemoryQueueOptions) {
    this.#options = { concurrency: 2, ...options };
  }

  async enqueue(runId: string): Promise<void> {
    if (this.#closed) throw new SwitchboardError('SB_QUEUE_UNAVAILABLE', 'the queue is closed');
    if (this.#waiting.includes(runId) || this.#active.has(runId) || this.#delayed.has(runId)) return;
    this.#waiting.push(runId);
    this.#pump();
  }

  #pump(): void {
    while (!this.#closed && this.#active.size < this.#options.concurrency && this.#waiting.length > 0) {
      const runId = this.#waiting.shift()!;
      const controller = new AbortController();
      const done = this.#options
        // One process: a run it hands out is never still held elsewhere through this queue.
        .processor(runId, { signal: controller.signal, takeover: false })
        .then(
          (verdict) => this.#carryOut(runId, verdict),
          (err: unknown) => {
            // A bug, not a verdict: the run's row tells the reconciler what to do with it.
            this.#failed += 1;
            this.#options.onError?.(err, `run ${runId} failed`);
          },
        )
        .finally(() => {
          this.#active.delete(runId);
          this.#pump();
        });
      this.#active.set(runId, { controller, done });
    }
  }

  #carryOut(runId: string, verdict: RunVerdict): void {
    if (verdict.next === 'done') this.#completed += 1;
    else if (verdict.next === 'failed') this.#failed += 1;
    // Closing: the run's row is back to `queued`; another process's reconciler takes it from there.
    else if (!this.#closed) this.#later(runId, verdict.delayMs);
  }

  #later(runId: string, delayMs: number): void {
    if (delayMs <= 0) {
      this.#waiting.push(runId);
      return;
    }
    const handle = setTimeout(() => {
      this.#delayed.delete(runId);
      if (this.#closed) return;
      this.#waiting.push(runId);
      this.#pump();
    }, delayMs);
    handle.unref();
    this.#delayed.set(runId, handle);
  }

  async schedule(key: string, cron: string, timezone: string, run: ScheduledRun): Promise<void> {
    nextFireTime(cron, timezone); // refuse a bad expression now
    await this.unschedule(key);
    const timer: Timer = { cron, timezone, run, handle: undefined };
    this.#timers.set(key, timer);
    this.#arm(key, timer);
  }

  #arm(key: string, timer: Timer): void {
    if (this.#closed || this.#timers.get(key) !== timer) return;
    const delay = Math.max(0, nextFireTime(timer.cron, timer.timezone).getTime() - Date.now());
    // setTimeout holds at most ~24.8 days; longer waits re-arm on the way.
    timer.handle = setTimeout(() => {
      if (delay > 2 ** 31 - 1) return this.#arm(key, timer);
      this.#options.onSchedule(timer.run, key).catch((err: unknown) => this.#options.onError?.(err, `schedule ${key}`));
      this.#arm(key, timer);
    }, Math.min(delay, 2 ** 31 - 1));
    timer.handle.unref();
  }

  async unschedule(key: string): Promise<void> {
    const timer = this.#timers.get(key);
    if (timer?.handle !== undefined) clearTimeout(timer.handle);
    this.#timers.delete(key);
  }

  /** Keys of the schedules this queue keeps. */
  scheduleKeys(): string[] {
    return [...this.#timers.keys()];
  }

  async cancel(runId: string): Promise<void> {
    const index = this.#waiting.indexOf(runId);
    if (index >= 0) this.#waiting.splice(index, 1);
    const delayed = this.#delayed.get(runId);
    if (delayed !== undefined) {
      clearTimeout(delayed);
      this.#delayed.delete(runId);
    }
    // A running run sees its cancel flag at the next page boundary.
  }

  async jobStates(runIds: readonly string[]): Promise<Map<string, JobStatus>> {
    const states = new Map<string, JobStatus>();
    for (const id of runIds) {
      const state = this.#active.has(id) ? 'active' : this.#delayed.has(id) ? 'delayed' : this.#waiting.includes(id) ? 'waiting' : 'missing';
      states.set(id, { state });
    }
    return states;
  }

  async metrics(): Promise<QueueMetrics> {
    return { waiting: this.#waiting.length, active: this.#active.size, delayed: this.#delayed.size, failed: this.#failed, completed: this.#completed };
  }

  /** Waits until nothing is waiting, delayed or running (tests, the CLI). */
  async drain(): Promise<void> {
    while (this.#waiting.length > 0 || this.#active.size > 0 || this.#delayed.size > 0) {
      await Promise.race([...[...this.#active.values()].map((a) => a.done), new Promise((r) => setTimeout(r, 10))]);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const key of [...this.#timers.keys()]) await this.unschedule(key);
    for (const handle of this.#delayed.values()) clearTimeout(handle);
    this.#delayed.clear();
    this.#waiting.length = 0;
    const active = [...this.#active.values()];
    for (const a of active) a.controller.abort();
    await Promise.allSettled(active.map((a) => a.done));
  }
}
