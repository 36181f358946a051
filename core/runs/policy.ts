// The one retry policy of runs, for every caller (queue workers, the CLI, webhooks, the
// reconciler): what a failure means for the run, how many attempts may fail, and how long to
// wait before the next one. The queues decide nothing; they do what the verdict says.
//
// Three kinds of trouble, three answers:
// - the store (or Redis) cannot be reached: never the reason a run ends. The holder keeps the
//   run and waits for the store to answer again, then resumes it in place from its checkpoint;
// - an interruption (a graceful shutdown): the run goes back to the queue at once, at no cost;
// - a failure (a retryable error, or a worker lost mid-run): costs one of `attempts`, then the
//   run is tried again after an exponential backoff, or fails for good once they are spent.
// Non-retryable errors (bad credentials, invalid definitions) fail the run at once.
import { SwitchboardError, errorMessage, isSwitchboardError } from '../errors';
import { asSwitchboardError, isConnectionFailure } from '../store/db-errors';

export interface RetryPolicyOptions {
  /** Attempts that may fail before the run fails for good (default 5). */
  attempts?: number;
  /** Delay after the first failure, doubled after each (default 1000 ms). */
  backoffMs?: number;
  /** Longest delay between attempts (default five minutes). */
  maxBackoffMs?: number;
  /** First wait for an unreachable store, doubled up to `maxStoreWaitMs` (default 250 ms). */
  storeWaitMs?: number;
  /** Longest wait between two probes of an unreachable store (default 5000 ms). */
  maxStoreWaitMs?: number;
}

/** A failure as the policy sees it. */
export interface Failure {
  error: SwitchboardError;
  /** The store or Redis could not be reached: wait for it, never end the run for it. */
  unreachable: boolean;
  /** The run was taken over by another worker: its new holder decides, this one stops. */
  lost: boolean;
  /** Trying again may succeed (costs an attempt). */
  retryable: boolean;
}

export class RetryPolicy {
  readonly attempts: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #storeWaitMs: number;
  readonly #maxStoreWaitMs: number;

  constructor(options: RetryPolicyOptions = {}) {
    this.attempts = Math.max(1, Math.floor(options.attempts ?? 5));
    this.#backoffMs = Math.max(0, options.backoffMs ?? 1000);
    this.#maxBackoffMs = options.maxBackoffMs ?? 5 * 60_000;
    this.#storeWaitMs = options.storeWaitMs ?? 250;
    this.#maxStoreWaitMs = options.maxStoreWaitMs ?? 5000;
  }

  /** What a thrown value means for the run. */
  classify(err: unknown): Failure {
    const unreachable = isConnectionFailure(err) || isSwitchboardError(err, 'SB_QUEUE_UNAVAILABLE');
    let error: SwitchboardError;
    if (unreachable && !isSwitchboardError(err, 'SB_QUEUE_UNAVAILABLE')) {
      error = isSwitchboardError(err, 'SB_DB_UNAVAILABLE') ? err : new SwitchboardError('SB_DB_UNAVAILABLE', `the database is unavailable (${errorMessage(err)})`, { cause: err });
    } else error = asSwitchboardError(err, 'the run'); // a driver error that escaped a guard (a COMMIT) keeps its code (disk full, ...)
    const lost = error.code === 'SB_RUN_LOST';
    return { error, unreachable, lost, retryable: !lost && error.retryable };
  }

  /** Whether a run that has failed `failures` times may not be tried again. */
  spent(failures: number): boolean {
    return failures >= this.attempts;
  }

  /** The wait before the attempt after the `failures`-th failure. */
  backoff(failures: number): number {
    return Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** Math.max(0, failures - 1));
  }

  /** The wait before the `n`-th probe (from 1) of a store that did not answer. */
  storeWait(n: number): number {
    return Math.min(this.#maxStoreWaitMs, this.#storeWaitMs * 2 ** Math.max(0, n - 1));
  }
}
