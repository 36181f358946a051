// Incremental `param` values: a `state.cursor` read as a time (ISO-8601, Pipedrive's
// `YYYY-MM-DD HH:MM:SS` UTC, unix seconds or milliseconds) and written in the `format` the API
// wants. Ordering cursors and lookback belong to the sync state (core/sync/cursor.ts).
import type { Incremental } from '../generated/connector';
import { SwitchboardError } from '../errors';
import { epochMs } from '../util/time';

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
