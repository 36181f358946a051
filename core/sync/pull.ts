// The pull runner: reads a stream page by page (resuming from the run's checkpoint), writes
// each page in one transaction, checks for cancellation between pages, and on success applies
// mark-and-sweep deletions (full runs that do not look truncated) and advances the durable cursor.
import type { Knex } from 'knex';
import { SwitchboardError } from '../errors';
import * as pendingRefs from '../store/tables/pending-refs';
import * as syncRuns from '../store/tables/sync-runs';
import * as syncState from '../store/tables/sync-state';
import { applyLookback, cursorValue, maxCursor } from './cursor';
import { PageBatch, compilePlanPaths, writeBatch, type PageCounts, type PageOutput, type PullPlan, type RunCheckpoint, type RunMemo } from './pull-page';
import type { StreamSource } from './source';
import { lastFullRun, sweep, truncatedRun, withLastFullRun } from './sweep';

export interface PullOptions {
  /** Seconds to step the durable cursor back by when the run starts (`lookback_seconds`). */
  lookbackSeconds?: number;
  /** Called after each committed page. */
  onPage?: (progress: PullProgress) => void;
  /** Stop between pages (graceful shutdown): the run goes back to `queued`, resumable. */
  stopSignal?: AbortSignal;
  /** Records written per transaction at most, when the reader is ahead (default 8,000). */
  batchRecords?: number;
  /** The run's sync state, when the caller has read it already (saves a read). */
  state?: syncState.SyncState;
}

const DEFAULT_BATCH_RECORDS = 8000;

export interface PullProgress {
  pages: number;
  counts: PageCounts;
  elapsedMs: number;
}

export type PullOutcome = 'succeeded' | 'canceled' | 'interrupted';

export interface PullResult {
  outcome: PullOutcome;
  counts: PageCounts;
  /**
   * Counts not yet on the run's row (those of a last, empty page and of the sweep): the caller
   * adds them with the run's final transition, in the same statement.
   */
  unrecorded: Partial<PageCounts>;
  /** Records resolved from pending references while this run wrote their targets. */
  refsResolved: number;
  /** What the run wants said with its success (e.g. a sweep skipped because the run looked truncated). */
  warnings: syncRuns.RunWarning[];
}

export function emptyCounts(): PageCounts {
  return { records_read: 0, records_created: 0, records_updated: 0, records_unchanged: 0, records_deleted: 0, records_rejected: 0, records_skipped: 0, parents_skipped: 0, pages: 0, requests: 0, retries: 0 };
}

function add(into: PageCounts, from: PageCounts): void {
  for (const k of Object.keys(into) as (keyof PageCounts)[]) into[k] += from[k];
}

/**
 * Runs a pull for a run that is already `running`. Returns its outcome; throws on failure
 * (the caller records it). Pages committed before a failure stay committed, and the run's
 * checkpoint lets the same run resume after them.
 */
export async function runPull(db: Knex, plan: PullPlan, source: StreamSource, options: PullOptions = {}): Promise<PullResult> {
  const started = Date.now();
  const key = { connectionId: plan.connectionId, mappingId: plan.mappingId };
  const saved = options.state ?? (await syncState.load(db, key));
  const resume = saved.checkpointRunId === plan.runId && saved.checkpoint !== null ? (saved.checkpoint as unknown as RunCheckpoint) : undefined;
  const durable = cursorValue(saved.state['cursor']);
  let runCursor = resume?.cursor ?? undefined;
  // What the reader adds to the durable state (child streams: their parents' cursors).
  let readerState = resume?.state;
  // Records this run has read in all, earlier attempts included (their checkpoint says how many).
  let runRead = resume?.read ?? 0;
  const counts = emptyCounts();
  const unrecorded: Partial<PageCounts> = {};
  let refsResolved = 0;
  let linksChanged = resume !== undefined;
  // Whether sync_state holds a checkpoint to clear at the end (this run's or a stale one).
  let checkpointed = saved.checkpoint !== null || saved.checkpointRunId !== null;
  const paths = compilePlanPaths(plan);
  const memo: RunMemo = { refsMayWait: true };
  const reader = new AbortController();

  const exhausted = resume !== undefined && resume.page === null;
  if (!exhausted) {
    const startCursor = durable === undefined ? undefined : applyLookback(durable, options.lookbackSeconds);
    // The reader (with the mapping of each page as it arrives) runs ahead of the writer by at
    // most one batch, so fetching and mapping overlap with the database's work, and memory
    // stays bounded by the batch size whatever the size of the stream.
    let committedCursor = runCursor;
    let stopped = false;
    let produced = 0;
    let committed = 0;
    let caughtUp: (() => void) | undefined;
    const pages = source.read({
      mode: plan.mode,
      cursor: startCursor,
      state: saved.state,
      checkpoint: resume?.page ?? null,
      // A restart (`restart_after_records`) moves on from exactly what was committed: the
      // records at that cursor are read again (inclusive filters), stepping further back could
      // keep the restart from moving forward at all. The reader asks when it wants the page
      // after the restart page, so the writer (behind by up to a batch) catches up first.
      committedCursor: async () => {
        while (committed < produced && !stopped) await new Promise<void>((r) => (caughtUp = r));
        return committedCursor ?? startCursor;
      },
      signal: reader.signal,
    });
    const maxRecords = Math.max(1, options.batchRecords ?? DEFAULT_BATCH_RECORDS);
    let batch = new PageBatch(plan, paths, runCursor, runRead);
    let readerDone = false;
    let readerError: unknown;
    let wake: (() => void) | undefined;
    let room: (() => void) | undefined;
    const signal = (): void => {
      wake?.();
      wake = undefined;
    };
    const producer = (async () => {
      try {
        for await (const page of pages) {
          while (batch.read >= maxRecords && !stopped) await new Promise<void>((r) => (room = r));
          if (stopped) break;
          // Around each page's mapping, let the event loop hand the writer its finished
          // statements first: the writer's chain of statements is what bounds a run, and each
          // of them waits for the main thread to be free.
          await yieldToIo();
          batch.add(page, new Date().toISOString());
          produced += 1;
          signal();
          await yieldToIo();
          if (page.checkpoint === null) break;
        }
      } catch (err) {
        readerError = err;
      } finally {
        readerDone = true;
        signal();
      }
    })();
    try {
      for (;;) {
        while (batch.pages === 0 && !readerDone) await new Promise<void>((r) => (wake = r));
        if (batch.pages === 0) break;
        const taken = batch;
        batch = new PageBatch(plan, paths, taken.cursor, taken.runRead);
        room?.();
        room = undefined;
        // An empty last page changes nothing but the run's counts, which go with the run's end.
        const empty = taken.read === 0 && taken.checkpoint === null;
        const out = empty ? emptyPage(taken, unrecorded) : await writeBatch(db, plan, taken, saved.state, memo);
        checkpointed ||= !empty;
        runCursor = committedCursor = taken.cursor;
        if (taken.state !== undefined) readerState = taken.state;
        runRead = taken.runRead;
        committed += taken.pages;
        caughtUp?.();
        caughtUp = undefined;
        refsResolved += out.refsResolved;
        linksChanged ||= out.linksChanged;
        add(counts, out.counts);
        options.onPage?.({ pages: counts.pages, counts: { ...counts }, elapsedMs: Date.now() - started });
        if (taken.checkpoint === null) break;
        const stopping = options.stopSignal?.aborted === true;
        // The batch's commit read the cancel flag; a stop (shutdown, or the queue aborting a
        // canceled run) reads it again, as the cancel may have come after that commit.
        if (out.cancelRequested || (stopping && (await syncRuns.isCancelRequested(db, plan.runId)))) {
          await syncState.save(db, key, { state: saved.state, checkpoint: null, checkpointRunId: null });
          return { outcome: 'canceled', counts, refsResolved, unrecorded, warnings: [] };
        }
        if (stopping) return { outcome: 'interrupted', counts, refsResolved, unrecorded, warnings: [] };
      }
      // Pages read before a failure were written above; now the failure ends the run.
      if (readerError !== undefined) throw readerError;
    } finally {
      stopped = true;
      reader.abort();
      room?.();
      caughtUp?.();
      await producer;
    }
  }

  const warnings: syncRuns.RunWarning[] = [];
  try {
    // The whole stream is committed: sweep (full runs that do not look truncated), then advance
    // the durable cursor.
    let state = saved.state;
    if (plan.mode === 'full') {
      const last = lastFullRun(saved.state);
      const truncated = truncatedRun(plan, runRead, last);
      if (truncated !== undefined) {
        warnings.push(truncated);
      } else {
        const swept = await sweep(db, plan);
        counts.records_deleted += swept;
        unrecorded.records_deleted = (unrecorded.records_deleted ?? 0) + swept;
        // The reference for the next full runs (a skipped run's count never becomes it); an
        // empty run that changes nothing writes nothing.
        if (checkpointed || last?.records !== runRead) state = withLastFullRun(state, { records: runRead, run_id: plan.runId, at: new Date().toISOString() });
      }
    }
    if (linksChanged) refsResolved += await pendingRefs.resolveLinked(db, plan.connectionId);
    // What the reader adds (child streams: their parents' cursors, which only move forward).
    if (readerState !== undefined) state = { ...state, ...mergeReaderState(saved.state, readerState) };
    const cursor = maxCursor(durable, runCursor ?? undefined);
    if (cursor !== durable && cursor !== undefined) state = { ...state, cursor };
    // A run that read nothing new leaves the state as it was: no write (many small scheduled runs).
    if (checkpointed || state !== saved.state) {
      await syncState.save(db, key, { state, checkpoint: null, checkpointRunId: null });
    }
  } catch (err) {
    // The run fails: what it did so far still shows in its counts.
    await syncRuns.addCounts(db, plan.runId, unrecorded, undefined, plan.holder).catch(() => undefined);
    throw err;
  }
  return { outcome: 'succeeded', counts, refsResolved, unrecorded, warnings };
}

/**
 * The reader's contribution merged into the saved state: parents' cursors only move forward
 * (a full run reads parents in full and reports their greatest cursor too).
 */
function mergeReaderState(saved: Record<string, unknown>, contribution: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...contribution };
  const before = saved['parents'];
  const after = contribution['parents'];
  if (before !== null && typeof before === 'object' && after !== null && typeof after === 'object') {
    const parents: Record<string, unknown> = { ...(before as Record<string, unknown>) };
    for (const [stream, value] of Object.entries(after as Record<string, unknown>)) {
      parents[stream] = maxCursor(cursorValue(parents[stream]), cursorValue(value));
    }
    out['parents'] = parents;
  }
  return out;
}

/** The counts of an empty page, kept for the run's final transition. */
function emptyPage(batch: PageBatch, unrecorded: Partial<PageCounts>): PageOutput {
  const counts = { ...emptyCounts(), pages: batch.pages, requests: batch.requests, retries: batch.retries };
  for (const k of ['pages', 'requests', 'retries'] as const) unrecorded[k] = (unrecorded[k] ?? 0) + counts[k];
  return { counts, refsResolved: 0, linksChanged: false, cancelRequested: false };
}

function yieldToIo(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** Refuses plans that cannot run, before any request is made. */
export function checkPlan(plan: PullPlan): void {
  if (plan.mode === 'incremental' && plan.cursorField === undefined && plan.parentIncremental !== true) {
    throw new SwitchboardError('SB_DEFINITION_INVALID', `mapping ${plan.mappingId}: an incremental run needs the stream's incremental.cursor_field`);
  }
}
