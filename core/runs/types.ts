// What one kind of run is to the executor: a function that does the run's work for a run the
// executor already holds, and says how it ended. Taking, heartbeats, finishing and retrying
// are the executor's (core/runs/executor.ts), the same for every kind.
import type { RunCounts, RunHolder, RunWarning, SyncRun } from '../store/tables/sync-runs';
import type { RunContext } from '../sync/context';
import type { PullProgress } from '../sync/pull';

export interface KindOptions {
  /** Who holds the run: page commits are fenced with it. */
  holder: RunHolder;
  /** Aborted on shutdown (or when the run was lost): stop at the next page boundary, resumable. */
  signal: AbortSignal;
  onPage?: (progress: PullProgress) => void;
  /** Records a webhook delivered (the `ingest` kind). */
  records?: readonly unknown[];
}

export interface KindResult {
  /** `interrupted`: stopped by the signal between pages; the checkpoint lets it resume. */
  outcome: 'succeeded' | 'canceled' | 'interrupted';
  /** Counts not on the run's row yet (a last, empty page; a sweep): recorded with its final transition. */
  unrecorded: Partial<RunCounts>;
  /** What a run that succeeded wants known (e.g. a sweep it skipped), recorded with its final transition. */
  warnings?: readonly RunWarning[];
}

export interface RunKind {
  /** Does the run's work; throws on failure (the executor records it, by the retry policy). */
  execute(ctx: RunContext, run: SyncRun, options: KindOptions): Promise<KindResult>;
}
