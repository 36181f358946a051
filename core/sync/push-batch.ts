// A batch answer read back per record: results and per-record errors (HTTP 207 Multi-Status, or
// an `errors` array in a 200/201), each paired with the record it speaks of by the key the API
// echoes (`trace`, e.g. HubSpot's `objectWriteTraceId`), by a value of the record (`match`) or by
// position. A record with an error is rejected with the API's reason; a record the answer does
// not mention is rejected too, never sent again, since the API may have written it.
import { isDeepStrictEqual } from 'node:util';
import { SwitchboardError } from '../errors';
import { getPath, setPath, type Path } from '../util/path';
import type { CompiledAction, Delivery } from './push-plan';
import type { ItemResult } from './push-send';

type Batch = NonNullable<CompiledAction['batch']>;

/** The key written into a record's element and echoed by the API: the CRM id (stable across resends of a saved request). */
export function traceKey(item: Delivery): string {
  return item.crmId;
}

/** A rendered element with the record's trace key in place (copied, so no shared constant is touched). */
export function withTrace(batch: Batch, element: unknown, item: Delivery): unknown {
  if (batch.trace === undefined || element === null || typeof element !== 'object' || Array.isArray(element)) return element;
  const copy = batch.trace.item.length > 1 ? structuredClone(element) : { ...(element as Record<string, unknown>) };
  setPath(copy as Record<string, unknown>, batch.trace.item, traceKey(item));
  return copy;
}

/** An id as text: a non-empty string or a finite number; null otherwise. */
export function idOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

function keyText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return (typeof value === 'string' ? value : JSON.stringify(value)).toLowerCase();
}

/** The keys a value stands for: itself, or each element of a list (HubSpot's `context` values are lists). */
function keysOf(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.map(keyText).filter((k): k is string => k !== undefined);
}

function listAt(body: unknown, path: Path | undefined): unknown[] {
  const value = path === undefined ? undefined : getPath(body, path);
  return Array.isArray(value) ? value : [];
}

function byKey(elements: readonly unknown[], path: Path): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const e of elements) for (const k of keysOf(getPath(e, path))) if (!out.has(k)) out.set(k, e);
  return out;
}

function reasonOf(batch: Batch, element: unknown): string {
  const reason = getPath(element, batch.reason);
  if (typeof reason === 'string' && reason !== '') return reason;
  if (reason !== undefined && reason !== null) return JSON.stringify(reason);
  return `the API refused this record: ${JSON.stringify(element)}`;
}

const MISSING: ItemResult = { ok: false, code: 'SB_HTTP_INVALID_RESPONSE', reason: "the API's answer has neither a result nor an error for this record" };

/** Pairs a batch answer's results and errors with the records sent; one result per record, in their order. */
export function batchResults(action: CompiledAction, items: readonly Delivery[], body: unknown): ItemResult[] {
  const batch = action.batch!;
  if (batch.results === undefined && batch.errors === undefined) return items.map(() => ({ ok: true, externalId: null }));
  const results = listAt(body, batch.results);
  const errors = listAt(body, batch.errors);
  const fromResult = (r: unknown): ItemResult => {
    if (batch.failed !== undefined && isDeepStrictEqual(getPath(r, batch.failed.path), batch.failed.equals)) return { ok: false, code: 'SB_HTTP_ITEM_REJECTED', reason: reasonOf(batch, r) };
    return { ok: true, externalId: action.externalId === undefined ? null : idOf(getPath(r, action.externalId)) };
  };
  const fromError = (e: unknown): ItemResult => ({ ok: false, code: 'SB_HTTP_ITEM_REJECTED', reason: reasonOf(batch, e) });
  // By a key: the trace key Switchboard wrote, or a value of the record.
  const keyed = batch.trace !== undefined ? { result: batch.trace.result, error: batch.trace.error, of: (i: Delivery) => keyText(traceKey(i)) } : batch.match === undefined ? undefined : { result: batch.match.result, error: batch.match.error, of: (i: Delivery) => keyText(getPath(i.payload, batch.match!.record)) };
  if (keyed !== undefined) {
    const resultBy = byKey(results, keyed.result);
    const errorBy = keyed.error === undefined ? new Map<string, unknown>() : byKey(errors, keyed.error);
    return items.map((item): ItemResult => {
      const k = keyed.of(item);
      const error = k === undefined ? undefined : errorBy.get(k);
      if (error !== undefined) return fromError(error);
      const result = k === undefined ? undefined : resultBy.get(k);
      return result === undefined ? MISSING : fromResult(result);
    });
  }
  if (results.length !== items.length) {
    // Paired by position, a short answer cannot say whose result is missing: the caller
    // splits the batch until each record is alone with its answer.
    throw new SwitchboardError('SB_HTTP_INVALID_RESPONSE', `the answer holds ${results.length} results for ${items.length} records`, { details: { results: results.length, records: items.length } });
  }
  return results.map(fromResult);
}
