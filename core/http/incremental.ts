// Incremental cursors: reading a `cursor_field` value as a time (ISO-8601, Pipedrive's
// `YYYY-MM-DD HH:MM:SS` UTC, unix seconds or milliseconds), going back `lookback_seconds` in
// the value's own shape, writing it as a request `format`, and comparing cursor values.
import type { Incremental } from '../generated/connector';
import { SwitchboardError } from '../errors';

type Shape = 'unix' | 'unix_ms' | 'iso' | 'sql' | 'date';

/** Unix seconds below this, milliseconds above (1e11 s is in the year 5138). */
const MS_THRESHOLD = 1e11;

interface Parsed {
  ms: number;
  shape: Shape;
}

const SQL = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** A cursor value as a time, or undefined when it is not one. Times without a zone are UTC. */
function parse(value: unknown): Parsed | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return value >= MS_THRESHOLD ? { ms: value, shape: 'unix_ms' } : { ms: value * 1000, shape: 'unix' };
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return parse(Number(text));
  if (DATE_ONLY.test(text)) return { ms: Date.parse(`${text}T00:00:00Z`), shape: 'date' };
  const sql = SQL.exec(text);
  if (sql !== null) return { ms: Date.parse(`${sql[1]}T${sql[2]}Z`), shape: 'sql' };
  const ms = Date.parse(HAS_ZONE.test(text) || !text.includes('T') ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : { ms, shape: 'iso' };
}

function write(ms: number, shape: Shape): string | number {
  const iso = new Date(ms).toISOString();
  switch (shape) {
    case 'unix':
      return Math.floor(ms / 1000);
    case 'unix_ms':
      return ms;
    case 'date':
      return iso.slice(0, 10);
    case 'sql':
      return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
    case 'iso':
      return iso;
  }
}

/** The cursor moved back by `seconds`, in the same shape; values that are not times are returned as they are. */
export function applyLookback(cursor: unknown, seconds: number | undefined): unknown {
  if (seconds === undefined || seconds <= 0 || cursor === undefined || cursor === null) return cursor;
  const parsed = parse(cursor);
  return parsed === undefined ? cursor : write(parsed.ms - seconds * 1000, parsed.shape);
}

/** The cursor written as an incremental `param` in `format`; SB_CONFIG_INVALID if it is not a time. */
export function formatCursor(cursor: unknown, format: Incremental['format']): string | number {
  const parsed = parse(cursor);
  if (parsed === undefined) {
    throw new SwitchboardError('SB_CONFIG_INVALID', `the incremental cursor ${JSON.stringify(cursor)} is not a time, so it cannot be written as ${format ?? 'iso8601'}`);
  }
  return write(parsed.ms, format === 'unix' || format === 'unix_ms' || format === 'date' ? format : 'iso');
}

/**
 * Orders two cursor values: as times when both are, else as numbers, else as strings.
 * Negative when `a` comes first.
 */
export function compareCursors(a: unknown, b: unknown): number {
  const ta = parse(a);
  const tb = parse(b);
  if (ta !== undefined && tb !== undefined) return ta.ms - tb.ms;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** The greater of two cursor values (undefined and null lose). */
export function maxCursor(current: unknown, candidate: unknown): unknown {
  if (candidate === undefined || candidate === null || candidate === '') return current;
  if (current === undefined || current === null || current === '') return candidate;
  return compareCursors(candidate, current) > 0 ? candidate : current;
}
