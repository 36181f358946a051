// The run executor: the one owner of a run's lifecycle, for every caller (BullMQ workers, the
// in-process queue, the CLI, webhook deliveries). It takes a run (compare-and-set), keeps its
// heartbeat while a kind (core/runs/kinds) does the work, and records how it ended, deciding by
// the retry policy (core/runs/policy.ts) what happens next; the queues only carry the verdict
// out. A holder that loses its run (taken over after its job stalled) is fenced: its heartbeat
// and page commits are refused, and it stops without touching the row.
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, isSwitchboardError, type SwitchboardError } from '../errors';
import type { RunVerdict } from '../queue/types';
import { ping } from '../store/db';
import * as syncRuns from '../store/tables/sync-runs';
import type { RunContext } from '../sync/context';
import type { PullProgress } from '../sync/pull';
import { KINDS } from './kinds';
import type { RetryPolicy } from './policy';
import type { KindResult, RunKind } from './types';

export interface ExecutorOptions {
  context: RunContext;
  policy: RetryPolicy;
  /** This process's worker id (`host:pid`), recorded on the runs it holds. */
  worker: string;
  /** How often a held run's heartbeat is recorded (default 10 s). */
  heartbeatMs?: number;
}

export interface ExecuteOptions {
  /** Aborted on shutdown: the run stops at a page boundary and goes back to the queue. */
  signal?: AbortSignal;
  onPage?: (progress: PullProgress) => void;
  /** The queue handed the job out again after its holder was lost: a `running` run may be taken over. */
  takeover?: boolean;
}

export interface DriveOptions extends Omit<ExecuteOptions, 'takeover'> {
  /** Told before each wait for another attempt. */
  onRetry?: (run: syncRuns.SyncRun, delayMs: number) => void;
}

/** A verdict, and the failure that led to it (for callers that answer someone, like webhooks). */
interface Outcome {
  verdict: RunVerdict;
  error?: SwitchboardError;
}

const DONE: Outcome = { verdict: { next: 'done' } };
const AGAIN_NOW: Outcome = { verdict: { next: 'again', delayMs: 0 } };
const NEVER = new AbortController().signal;

export class RunExecutor {
  readonly context: RunContext;
  readonly policy: RetryPolicy;
  readonly worker: string;
  readonly #heartbeatMs: number;

  constructor(options: ExecutorOptions) {
    this.context = options.context;
    this.policy = options.policy;
    this.worker = options.worker;
    this.#heartbeatMs = options.heartbeatMs ?? 10_000;
  }

  /** One attempt at a run (the queues' processor): take it, run it, and say what comes next. */
  async execute(runId: string, options: ExecuteOptions = {}): Promise<RunVerdict> {
    const signal = options.signal ?? NEVER;
    const taken = await this.#take(runId, options.takeover === true, signal);
    if (!('run' in taken)) return taken.verdict;
    return (await this.#run(taken.run, KINDS[taken.run.direction], options, signal, true)).verdict;
  }

  /**
   * Runs a run to its end in this process (the CLI): attempts by the retry policy, with its
   * waits, until the run is finished, or `signal` stops it (then it is back in the queue).
   */
  async drive(runId: string, options: DriveOptions = {}): Promise<syncRuns.SyncRun> {
    const signal = options.signal ?? NEVER;
    for (;;) {
      const verdict = await this.execute(runId, options);
      if (verdict.next !== 'again' || signal.aborted) break;
      options.onRetry?.(await this.#stored(() => syncRuns.get(this.context.db, runId), signal), verdict.delayMs);
      await sleep(verdict.delayMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
    }
    return this.#stored(() => syncRuns.get(this.context.db, runId), NEVER);
  }

  /**
   * Ingests records a webhook delivered, as a run of their own (`trigger: webhook`), taken and
   * finished here. `ingested` is false when another run of the mapping is queued or running
   * (nothing written). A failure is thrown after it is recorded; a retryable one leaves the run
   * queued (`queued: true`), to be completed as an incremental pull run.
   */
  async ingest(input: { connectionId: string; mappingId: string; records: readonly unknown[] }): Promise<{ run: syncRuns.SyncRun; ingested: boolean; queued: boolean; error?: SwitchboardError }> {
    const db = this.context.db;
    const { run, created } = await syncRuns.requestRun(db, { connectionId: input.connectionId, mappingId: input.mappingId, direction: 'pull', mode: 'incremental', trigger: 'webhook' });
    if (!created) return { run, ingested: false, queued: false };
    // The run row is the mapping's lock: while it is running, no other run writes its state.
    const taken = await syncRuns.tryTransition(db, run.id, 'running', { worker: this.worker });
    if (taken === undefined) return { run: await syncRuns.get(db, run.id), ingested: false, queued: false };
    // An HTTP request does not wait for an unreachable store: the row tells the reconciler.
    const outcome = await this.#run(taken, KINDS.ingest, { records: input.records }, NEVER, false);
    const queued = outcome.verdict.next === 'again';
    return { run: await syncRuns.get(db, run.id), ingested: outcome.verdict.next === 'done', queued, ...(outcome.error === undefined ? {} : { error: outcome.error }) };
  }

  /** Takes a queued run, or takes over a running one the queue says its holder lost. */
  async #take(runId: string, takeover: boolean, signal: AbortSignal): Promise<{ run: syncRuns.SyncRun } | Outcome> {
    const db = this.context.db;
    for (let probe = 1; ; probe++) {
      try {
        // One compare-and-set; only a run that cannot be taken needs a closer look.
        const run = await syncRuns.tryTransition(db, runId, 'running', { worker: this.worker });
        if (run !== undefined) return { run };
        if (!takeover) return DONE;
        const seen = await syncRuns.get(db, runId);
        if (seen.status !== 'running') return DONE;
        const holder = { worker: seen.worker, attempt: seen.attempts };
        const reason = `its worker ${seen.worker ?? '?'} was lost mid-run ${seen.failures + 1} time(s)`;
        if (this.policy.spent(seen.failures + 1)) {
          const failed = await syncRuns.tryTransition(db, runId, 'failed', { error: { code: 'SB_RUN_LOST', message: reason }, worker: null, failed: true }, { holder });
          return failed === undefined ? DONE : { verdict: { next: 'failed', reason: `SB_RUN_LOST: ${reason}` } };
        }
        const over = await syncRuns.takeOver(db, runId, this.worker, holder);
        if (over !== undefined) this.context.logger.warn({ run: runId, previous: seen.worker, failures: over.failures }, 'run taken over: its worker was lost');
        return over === undefined ? DONE : { run: over };
      } catch (err) {
        if (isSwitchboardError(err, 'SB_RUN_NOT_FOUND')) return DONE;
        const failure = this.policy.classify(err);
        if (!failure.unreachable) return { verdict: { next: 'failed', reason: `${failure.error.code}: ${failure.error.message}` }, error: failure.error };
        if (!(await this.#waitForStore(probe, signal))) return AGAIN_NOW;
      }
    }
  }

  /** Runs a held run with its heartbeat, resuming in place while the store is unreachable. */
  async #run(run: syncRuns.SyncRun, kind: RunKind, options: Omit<ExecuteOptions, 'takeover'> & { records?: readonly unknown[] }, signal: AbortSignal, waitForStore: boolean): Promise<Outcome> {
    const holder: syncRuns.RunHolder = { worker: this.worker, attempt: run.attempts };
    const lost = new AbortController();
    const stop = AbortSignal.any([signal, lost.signal]);
    const beat = setInterval(() => {
      syncRuns.heartbeat(this.context.db, run.id, holder).then(
        (held) => {
          if (!held) lost.abort();
        },
        // Unreachable store: the run waits for it anyway; the next beat tries again.
        () => undefined,
      );
    }, this.#heartbeatMs);
    beat.unref();
    try {
      for (let probe = 1; ; ) {
        let result: KindResult;
        try {
          result = await kind.execute(this.context, run, { holder, signal: stop, ...(options.onPage === undefined ? {} : { onPage: options.onPage }), ...(options.records === undefined ? {} : { records: options.records }) });
        } catch (err) {
          const failure = this.policy.classify(err);
          if (failure.lost || lost.signal.aborted) return this.#lost(run);
          if (failure.unreachable && waitForStore && (await this.#waitForStore(probe++, signal))) continue;
          return await this.#failed(run, holder, failure, signal);
        }
        if (result.outcome === 'interrupted' && lost.signal.aborted) return this.#lost(run);
        return await this.#finished(run, holder, result, signal);
      }
    } finally {
      clearInterval(beat);
    }
  }

  /** Records how the run ended: succeeded, canceled, or (interrupted) back to the queue at no cost. */
  async #finished(run: syncRuns.SyncRun, holder: syncRuns.RunHolder, result: KindResult, signal: AbortSignal): Promise<Outcome> {
    const to = result.outcome === 'interrupted' ? 'queued' : result.outcome;
    const warnings = to === 'succeeded' ? (result.warnings ?? []) : [];
    const moved = await this.#write(() => syncRuns.tryTransition(this.context.db, run.id, to, { counts: result.unrecorded, ...(to === 'queued' ? { worker: null } : {}), ...(warnings.length === 0 ? {} : { warnings }) }, { holder }), signal);
    // Unrecorded (the store is away and this process stops): whoever takes the job next takes the run over.
    if (moved === 'unreachable') return AGAIN_NOW;
    if (moved === undefined) return this.#lost(run);
    for (const w of warnings) this.context.logger.warn({ run: run.id, code: w.code }, w.message);
    if (to === 'queued') this.context.logger.info({ run: run.id }, 'run interrupted at a page boundary: back to the queue, to resume from its checkpoint');
    return to === 'queued' ? AGAIN_NOW : DONE;
  }

  /** Records a failure: back to the queue after a backoff while attempts remain, else failed for good. */
  async #failed(run: syncRuns.SyncRun, holder: syncRuns.RunHolder, failure: ReturnType<RetryPolicy['classify']>, signal: AbortSignal): Promise<Outcome> {
    const { error } = failure;
    const db = this.context.db;
    const recorded = { code: error.code, message: error.message };
    if (failure.unreachable) {
      // Not waiting for the store (shutting down, or a webhook's request): no attempt is spent.
      await syncRuns.tryTransition(db, run.id, 'queued', { error: recorded, worker: null }, { holder }).catch(() => undefined);
      return { ...AGAIN_NOW, error };
    }
    const failures = run.failures + 1;
    const again = failure.retryable && !this.policy.spent(failures);
    const moved = await this.#write(() => syncRuns.tryTransition(db, run.id, again ? 'queued' : 'failed', { error: recorded, worker: null, failed: true }, { holder }), signal);
    this.context.logger.warn({ run: run.id, code: error.code, failures, retry: again }, `run failed: ${error.message}`);
    if (moved === 'unreachable') return { ...AGAIN_NOW, error };
    if (moved === undefined) return { ...this.#lost(run), error };
    return again ? { verdict: { next: 'again', delayMs: this.policy.backoff(failures) }, error } : { verdict: { next: 'failed', reason: `${error.code}: ${error.message}` }, error };
  }

  #lost(run: syncRuns.SyncRun): Outcome {
    this.context.logger.warn({ run: run.id, worker: this.worker }, 'run lost: another worker holds it now; stopping without touching it');
    return DONE;
  }

  /**
   * A write of the run's end, waiting for an unreachable store (unless `signal` says this
   * process is stopping: then one more try). 'unreachable' when it could not be written.
   */
  async #write<T>(write: () => Promise<T>, signal: AbortSignal): Promise<T | 'unreachable'> {
    for (let probe = 1; ; probe++) {
      try {
        return await write();
      } catch (err) {
        if (!this.policy.classify(err).unreachable) throw err;
        if (!(await this.#waitForStore(probe, signal))) return 'unreachable';
      }
    }
  }

  /** Like #write, for reads the caller cannot go on without. */
  async #stored<T>(read: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const value = await this.#write(read, signal);
    if (value === 'unreachable') return read();
    return value;
  }

  /**
   * Waits for the store to answer again (probing with a backoff). False when `signal` says to
   * stop waiting; true once it answers.
   */
  async #waitForStore(probe: number, signal: AbortSignal): Promise<boolean> {
    if (probe === 1) this.context.logger.warn({ worker: this.worker }, 'the store is unreachable: runs wait for it and resume');
    for (let n = probe; !signal.aborted; n++) {
      await sleep(this.policy.storeWait(n), undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return false;
      try {
        await ping(this.context.db);
        return true;
      } catch (err) {
        this.context.logger.debug({ err: errorMessage(err) }, 'the store is still unreachable');
      }
    }
    return false;
  }
}
