// Date parsing and formatting for the `date`, `iso`, `unix` and `unix_ms` helpers. Always UTC:
// third-party timestamps without a zone (Pipedrive's `2023-02-08 05:30:20`) are read as UTC.

/** Numbers below this are epoch seconds, above it epoch milliseconds (1e11 s is year 5138). */
const SECONDS_LIMIT = 1e11;

const TOKEN_RE = /YYYY|SSS|MM|DD|HH|mm|ss|X|x/g;

/**
 * Reads a date from a Date, an epoch number (seconds or milliseconds), a digit string, or
 * text; with `format` (tokens YYYY MM DD HH mm ss SSS X x), text is read by that format.
 * Returns undefined for a missing value and throws a plain Error when it cannot be read.
 */
export function parseDate(value: unknown, format?: string): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error('invalid date');
    return value;
  }
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') throw new Error(`cannot read a date from ${describe(value)}`);
  const text = value.trim();
  if (format !== undefined) return parseWithFormat(text, format);
  if (/^-?\d+(\.\d+)?$/.test(text)) return fromEpoch(Number(text));
  // ISO-like text without a zone would be read as local time by Date.parse: make it UTC.
  let normalized = text.replace(/^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})/, '$1T$2');
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(normalized)) normalized += 'Z';
  const ms = Date.parse(normalized);
  if (Number.isNaN(ms)) throw new Error(`cannot read a date from "${text}"`);
  return new Date(ms);
}

function fromEpoch(n: number): Date {
  if (!Number.isFinite(n)) throw new Error(`cannot read a date from ${n}`);
  return new Date(Math.abs(n) < SECONDS_LIMIT ? n * 1000 : n);
}

function parseWithFormat(text: string, format: string): Date {
  const fields: string[] = [];
  let pattern = '';
  let last = 0;
  for (const m of format.matchAll(TOKEN_RE)) {
    pattern += escapeRegExp(format.slice(last, m.index)) + (m[0] === 'X' || m[0] === 'x' ? '(-?\\d+)' : `(\\d{${m[0].length}})`);
    fields.push(m[0]);
    last = m.index + m[0].length;
  }
  pattern += escapeRegExp(format.slice(last));
  const match = new RegExp(`^${pattern}$`).exec(text);
  if (match === null) throw new Error(`"${text}" does not match the date format "${format}"`);
  const parts = { YYYY: 1970, MM: 1, DD: 1, HH: 0, mm: 0, ss: 0, SSS: 0 };
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const n = Number(match[i + 1]);
    if (field === 'X') return new Date(n * 1000);
    if (field === 'x') return new Date(n);
    parts[field as keyof typeof parts] = n;
  }
  const date = new Date(Date.UTC(parts.YYYY, parts.MM - 1, parts.DD, parts.HH, parts.mm, parts.ss, parts.SSS));
  if (date.getUTCMonth() !== parts.MM - 1 || date.getUTCDate() !== parts.DD) throw new Error(`"${text}" is not a valid date`);
  return date;
}

/** Formats in UTC with the tokens YYYY MM DD HH mm ss SSS X (epoch seconds) x (epoch ms). */
export function formatDate(date: Date, format: string): string {
  return format.replace(TOKEN_RE, (token) => {
    switch (token) {
      case 'YYYY':
        return String(date.getUTCFullYear()).padStart(4, '0');
      case 'MM':
        return pad(date.getUTCMonth() + 1);
      case 'DD':
        return pad(date.getUTCDate());
      case 'HH':
        return pad(date.getUTCHours());
      case 'mm':
        return pad(date.getUTCMinutes());
      case 'ss':
        return pad(date.getUTCSeconds());
      case 'SSS':
        return String(date.getUTCMilliseconds()).padStart(3, '0');
      case 'X':
        return String(Math.floor(date.getTime() / 1000));
      default:
        return String(date.getTime());
    }
  });
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  return `${typeof value} ${String(value)}`;
}
