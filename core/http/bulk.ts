// Streams read through an asynchronous bulk job (`bulk`, Salesforce Bulk API 2.0 query jobs):
// create the job, poll it with a growing wait until it is done (or failed, or too long), then
// download its results page by page (a locator header names the next page), each page parsed as
// it streams in and handed out in chunks with a checkpoint (the job, the page's locator, the
// records of the page already handed out). A killed run resumes with the same job and skips
// what it committed; a job that is gone or failed is created again.
import { setTimeout as delay } from 'node:timers/promises';
import type { BulkJob } from '../generated/connector';
import { SwitchboardError, isSwitchboardError } from '../errors';
import type { TemplateContext } from '../templates';
import { TEMPLATE_PLACES } from '../templates/places';
import { getPath, parsePath, type Path } from '../util/path';
import type { ConnectorClient } from './client';
import type { CompiledStream } from './compiled';
import { recordParser } from './csv';
import type { ReadPage, ReadRecordsOptions, StreamReader } from './read';
import { compileRequest, type CompiledRequest } from './request';
import { backoffDelay, headerValue } from './retry';
import type { ReadMode } from './stream';
import { TransportError } from './transport';

export interface CompiledBulk {
  readonly spec: BulkJob;
  readonly modes: ReadonlySet<ReadMode>;
  readonly create: CompiledRequest;
  readonly id: Path;
  readonly poll: CompiledRequest;
  readonly state: Path;
  readonly done: ReadonlySet<string>;
  readonly failed: ReadonlySet<string>;
  readonly error: Path | undefined;
  readonly download: CompiledRequest;
  readonly delete: CompiledRequest | undefined;
  readonly gone: ReadonlySet<number>;
}

export function compileBulk(spec: BulkJob): CompiledBulk {
  const job = TEMPLATE_PLACES.bulkJob;
  return {
    spec,
    modes: new Set(spec.modes ?? ['full']),
    create: compileRequest(spec.create.request, TEMPLATE_PLACES.bulkCreate),
    id: parsePath(spec.create.id ?? 'id'),
    poll: compileRequest(spec.poll.request, job),
    state: parsePath(spec.poll.state),
    done: new Set(spec.poll.done),
    failed: new Set(spec.poll.failed ?? []),
    error: spec.poll.error === undefined ? undefined : parsePath(spec.poll.error),
    download: compileRequest(spec.download.request, job),
    delete: spec.delete === undefined ? undefined : compileRequest(spec.delete, job),
    gone: new Set(spec.gone_status ?? [404]),
  };
}

/** Where a bulk read stands; saved with each chunk of records. */
export interface BulkCheckpoint {
  v: 1;
  kind: 'bulk';
  stream: string;
  mode: ReadMode;
  /** The job's id, saved as soon as it is created. */
  job: string;
  /** The locator of the page being read (null: the first page). */
  locator: string | null;
  /** Records of that page already handed out (and so committed): skipped when it is read again. */
  skip: number;
  /** Every result is handed out: what is left is freeing the job (`delete`). */
  complete?: true;
}

const GONE = Symbol('gone');

function idText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

function goneStatus(bulk: CompiledBulk, err: unknown): boolean {
  const status = isSwitchboardError(err) ? err.details?.['status'] : undefined;
  return typeof status === 'number' && bulk.gone.has(status);
}

/** The next chunk of a body, or a network failure when nothing arrives within `ms`. */
async function nextChunk(it: AsyncIterator<unknown>, ms: number, signal: AbortSignal | undefined): Promise<IteratorResult<unknown>> {
  const idle = new AbortController();
  const onAbort = (): void => idle.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([
      it.next(),
      delay(ms, undefined, { signal: idle.signal }).then(
        () => Promise.reject(new TransportError('timeout', `no bytes of the results for ${ms} ms`)),
        () => Promise.reject(signal?.reason ?? new SwitchboardError('SB_RUN_CANCELED', 'the read was stopped')),
      ),
    ]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    idle.abort();
  }
}

/**
 * Reads a stream through its bulk job (runs whose mode is not in `bulk.modes` read the stream's
 * list requests with `readList`).
 */
export async function* readBulk(client: ConnectorClient, stream: CompiledStream, options: ReadRecordsOptions, readList: StreamReader): AsyncGenerator<ReadPage, void, undefined> {
  const bulk = stream.bulk!;
  if (!bulk.modes.has(options.mode)) {
    yield* readList(client, stream, options);
    return;
  }
  const saved = options.checkpoint as BulkCheckpoint | undefined;
  if (saved !== undefined && (saved.kind !== 'bulk' || saved.stream !== stream.name || saved.mode !== options.mode)) {
    throw new SwitchboardError('SB_BAD_REQUEST', `the checkpoint does not belong to a ${options.mode} bulk read of stream "${stream.name}"`);
  }
  const signal = options.signal;
  const now = new Date().toISOString();
  const base: TemplateContext = { config: client.config, now, state: { cursor: options.state.cursor } };
  const spec = bulk.spec;
  const policy = client.connector.retry;
  const chunkSize = spec.download.chunk_records ?? 2000;
  const where = `stream "${stream.name}"`;
  const cost = { requests: 0, retries: 0 };
  const count = (res: { requests: number; retries: number }): void => {
    cost.requests += res.requests;
    cost.retries += res.retries;
  };
  const page = (records: unknown[], checkpoint: BulkCheckpoint | null): ReadPage => {
    const out: ReadPage = { records, checkpoint: checkpoint as unknown as Record<string, unknown> | null, requests: cost.requests, retries: cost.retries };
    cost.requests = cost.retries = 0;
    return out;
  };
  const checkpoint = (job: string, locator: string | null, skip: number): BulkCheckpoint => ({ v: 1, kind: 'bulk', stream: stream.name, mode: options.mode, job, locator, skip });

  let job: { id: string; info: Record<string, unknown> } | undefined = saved === undefined ? undefined : { id: saved.job, info: { id: saved.job } };
  let resumed = saved !== undefined;
  let locator = saved?.locator ?? null;
  let skip = saved?.skip ?? 0;
  const jobCtx = (): TemplateContext => ({ ...base, job: { ...job!.info, id: job!.id } });

  /** Polls until the job is done; GONE when it no longer exists (or, resumed, has failed). */
  const waitDone = async (fresh: boolean): Promise<true | typeof GONE> => {
    const started = Date.now();
    let wait = spec.poll.interval_ms ?? 1000;
    const maxWait = spec.poll.max_interval_ms ?? 30_000;
    const timeoutMs = (spec.poll.timeout_seconds ?? 3600) * 1000;
    let lastState: unknown;
    for (let polls = 0; ; polls++) {
      if (fresh || polls > 0) {
        if (Date.now() - started + wait > timeoutMs) {
          throw new SwitchboardError('SB_BULK_JOB_TIMEOUT', `${where}: bulk job ${job!.id} was not done after ${Math.round((Date.now() - started) / 1000)} s (poll.timeout_seconds ${timeoutMs / 1000}); its last state was ${JSON.stringify(lastState)}`, { details: { stream: stream.name, job: job!.id, state: lastState } });
        }
        try {
          await delay(wait, undefined, { signal });
        } catch {
          throw signal?.reason ?? new SwitchboardError('SB_RUN_CANCELED', 'the read was stopped');
        }
        wait = Math.min(wait * 2, maxWait);
      }
      let res;
      try {
        res = await client.send(bulk.poll, jobCtx(), undefined, signal);
      } catch (err) {
        if (goneStatus(bulk, err)) return GONE;
        throw err;
      }
      count(res);
      if (res.body !== null && typeof res.body === 'object') job!.info = res.body as Record<string, unknown>;
      lastState = getPath(res.body, bulk.state);
      const state = typeof lastState === 'string' ? lastState : String(lastState);
      if (bulk.done.has(state)) return true;
      if (bulk.failed.has(state)) {
        // A job this run resumed with and that failed meanwhile is created again.
        if (resumed && polls === 0) return GONE;
        const message = bulk.error === undefined ? undefined : getPath(res.body, bulk.error);
        throw new SwitchboardError('SB_BULK_JOB_FAILED', `${where}: bulk job ${job!.id} ended in state ${state}${typeof message === 'string' && message !== '' ? `: ${message}` : ''}`, { details: { stream: stream.name, job: job!.id, state, ...(typeof message === 'string' ? { error: message } : {}) } });
      }
    }
  };

  /**
   * Frees the job once every page handed out is committed (`restartCursor` resolves then), so a
   * run killed before its last commit still finds the job; best effort, as the job expires anyway.
   */
  async function* finish(): AsyncGenerator<ReadPage, void, undefined> {
    await options.restartCursor?.();
    if (bulk.delete !== undefined) await client.send(bulk.delete, jobCtx(), undefined, signal).then(count, () => undefined);
    yield page([], null);
  }

  if (saved?.complete === true) {
    yield* finish();
    return;
  }

  for (;;) {
    if (job === undefined) {
      const res = await client.send(bulk.create, base, undefined, signal);
      count(res);
      const id = idText(getPath(res.body, bulk.id));
      if (id === undefined) throw new SwitchboardError('SB_HTTP_INVALID_RESPONSE', `${where}: the bulk job's creation answered no id at "${spec.create.id ?? 'id'}"`, { details: { stream: stream.name } });
      job = { id, info: res.body !== null && typeof res.body === 'object' ? (res.body as Record<string, unknown>) : {} };
      locator = null;
      skip = 0;
      resumed = false;
      // Saved before any wait: a run killed while the job runs resumes with it.
      yield page([], checkpoint(id, null, 0));
      if ((await waitDone(true)) === GONE) job = undefined;
    } else if ((await waitDone(false)) === GONE) {
      job = undefined;
    }
    if (job === undefined) continue;
    resumed = false;

    // The results, page by page.
    let outcome: 'done' | typeof GONE = 'done';
    pages: for (;;) {
      let failures = 0;
      for (;;) {
        const params = locator === null || spec.download.locator === undefined ? undefined : { query: { [spec.download.locator.param]: locator } };
        let res;
        try {
          res = await client.send(bulk.download, jobCtx(), params, signal, undefined, 'stream');
        } catch (err) {
          if (goneStatus(bulk, err)) {
            outcome = GONE;
            break pages;
          }
          throw err;
        }
        count(res);
        const body = res.stream!;
        const loc = spec.download.locator;
        const nextRaw = loc === undefined ? undefined : headerValue(res.headers, loc.header);
        const next = nextRaw === undefined || nextRaw === '' || nextRaw === (loc?.end ?? 'null') ? null : nextRaw;
        const parser = recordParser(spec.download.format);
        let seen = 0;
        let chunk: unknown[] = [];
        const take = (records: unknown[]): void => {
          for (const r of records) {
            seen += 1;
            if (seen > skip) chunk.push(r);
          }
        };
        const it = (body.body as AsyncIterable<unknown>)[Symbol.asyncIterator]();
        try {
          for (;;) {
            const step = await nextChunk(it, client.connector.timeoutMs, signal);
            if (step.done === true) break;
            take(parser.push(typeof step.value === 'string' ? Buffer.from(step.value) : (step.value as Buffer)));
            while (chunk.length >= chunkSize) {
              const out = chunk.slice(0, chunkSize);
              chunk = chunk.slice(chunkSize);
              skip = seen - chunk.length;
              yield page(out, checkpoint(job.id, locator, skip));
            }
          }
          take(parser.end());
        } catch (err) {
          body.destroy();
          // A body cut short (a reset, a stall): read the page again, past what was handed out.
          const transient = err instanceof TransportError || (err instanceof Error && !isSwitchboardError(err) && signal?.aborted !== true);
          if (!transient) throw err;
          failures += 1;
          if (failures >= policy.maxAttempts) throw new SwitchboardError('SB_HTTP_RETRIES_EXHAUSTED', `${where}: the results of bulk job ${job.id} broke off ${failures} times: ${(err as Error).message}`, { details: { stream: stream.name, job: job.id } });
          cost.retries += 1;
          await delay(backoffDelay(policy, failures), undefined, { signal });
          continue;
        }
        if (next === null) {
          if (bulk.delete === undefined) {
            yield page(chunk, null);
            return;
          }
          yield page(chunk, { ...checkpoint(job.id, locator, seen), complete: true });
          yield* finish();
          return;
        }
        locator = next;
        skip = 0;
        if (chunk.length > 0) yield page(chunk, checkpoint(job.id, locator, 0));
        break;
      }
    }
    if (outcome === GONE) job = undefined;
  }
}
