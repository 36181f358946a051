// Cursor and timestamp values read as times: ISO-8601 (a time without a zone is UTC),
// `YYYY-MM-DD HH:MM:SS` (Pipedrive), dates, and unix seconds or milliseconds. One reading for
// the incremental params the reader writes and for the cursors the sync engine orders.

/** Unix seconds below this, milliseconds above (1e11 s is in the year 5138). */
const MS_THRESHOLD = 1e11;
const SQL = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** A cursor value as epoch milliseconds, or undefined when it is not a time. Times without a zone are UTC. */
export function epochMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? (value >= MS_THRESHOLD ? value : value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return epochMs(Number(text));
  const sql = SQL.exec(text);
  const iso = sql !== null ? `${sql[1]}T${sql[2]}Z` : HAS_ZONE.test(text) || !text.includes('T') ? text : `${text}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A time as ISO-8601 in an IANA time zone, with its offset there: `2026-12-02T02:00:00+01:00`. */
export function isoInZone(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const offset = (parts['timeZoneName'] ?? 'GMT').replace(/^GMT/, '') || '+00:00';
  return `${parts['year']}-${parts['month']}-${parts['day']}T${parts['hour']}:${parts['minute']}:${parts['second']}${offset}`;
}
