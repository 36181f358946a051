// Reading a stream as an async iterable of pages, each with the checkpoint to resume after it:
// full or incremental, resumable, restartable (`restart_after_records`), with the next page
// fetched while the caller handles the current one (never more than one page ahead).
import type { IncomingHttpHeaders } from 'node:http';
import { SwitchboardError } from '../errors';
import type { FetchedPage, PageParams, PageState } from '../pagination';
import type { TemplateContext } from '../templates';
import { getPath } from '../util/path';
import type { ConnectorClient, ResponseCheck } from './client';
import { streamOf, type CompiledStream, type IncrementalPlan, type ReadPlan } from './compiled';
import { enrichPage, type ParentScope } from './enrich';
import { formatCursor } from './incremental';

export type ReadMode = 'full' | 'incremental';

/**
 * Where a read stands after a page: enough to ask for the next page, never the records.
 * Plain JSON: save it in the same transaction as the page's records.
 */
export interface StreamCheckpoint {
  v: 1;
  stream: string;
  /** The mode of the read (`incremental` only when the stream has `incremental`). */
  mode: ReadMode;
  /** The `state.cursor` the current incremental request was started with (its pages keep using it; after a restart page, the one to move past). */
  state_cursor?: unknown;
  /** The page to ask for next; absent when the read is done or restarts. */
  next?: PageState;
  /** Records read since the current request was started (for `restart_after_records`). */
  records: number;
  /** Nothing is left to read. */
  done: boolean;
  /** `restart_after_records` was reached: the read goes on with a new request from the committed `state.cursor`. */
  restart?: boolean;
}

export interface StreamPage {
  records: unknown[];
  /** Resume point after this page. */
  checkpoint: StreamCheckpoint;
  /** This was the last page of the read. */
  done: boolean;
  /** After this page the incremental request starts again from a new `state.cursor`. */
  restart: boolean;
  /** 1-based number of the page in this `readStream` call. */
  index: number;
  /** HTTP requests this page took (retries included), and how many were retries. */
  requests: number;
  retries: number;
  status: number;
  headers: IncomingHttpHeaders;
}

export interface ReadOptions {
  /** `full` (default) reads everything; `incremental` reads what changed since `state.cursor` (a full read when the stream has no `incremental`). */
  mode?: ReadMode;
  /**
   * The stream's committed state: `cursor` is the greatest `cursor_field` among committed
   * records, with `lookback_seconds` already applied (the caller owns the state). Without it,
   * an incremental read starts from `incremental.start`, or reads everything.
   */
  state?: { cursor?: unknown };
  /** Resume after the page that produced this checkpoint (pages before it are not fetched again). */
  checkpoint?: StreamCheckpoint;
  /** Fetch the next page while the caller handles the current one. Default true. */
  prefetch?: boolean;
  /**
   * For `restart_after_records`: called when the caller asks for the page after a `restart`
   * page (so after it committed that page), and when resuming from a `restart` checkpoint;
   * returns the new `state.cursor` (the greatest committed). Without it, the iteration ends
   * after the `restart` page and the caller starts a new read with the `restart` checkpoint
   * and the new `state`.
   */
  restartCursor?: () => unknown;
  /** A child stream's parent records, for `parent` and `parents` in its templates. */
  scope?: ParentScope;
  signal?: AbortSignal;
}

interface Chain {
  readonly plan: ReadPlan | IncrementalPlan;
  readonly stateCursor: unknown;
  records: number;
  readonly seen: Set<string>;
  /** The previous page, for `response` and `last_record` in templates. */
  previous: { response: { status: number; headers: IncomingHttpHeaders; body: unknown }; lastRecord: unknown } | undefined;
}

interface Fetched {
  page: FetchedPage;
  requests: number;
  retries: number;
}

function isIncremental(plan: ReadPlan | IncrementalPlan): plan is IncrementalPlan {
  return 'spec' in plan;
}

function blank(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** The page's parameters plus the incremental `param`, when the plan has one and there is a cursor. */
function pageParams(chain: Chain, state: PageState): PageParams {
  const params = chain.plan.paginator.params(state);
  const plan = chain.plan;
  if (!isIncremental(plan) || plan.param === undefined || blank(chain.stateCursor) || params.url !== undefined) return params;
  const value = formatCursor(chain.stateCursor, plan.param.format);
  return plan.param.in === 'body'
    ? { ...params, body: { ...params.body, [plan.param.name]: value } }
    : { ...params, query: { ...params.query, [plan.param.name]: value } };
}

/** What was found where records were expected, in words: `null`, `nothing (no such key)`, `a string ("x")`. */
function describeFound(found: unknown): string {
  if (found === undefined) return 'nothing (no such key)';
  if (found === null) return 'null';
  if (typeof found === 'string') return `a string (${JSON.stringify(found.length > 40 ? `${found.slice(0, 40)}...` : found)})`;
  if (typeof found === 'object') return 'an object';
  return `${typeof found === 'number' ? 'a number' : `a ${typeof found}`} (${String(found)})`;
}

/**
 * The records of a page: the array at the stream's `records` path. Anything else is an invalid
 * response (retried, then failing the run), never an empty page: a full run that took a broken
 * page for the last one would sweep away every record it had not read yet. Only a stream that
 * declares `missing_records: empty_page` reads a missing or null value as no records.
 */
function recordsCheck(stream: CompiledStream, page: number): { check: ResponseCheck; records: () => unknown[] } {
  let records: unknown[] = [];
  const emptyWhenMissing = stream.spec.missing_records === 'empty_page';
  const check: ResponseCheck = (body) => {
    const found = getPath(body, stream.records);
    if (Array.isArray(found)) {
      records = found;
      return undefined;
    }
    if ((found === undefined || found === null) && emptyWhenMissing) {
      records = [];
      return undefined;
    }
    const path = stream.spec.records;
    return {
      reason: `stream "${stream.name}", page ${page}: no array of records at "${path}" (found ${describeFound(found)})${found === undefined || found === null ? '; if the API answers an empty list this way, set "missing_records": "empty_page" on the stream' : ''}`,
      details: { stream: stream.name, page, records: path, found: found === undefined ? 'missing' : found === null ? 'null' : Array.isArray(found) ? 'array' : typeof found },
    };
  };
  return { check, records: () => records };
}

async function fetchPage(client: ConnectorClient, stream: CompiledStream, chain: Chain, state: PageState, now: string, scope: ParentScope, signal: AbortSignal): Promise<Fetched> {
  const ctx: TemplateContext = {
    parent: scope.parent,
    parents: scope.parents,
    config: client.config,
    now,
    state: { cursor: chain.stateCursor },
    page: { number: state.number, offset: state.offset, size: chain.plan.paginator.size, cursor: state.cursor },
    last_record: chain.previous?.lastRecord,
    response: chain.previous?.response,
  };
  const { check, records: pageRecords } = recordsCheck(stream, state.number);
  const res = await client.send(chain.plan.request, ctx, pageParams(chain, state), signal, check);
  const records = pageRecords();
  // Follow-ups run here, inside the prefetch, so they overlap the writing of the previous page.
  const extra = stream.enrich.length === 0 ? undefined : await enrichPage(client, stream, records, scope, now, signal);
  return {
    page: { status: res.status, headers: res.headers, body: res.body, records },
    requests: res.requests + (extra?.requests ?? 0),
    retries: res.retries + (extra?.retries ?? 0),
  };
}

/** Starts fetching, with the rejection observed so an abandoned prefetch is never an unhandled rejection. */
function start(promise: Promise<Fetched>): Promise<Fetched> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Reads a stream page by page. Each page carries the checkpoint to save with its records; pass
 * the last saved one as `checkpoint` to resume. Leaving the loop early cancels the prefetch.
 */
export async function* readStream(client: ConnectorClient, streamName: string, options: ReadOptions = {}): AsyncGenerator<StreamPage, void, undefined> {
  const stream = streamOf(client.connector, streamName);
  if (stream.parent !== undefined && options.scope === undefined) {
    throw new SwitchboardError('SB_BAD_REQUEST', `stream "${stream.name}" is a child of "${stream.parent.stream}": read it with readRecords, which reads it once per parent`);
  }
  const incremental = options.mode === 'incremental' ? stream.incremental : undefined;
  const mode: ReadMode = incremental === undefined ? 'full' : 'incremental';
  const plan: ReadPlan | IncrementalPlan = incremental ?? stream.full;
  const restartAfter = incremental?.spec.restart_after_records;
  const now = new Date().toISOString();
  const checkpoint = options.checkpoint;
  if (checkpoint !== undefined && (checkpoint.stream !== stream.name || checkpoint.mode !== mode)) {
    throw new SwitchboardError('SB_BAD_REQUEST', `the checkpoint belongs to a ${checkpoint.mode} read of stream "${checkpoint.stream}", not to a ${mode} read of "${stream.name}"`);
  }
  if (checkpoint?.done === true) return;

  /** The cursor a new incremental request starts from: the given one, else `start`. */
  const startCursor = (cursor: unknown): unknown => {
    if (incremental === undefined) return undefined;
    if (!blank(cursor)) return cursor;
    const first = incremental.start?.({ config: client.config, now });
    return blank(first) ? undefined : first;
  };
  const newChain = (stateCursor: unknown, records: number): Chain => ({ plan, stateCursor, records, seen: new Set(), previous: undefined });
  /** A new request after `restart_after_records`, refusing one that would read the same records again. */
  const restartChain = (previous: unknown, committed: unknown): Chain => {
    const cursor = startCursor(committed);
    // The same cursor again would read the same records again, forever.
    if (!blank(previous) && (blank(cursor) || JSON.stringify(cursor) === JSON.stringify(previous))) {
      throw new SwitchboardError('SB_PAGINATION_LOOP', `stream "${stream.name}": restarting after ${restartAfter} records would not move state.cursor past ${JSON.stringify(previous)}; stopping instead of reading the same records again`);
    }
    return newChain(cursor, 0);
  };

  let chain: Chain;
  let state: PageState;
  if (checkpoint !== undefined && checkpoint.restart !== true && checkpoint.next !== undefined) {
    chain = newChain(checkpoint.state_cursor, checkpoint.records);
    state = checkpoint.next;
  } else if (checkpoint?.restart === true) {
    chain = restartChain(checkpoint.state_cursor, options.restartCursor === undefined ? options.state?.cursor : await options.restartCursor());
    state = plan.paginator.first();
  } else {
    chain = newChain(startCursor(options.state?.cursor), 0);
    state = plan.paginator.first();
  }

  const controller = new AbortController();
  const outer = options.signal;
  const onAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted === true) controller.abort(outer.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  const prefetch = options.prefetch ?? true;
  const scope: ParentScope = options.scope ?? {};
  let index = 0;
  let pending: Promise<Fetched> | undefined = start(fetchPage(client, stream, chain, state, now, scope, controller.signal));
  try {
    while (pending !== undefined) {
      const fetched: Fetched = await pending;
      pending = undefined;
      const { page } = fetched;
      const next = chain.plan.paginator.next(state, page, chain.seen);
      chain.records += page.records.length;
      const done = next === undefined;
      const restart = !done && restartAfter !== undefined && chain.records >= restartAfter;
      const cp: StreamCheckpoint = { v: 1, stream: stream.name, mode, records: restart ? 0 : chain.records, done };
      if (chain.stateCursor !== undefined) cp.state_cursor = chain.stateCursor;
      if (next !== undefined && !restart) cp.next = next;
      if (restart) cp.restart = true;
      chain.previous = { response: { status: page.status, headers: page.headers, body: page.body }, lastRecord: page.records[page.records.length - 1] };
      if (next !== undefined && !restart && prefetch) pending = start(fetchPage(client, stream, chain, next, now, scope, controller.signal));
      index += 1;
      yield {
        records: page.records as unknown[],
        checkpoint: cp,
        done,
        restart,
        index,
        requests: fetched.requests,
        retries: fetched.retries,
        status: page.status,
        headers: page.headers,
      };
      if (next === undefined) return;
      if (restart) {
        if (options.restartCursor === undefined) return;
        chain = restartChain(chain.stateCursor, await options.restartCursor());
        state = plan.paginator.first();
        pending = start(fetchPage(client, stream, chain, state, now, scope, controller.signal));
        continue;
      }
      state = next;
      pending ??= start(fetchPage(client, stream, chain, state, now, scope, controller.signal));
    }
  } finally {
    outer?.removeEventListener('abort', onAbort);
    // A prefetch still in flight when the caller stops is cancelled, not left to finish.
    controller.abort(new SwitchboardError('SB_RUN_CANCELED', 'the stream read was stopped'));
  }
}
