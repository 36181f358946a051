// Checking and normalizing values for the store, and reading them back the same on both
// databases: timestamps as ISO-8601 UTC strings with milliseconds (so they also sort as text
// on SQLite), dates as YYYY-MM-DD, JSON as objects.
import { SwitchboardError } from '../errors';
import type { FieldSpec } from './entities';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NO_ZONE_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** The current time as stored: ISO-8601 UTC with milliseconds. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** A stored timestamp (Date from PostgreSQL, string from SQLite) as ISO-8601 UTC. */
export function toIso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  const text = String(value);
  const d = new Date(text.includes('T') || text.includes('Z') ? text : text.replace(' ', 'T'));
  return Number.isNaN(d.getTime()) ? text : d.toISOString();
}

/** A stored JSON column (object from PostgreSQL, text from SQLite) as a value. */
export function fromJson<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'string') return JSON.parse(value) as T;
  return value as T;
}

/** A JSON value ready to bind: text for both drivers, which both accept for json/jsonb. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

function invalid(entity: string, field: string, message: string, value: unknown): SwitchboardError {
  const shown = typeof value === 'string' && value.length > 80 ? `${value.slice(0, 80)}...` : value;
  return new SwitchboardError('SB_DB_INVALID_VALUE', `${entity}.${field}: ${message} (got ${JSON.stringify(shown) ?? String(shown)})`, {
    details: { entity, field },
  });
}

/** Checks one field's value and returns it as stored; `null` clears the field. */
export function normalizeField(entity: string, field: string, spec: FieldSpec, value: unknown): unknown {
  if (value === null) return null;
  switch (spec.type) {
    case 'string':
    case 'text':
      if (typeof value !== 'string') throw invalid(entity, field, 'expected a string', value);
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        throw invalid(entity, field, `longer than ${spec.maxLength} characters`, value);
      }
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(entity, field, 'expected a finite number', value);
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        throw invalid(entity, field, `expected a number from ${spec.min} to ${spec.max}`, value);
      }
      return value;
    case 'date': {
      const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
      const m = typeof text === 'string' ? DATE_RE.exec(text) : null;
      if (m === null) throw invalid(entity, field, 'expected a date as YYYY-MM-DD', value);
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      if (d.toISOString().slice(0, 10) !== text) throw invalid(entity, field, 'not a calendar date', value);
      return text;
    }
    case 'datetime': {
      if (typeof value !== 'string' && !(value instanceof Date)) throw invalid(entity, field, 'expected an ISO-8601 date-time', value);
      // A date-time without a zone is UTC (APIs such as Pipedrive send `YYYY-MM-DD HH:MM:SS`
      // in UTC); never let the process's local zone decide.
      const text = typeof value === 'string' && NO_ZONE_RE.test(value) ? `${value.replace(' ', 'T')}Z` : value;
      const d = text instanceof Date ? text : new Date(text);
      // Date.parse accepts more than ISO-8601; require at least a date with a time part.
      if (Number.isNaN(d.getTime()) || (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value))) {
        throw invalid(entity, field, 'expected an ISO-8601 date-time', value);
      }
      return d.toISOString();
    }
    case 'enum':
      if (typeof value !== 'string' || !(spec.values ?? []).includes(value)) {
        throw invalid(entity, field, `expected one of ${(spec.values ?? []).join(', ')}`, value);
      }
      return value;
    case 'ref':
      if (typeof value !== 'string' || value.length === 0 || value.length > 36) throw invalid(entity, field, 'expected a record id', value);
      return value;
  }
}

/** Checks a `custom` object: a plain JSON object of limited size. */
export function normalizeCustom(entity: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(entity, 'custom', 'expected an object', value);
  }
  const text = JSON.stringify(value);
  if (text.length > 256 * 1024) throw invalid(entity, 'custom', 'larger than 256 KiB', '...');
  return value as Record<string, unknown>;
}

/** Reads one stored field back into its API form. */
export function readField(spec: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (spec.type) {
    case 'number':
      return typeof value === 'number' ? value : Number(value);
    case 'datetime':
      return toIso(value);
    case 'date':
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
    default:
      return value;
  }
}
