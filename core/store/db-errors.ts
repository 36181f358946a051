// Turns driver errors (sqlite3, pg) into SwitchboardErrors with stable codes.
import { SwitchboardError, errorMessage, isSwitchboardError } from '../errors';

interface DriverError {
  code?: string;
  errno?: number;
  constraint?: string;
  detail?: string;
  table?: string;
}

const PG_INVALID_VALUE = new Set(['22P02', '22003', '22007', '22008', '22001', '22023', '23502', '23514']);
/** SQLite's SQLITE_FULL (also when `max_page_count` is reached) and PostgreSQL's disk_full (53100). */
const DISK_FULL_CODES = new Set(['SQLITE_FULL', '53100']);
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '3D000', 'SQLITE_BUSY', 'SQLITE_CANTOPEN']);
// What node-postgres and knex say, without a code, when the server goes away mid-query or the
// pool cannot hand out a connection.
const CONNECTION_MESSAGES = /Knex: Timeout acquiring a connection|Connection terminated|connection (?:is )?closed|Client has encountered a connection error|terminating connection|the database system is (?:starting up|shutting down|in recovery)|ECONNREFUSED|ECONNRESET|EPIPE/i;

/** Whether a driver error (or one of ours wrapping it) means the database could not be reached, not that the query was wrong. */
export function isConnectionFailure(err: unknown): boolean {
  if (isSwitchboardError(err)) return err.code === 'SB_DB_UNAVAILABLE' || (err.code === 'SB_DB_QUERY_FAILED' && err.cause !== undefined && isConnectionFailure(err.cause));
  const e = (err ?? {}) as DriverError;
  return CONNECTION_CODES.has(e.code ?? '') || CONNECTION_MESSAGES.test(errorMessage(err));
}

/** The SwitchboardError for a failed query; `what` says what was being done. */
export function translateDbError(err: unknown, what: string): SwitchboardError {
  if (isSwitchboardError(err)) return err;
  const e = (err ?? {}) as DriverError;
  const message = errorMessage(err);
  const code = e.code ?? '';
  if (DISK_FULL_CODES.has(code) || /SQLITE_FULL: database or disk is full|could not extend file .*No space left on device/.test(message)) {
    // Not the driver's message: knex puts the whole statement (every row of a batch) in it.
    return new SwitchboardError('SB_DB_DISK_FULL', `${what}: the database's disk is full (${code || 'no space left'}); nothing of it was written. Free disk space, then try again`, { cause: err });
  }
  if (code === '23503' || /FOREIGN KEY constraint failed/.test(message)) {
    return new SwitchboardError('SB_DB_FOREIGN_KEY', `${what}: a referenced record does not exist${e.detail ? ` (${e.detail})` : ''}`, { cause: err });
  }
  if (code === '23505' || /UNIQUE constraint failed/.test(message)) {
    const key = e.constraint ?? /UNIQUE constraint failed: (.*)$/.exec(message)?.[1];
    return new SwitchboardError('SB_DB_UNIQUE', `${what}: a record with the same key already exists${key ? ` (${key})` : ''}`, { cause: err });
  }
  if (PG_INVALID_VALUE.has(code) || /NOT NULL constraint failed|CHECK constraint failed/.test(message)) {
    return new SwitchboardError('SB_DB_INVALID_VALUE', `${what}: ${message}`, { cause: err });
  }
  if (isConnectionFailure(err)) {
    return new SwitchboardError('SB_DB_UNAVAILABLE', `${what}: the database is unavailable (${message})`, { cause: err });
  }
  return new SwitchboardError('SB_DB_QUERY_FAILED', `${what}: ${message}`, { cause: err });
}

/**
 * Whether a thrown value comes from the database driver (sqlite3 `SQLITE_*` codes, PostgreSQL
 * five-character SQLSTATEs, knex's pool timeout): such errors reach callers of knex that did
 * not `guard` their query (a transaction's COMMIT, for one) and still deserve their code.
 */
export function isDriverError(err: unknown): boolean {
  if (err === null || typeof err !== 'object' || isSwitchboardError(err)) return false;
  const code = (err as DriverError).code;
  return (typeof code === 'string' && (/^SQLITE_/.test(code) || /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code))) || /Knex: Timeout acquiring a connection/.test(errorMessage(err));
}

/** Any thrown value as a SwitchboardError: ours as they are, driver errors translated, the rest SB_INTERNAL. */
export function asSwitchboardError(err: unknown, what: string): SwitchboardError {
  if (isSwitchboardError(err)) return err;
  if (isDriverError(err)) return translateDbError(err, what);
  return new SwitchboardError('SB_INTERNAL', errorMessage(err), { cause: err });
}

/** Runs a query and translates any failure. */
export async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translateDbError(err, what);
  }
}
