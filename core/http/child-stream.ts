// Child streams: the stream's request chain read once per record of its parent stream, several
// parents at once. Pages are handed out as they arrive, each with a checkpoint that stays small
// whatever the number of parents: the parent page to read again (the first one that still has
// an unfinished parent), which parents from there on are finished, and where the parents in
// progress stand. A killed run resumes there: finished parents are not read again.
import { SwitchboardError, isSwitchboardError } from '../errors';
import { CursorMax, applyLookback, cursorValue } from '../sync/cursor';
import { getPath, parsePath } from '../util/path';
import type { ConnectorClient } from './client';
import { streamOf, type CompiledStream, type ParentPlan } from './compiled';
import type { ParentScope } from './enrich';
import type { ReadPage, ReadRecordsOptions, StreamReader } from './read';
import { readStream, type ReadMode, type StreamCheckpoint } from './stream';

/** How a child read stands; saved with each page. */
export interface ChildCheckpoint {
  v: 1;
  kind: 'child';
  stream: string;
  mode: ReadMode;
  /** The parent reader's checkpoint that reads the first unfinished parent's page again; null: the parent read's start. */
  from: Record<string, unknown> | null;
  /** Parents finished among those read from `from` on, by key. */
  done: string[];
  /** Child read checkpoints of parents partly read, by key. */
  partial: Record<string, StreamCheckpoint>;
  /** Every parent is finished (nothing is left to read). */
  complete?: true;
  /** The greatest parent cursor seen (parents read incrementally), and the parent reader's own state. */
  parent_cursor?: string | number;
  parent_state?: Record<string, unknown>;
}

interface Batch {
  /** Resume point that reads this parent page again. */
  resume: Record<string, unknown> | null;
  /** Resume point after this parent page (null when it was the last). */
  after: Record<string, unknown> | null;
  keys: string[];
  left: number;
}

interface Parent {
  key: string;
  scope: ParentScope;
  batch: Batch;
}

type Output =
  | { kind: 'page'; parent: Parent; page: ReadPage; last: boolean; checkpoint: StreamCheckpoint | undefined }
  | { kind: 'skipped'; parent: Parent; requests: number };

function keyText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/** The parent read's mode and state: incremental from its own saved cursor, or full. */
function parentOptions(client: ConnectorClient, plan: ParentPlan, options: ReadRecordsOptions): Pick<ReadRecordsOptions, 'mode' | 'state'> {
  const parentStream = streamOf(client.connector, plan.stream);
  const parents = options.state.parents ?? {};
  if (options.mode !== 'incremental' || !plan.incremental || parentStream.incremental === undefined) return { mode: 'full', state: { parents } };
  const saved = cursorValue(parents[plan.stream]);
  const cursor = saved === undefined ? undefined : applyLookback(saved, parentStream.incremental.spec.lookback_seconds);
  return { mode: 'incremental', state: { cursor, parents } };
}

/**
 * Reads a child stream. `readParent` reads the parent stream (of any kind: a parent may be a
 * child stream itself). Pages of different parents interleave; each page's checkpoint covers
 * exactly the pages handed out before it, so committing pages in order keeps resumption exact.
 */
export async function* readChildStream(client: ConnectorClient, stream: CompiledStream, options: ReadRecordsOptions, readParent: StreamReader): AsyncGenerator<ReadPage, void, undefined> {
  const plan = stream.parent!;
  const parentStream = streamOf(client.connector, plan.stream);
  const saved = options.checkpoint as ChildCheckpoint | undefined;
  if (saved !== undefined && (saved.kind !== 'child' || saved.stream !== stream.name || saved.mode !== options.mode)) {
    throw new SwitchboardError('SB_BAD_REQUEST', `the checkpoint does not belong to a ${options.mode} read of child stream "${stream.name}"`);
  }
  const parentRead = parentOptions(client, plan, options);
  // A full run reads every parent and records their greatest cursor too, for the next incremental run.
  const parentCursorPath = plan.incremental && parentStream.incremental !== undefined ? parsePath(parentStream.incremental.spec.cursor_field) : undefined;
  const parentCursor = new CursorMax(saved?.parent_cursor);
  let parentState = saved?.parent_state;
  // Parents in flight or finished but not yet behind the low-water mark; reading more parents
  // waits while this many are live, which bounds the checkpoint.
  const windowSize = Math.max(256, plan.concurrency * 8);
  const carriedDone = new Set(saved?.done ?? []);
  const partial = new Map<string, StreamCheckpoint>(Object.entries(saved?.partial ?? {}));
  const done = new Set<string>();
  const live = new Set<string>();
  const batches: Batch[] = [];
  const pending: Parent[] = [];
  const out: Output[] = [];
  let from: Record<string, unknown> | null = saved?.from ?? null;
  let complete = saved?.complete === true;
  let parentsDone = complete;
  let failure: { error: unknown } | undefined;
  let inFlight = 0;
  let stopped = false;
  // Requests the parent pages cost, counted with the next page handed out.
  const parentCost = { requests: 0, retries: 0 };

  const controller = new AbortController();
  const outer = options.signal;
  const onAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted === true) controller.abort(outer.reason);
  outer?.addEventListener('abort', onAbort, { once: true });

  let wakeConsumer: (() => void) | undefined;
  let wakeFeeder: (() => void) | undefined;
  let wakeWorkers: Array<() => void> = [];
  const notify = (): void => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };
  const fail = (error: unknown): void => {
    failure ??= { error };
    notify();
  };

  // The parent pages, registered as they arrive (before any of their children is handed out).
  const feeder = (async () => {
    if (complete) return;
    try {
      const pages = readParent(client, parentStream, {
        ...parentRead,
        ...(from === null ? {} : { checkpoint: from }),
        signal: controller.signal,
      });
      let resume = from;
      for await (const page of pages) {
        const batch: Batch = { resume, after: page.checkpoint, keys: [], left: 0 };
        resume = page.checkpoint;
        parentCost.requests += page.requests;
        parentCost.retries += page.retries;
        if (page.state !== undefined) parentState = page.state;
        batches.push(batch);
        for (const record of page.records) {
          const key = keyText(getPath(record, plan.key));
          if (key === undefined) {
            throw new SwitchboardError('SB_HTTP_INVALID_RESPONSE', `stream "${stream.name}": a record of its parent stream "${plan.stream}" has no id at "${plan.key.join('.')}"`, { details: { stream: stream.name, parent: plan.stream } });
          }
          if (parentCursorPath !== undefined) parentCursor.offer(cursorValue(getPath(record, parentCursorPath)));
          // Parents the parent stream filters out, or that say they were deleted, have no children to read.
          const parentScope = { record, ...(page.scope ?? {}) };
          if (parentStream.filter?.(parentScope) === false || parentStream.deleted?.(parentScope) === true) continue;
          // The same parent twice in the window (a listing that shifted) is read once.
          if (live.has(key) || batch.keys.includes(key)) continue;
          batch.keys.push(key);
          live.add(key);
          if (carriedDone.has(key)) {
            done.add(key);
            continue;
          }
          batch.left += 1;
          pending.push({ key, batch, scope: { parent: record, parents: { ...(page.scope?.parents ?? {}), [plan.stream]: record } } });
        }
        dropFinished();
        notify();
        while (live.size >= windowSize && !stopped) await new Promise<void>((r) => (wakeFeeder = r));
        if (stopped) return;
      }
      parentsDone = true;
      notify();
    } catch (err) {
      fail(err);
    }
  })();

  /** Batches whose parents are all finished leave the front: the low-water mark moves on. */
  function dropFinished(): void {
    while (batches.length > 0 && batches[0]!.left === 0) {
      const batch = batches.shift()!;
      for (const key of batch.keys) {
        live.delete(key);
        done.delete(key);
        carriedDone.delete(key);
      }
      from = batch.after;
      // The last parent page is behind the mark: every parent is finished.
      if (batch.after === null) complete = true;
    }
    if (live.size < windowSize) {
      wakeFeeder?.();
      wakeFeeder = undefined;
    }
  }

  async function work(parent: Parent): Promise<void> {
    const resumeAt = partial.get(parent.key);
    const pages = readStream(client, stream.name, {
      mode: options.mode,
      state: { cursor: options.state.cursor },
      scope: parent.scope,
      prefetch: false,
      signal: controller.signal,
      ...(resumeAt === undefined ? {} : { checkpoint: resumeAt }),
    });
    let requests = 0;
    try {
      for await (const page of pages) {
        requests += page.requests;
        out.push({
          kind: 'page',
          parent,
          last: page.done,
          checkpoint: page.done ? undefined : page.checkpoint,
          page: { records: page.records, checkpoint: null, requests: page.requests, retries: page.retries, scope: parent.scope, parentKey: parent.key },
        });
        notify();
        // Hand out pages at the pace they are taken.
        while (out.length > plan.concurrency * 2 && !stopped) await new Promise<void>((r) => wakeWorkers.push(r));
      }
    } catch (err) {
      const status = isSwitchboardError(err) ? err.details?.['status'] : undefined;
      const attempts = isSwitchboardError(err) ? Number(err.details?.['attempts'] ?? 1) : 1;
      if (typeof status === 'number' && plan.skipStatus.has(status)) out.push({ kind: 'skipped', parent, requests: requests + attempts });
      else throw err;
    }
    notify();
  }

  function startWorkers(): void {
    while (failure === undefined && inFlight < plan.concurrency && pending.length > 0) {
      const parent = pending.shift()!;
      inFlight += 1;
      work(parent)
        .catch(fail)
        .finally(() => {
          inFlight -= 1;
          notify();
        });
    }
  }

  const snapshot = (): ChildCheckpoint => {
    const cp: ChildCheckpoint = { v: 1, kind: 'child', stream: stream.name, mode: options.mode, from, done: [...done, ...[...carriedDone].filter((k) => !live.has(k))], partial: Object.fromEntries(partial) };
    if (complete) cp.complete = true;
    if (parentCursor.value !== undefined) cp.parent_cursor = parentCursor.value;
    if (parentState !== undefined) cp.parent_state = parentState;
    return cp;
  };
  const contribution = (): Record<string, unknown> | undefined => {
    const parents = { ...((parentState?.['parents'] as Record<string, unknown> | undefined) ?? {}) };
    if (parentCursor.value !== undefined) parents[plan.stream] = parentCursor.value;
    return Object.keys(parents).length === 0 ? undefined : { parents };
  };

  // One page is held back until the next arrives, so the last page of the read can say so.
  let held: ReadPage | undefined;
  try {
    for (;;) {
      startWorkers();
      const item = out.shift();
      if (item !== undefined) {
        for (const w of wakeWorkers.splice(0)) w();
        const parent = item.parent;
        let page: ReadPage;
        if (item.kind === 'skipped' || item.last) {
          partial.delete(parent.key);
          done.add(parent.key);
          parent.batch.left -= 1;
          dropFinished();
        } else if (item.checkpoint !== undefined) {
          partial.set(parent.key, item.checkpoint);
        }
        if (item.kind === 'skipped') page = { records: [], checkpoint: null, requests: item.requests, retries: 0, scope: parent.scope, parentKey: parent.key, skippedParent: true };
        else page = item.page;
        page.checkpoint = snapshot() as unknown as Record<string, unknown>;
        page.requests += parentCost.requests;
        page.retries += parentCost.retries;
        parentCost.requests = parentCost.retries = 0;
        const state = contribution();
        if (state !== undefined) page.state = state;
        if (held !== undefined) yield held;
        held = page;
        continue;
      }
      if (failure !== undefined) throw failure.error;
      if (parentsDone && pending.length === 0 && inFlight === 0) break;
      await new Promise<void>((r) => (wakeConsumer = r));
    }
    if (held !== undefined) {
      held.checkpoint = null;
      held.requests += parentCost.requests;
      held.retries += parentCost.retries;
      yield held;
    } else {
      const state = contribution();
      yield { records: [], checkpoint: null, requests: parentCost.requests, retries: parentCost.retries, ...(state === undefined ? {} : { state }) };
    }
  } finally {
    stopped = true;
    outer?.removeEventListener('abort', onAbort);
    controller.abort(new SwitchboardError('SB_RUN_CANCELED', 'the stream read was stopped'));
    wakeFeeder?.();
    for (const w of wakeWorkers.splice(0)) w();
    await feeder;
  }
}
