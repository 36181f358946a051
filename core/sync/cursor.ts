// Incremental cursor values: ordering them (ISO-8601 date-times in any offset, epoch numbers,
// or plain text) and stepping back by `lookback_seconds`.
import { epochMs } from '../util/time';

/**
 * A cursor value as epoch milliseconds when it is a date-time or an epoch number. Other text
 * (opaque tokens) is ordered as text, so only strings that start with a date are read as times.
 */
function asTime(value: string | number): number | undefined {
  if (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(value) && !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return epochMs(value);
}

/** Negative, zero or positive as a sorts before, with or after b. */
export function compareCursor(a: string | number, b: string | number): number {
  return compareRead(a, asTime(a), b, asTime(b));
}

/** compareCursor for values already read as times. */
function compareRead(a: string | number, ta: number | undefined, b: string | number, tb: number | undefined): number {
  if (ta !== undefined && tb !== undefined) return ta - tb;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** The greatest of a stream of cursor values, each read as a time once (records of a page). */
export class CursorMax {
  #value: string | number | undefined;
  #time: number | undefined;

  constructor(initial: string | number | undefined) {
    this.#value = initial;
    this.#time = initial === undefined ? undefined : asTime(initial);
  }

  get value(): string | number | undefined {
    return this.#value;
  }

  offer(candidate: string | number | undefined): void {
    if (candidate === undefined) return;
    const time = asTime(candidate);
    if (this.#value === undefined || compareRead(candidate, time, this.#value, this.#time) > 0) {
      this.#value = candidate;
      this.#time = time;
    }
  }
}

/** A usable cursor value from a record's field, or undefined. */
export function cursorValue(value: unknown): string | number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value !== '') return value;
  return undefined;
}

/** The greater of two cursor values (either may be undefined). */
export function maxCursor(a: string | number | undefined, b: string | number | undefined): string | number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareCursor(b, a) > 0 ? b : a;
}

/**
 * The cursor the next run starts from: `lookback_seconds` earlier, in the value's own form, so
 * records committed late at the source (or sharing the last value) are read again; rereading
 * them is cheap, because unchanged records are not rewritten.
 */
export function applyLookback(cursor: string | number, seconds: number | undefined): string | number {
  if (seconds === undefined || seconds <= 0) return cursor;
  if (typeof cursor === 'number') return cursor > 1e11 ? cursor - seconds * 1000 : cursor - seconds;
  const t = asTime(cursor);
  if (t === undefined) return cursor;
  if (/^\d+$/.test(cursor)) return String(Number(cursor) - (Number(cursor) > 1e11 ? seconds * 1000 : seconds));
  return new Date(t - seconds * 1000).toISOString();
}
