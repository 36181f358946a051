// Incremental `param` values: a `state.cursor` read as a time (ISO-8601, Pipedrive's
// `YYYY-MM-DD HH:MM:SS` UTC, unix seconds or milliseconds) and written in the `format` the API
// wants. Ordering cursors and lookback belong to the sync state (core/sync/cursor.ts).
import type { Incremental } from '../generated/connector';
import { SwitchboardError } from '../errors';

/** Unix seconds below this, milliseconds above (1e11 s is in the year 5138). */
const MS_THRESHOLD = 1e11;
const SQL = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** A cursor value as epoch milliseconds, or undefined when it is not a time. Times without a zone are UTC. */
function epochMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? (value >= MS_THRESHOLD ? value : value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return epochMs(Number(text));
  const sql = SQL.exec(text);
  const iso = sql !== null ? `${sql[1]}T${sql[2]}Z` : HAS_ZONE.test(text) || !text.includes('T') ? text : `${text}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The cursor written as an incremental `param` in `format` (default `iso8601`); SB_CONFIG_INVALID if it is not a time. */
export function formatCursor(cursor: unknown, format: Incremental['format']): string | number {
  const ms = epochMs(cursor);
  if (ms === undefined) {
    throw new SwitchboardError('SB_CONFIG_INVALID', `the incremental cursor ${JSON.stringify(cursor)} is not a time, so it cannot be written as ${format ?? 'iso8601'}`);
  }
  switch (format) {
    case 'unix':
      return Math.floor(ms / 1000);
    case 'unix_ms':
      return ms;
    case 'date':
      return new Date(ms).toISOString().slice(0, 10);
    default:
      return new Date(ms).toISOString();
  }
}
