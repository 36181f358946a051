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

/** Runs a query and translates any failure. */
export async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translateDbError(err, what);
  }
}
