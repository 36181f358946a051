// Follow-up requests of a page (`enrich`): after the page is read and before anyone maps it,
// one request per chunk of its records (ids in a query or a JSON body) or one per record, each
// result set into its record. Requests go through the connector's client (retries, rate limit,
// credentials); a failure fails the page, so records are never written without their results.
import { SwitchboardError, isSwitchboardError } from '../errors';
import type { TemplateContext } from '../templates';
import { getPath, setPath } from '../util/path';
import { batchBody } from './batch-body';
import type { ConnectorClient } from './client';
import type { CompiledEnrich } from './enrich-compile';
import type { CompiledStream } from './compiled';

/** The parent records a child stream's page belongs to (templates' `parent` and `parents`). */
export interface ParentScope {
  parent?: unknown;
  parents?: Readonly<Record<string, unknown>>;
}

export interface EnrichCost {
  requests: number;
  retries: number;
}

/** Runs `tasks` with at most `limit` at once; the first failure rejects (the others are abandoned). */
export async function runLimited(tasks: ReadonlyArray<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < tasks.length) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
}

function keyText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** Applies every follow-up of the stream to a page's records, in order (a later one may read what an earlier one added). */
export async function enrichPage(client: ConnectorClient, stream: CompiledStream, records: unknown[], scope: ParentScope, now: string, signal: AbortSignal): Promise<EnrichCost> {
  const cost: EnrichCost = { requests: 0, retries: 0 };
  if (records.length === 0) return cost;
  for (const [i, step] of stream.enrich.entries()) {
    const where = `stream "${stream.name}", enrich ${i}`;
    const base: TemplateContext = { config: client.config, now, parent: scope.parent, parents: scope.parents };
    const send = async (ctx: TemplateContext, body: Record<string, unknown> | undefined): Promise<unknown> => {
      const request = body === undefined ? step.request : { ...step.request, body: () => body };
      const res = await client.send(request, ctx, undefined, signal);
      cost.requests += res.requests;
      cost.retries += res.retries;
      return res.body;
    };
    if (step.per === 'record') {
      await runLimited(
        records.map((record) => async () => {
          const ctx = { ...base, record };
          let body: unknown;
          try {
            body = await send(ctx, undefined);
          } catch (err) {
            const status = isSwitchboardError(err) ? err.details?.['status'] : undefined;
            if (typeof status === 'number' && step.skipStatus.has(status)) return;
            throw err;
          }
          const result = getPath(body, step.results);
          if (result !== undefined && record !== null && typeof record === 'object') setPath(record as Record<string, unknown>, step.into, result);
        }),
        step.concurrency,
      );
      continue;
    }
    const size = step.size ?? records.length;
    const chunks: unknown[][] = [];
    for (let at = 0; at < records.length; at += size) chunks.push(records.slice(at, at + size));
    await runLimited(
      chunks.map((chunk) => async () => {
        const ctx = { ...base, records: chunk };
        const body = await send(ctx, step.items === undefined ? undefined : batchBody(step.request, step.items, ctx, chunk));
        merge(step, chunk, getPath(body, step.results), where);
      }),
      step.concurrency,
    );
  }
  return cost;
}

/** Sets each result at `into` of the record whose key it names. */
function merge(step: CompiledEnrich, records: readonly unknown[], results: unknown, where: string): void {
  if (!Array.isArray(results)) {
    throw new SwitchboardError('SB_HTTP_INVALID_RESPONSE', `${where}: no array of results in the follow-up's response (found ${results === undefined ? 'nothing' : typeof results})`, { details: { enrich: where } });
  }
  const byKey = new Map<string, unknown>();
  for (const result of results) {
    const key = keyText(getPath(result, step.key!));
    if (key !== undefined && !byKey.has(key)) byKey.set(key, result);
  }
  for (const record of records) {
    const key = keyText(getPath(record, step.recordKey));
    const result = key === undefined ? undefined : byKey.get(key);
    if (result !== undefined && record !== null && typeof record === 'object') setPath(record as Record<string, unknown>, step.into, result);
  }
}
