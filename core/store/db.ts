// Opens the CRM store: SQLite by default (a file under ./data/), PostgreSQL for a postgres:// URL.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { SwitchboardError } from '../errors';

export type Dialect = 'sqlite' | 'postgres';

/** A knex instance or a transaction: every table function takes one of these first. */
export type Db = Knex | Knex.Transaction;

export const DEFAULT_SQLITE_FILE = 'data/switchboard.db';

export interface DatabaseTarget {
  dialect: Dialect;
  /** SQLite: absolute file path (or `:memory:`). PostgreSQL: the connection URL without `schema`. */
  location: string;
  /** PostgreSQL only: the schema to work in (from `?schema=NAME`), else the server's default. */
  schema?: string;
}

/**
 * Resolves where the database is: `spec` (a `--db` option, else `DATABASE_URL`), else the
 * SQLite default. A `postgres://` or `postgresql://` URL means PostgreSQL (an optional
 * `schema` query parameter selects the schema); `sqlite:PATH`, `file:PATH` or a bare path
 * means a SQLite file, relative to `cwd`.
 */
export function resolveDatabaseTarget(spec: string | undefined, cwd = process.cwd()): DatabaseTarget {
  if (spec === undefined || spec === '') return { dialect: 'sqlite', location: resolve(cwd, DEFAULT_SQLITE_FILE) };
  if (/^postgres(ql)?:\/\//i.test(spec)) {
    let parsed: URL;
    try {
      parsed = new URL(spec);
    } catch {
      throw new SwitchboardError('SB_CONFIG_INVALID', `the database URL is not a valid URL: ${redactUrl(spec)}`);
    }
    const schema = parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
      throw new SwitchboardError('SB_CONFIG_INVALID', `the database schema "${schema}" is not a plain identifier`);
    }
    return { dialect: 'postgres', location: parsed.toString(), ...(schema === undefined ? {} : { schema }) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !/^file:/i.test(spec)) {
    throw new SwitchboardError('SB_CONFIG_INVALID', `unsupported database URL scheme in ${redactUrl(spec)}: use postgres://... or a SQLite file path`);
  }
  const file = spec.replace(/^(sqlite|file):(\/\/)?/i, '');
  return { dialect: 'sqlite', location: file === ':memory:' ? file : resolve(cwd, file) };
}

/** The URL with any password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1[REDACTED]@');
}

let pgTypesSet = false;

/** node-postgres parses some types in ways that lose information; set them once per process. */
function configurePgTypes(): void {
  if (pgTypesSet) return;
  pgTypesSet = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { types } = require('pg') as typeof import('pg');
  types.setTypeParser(20, (v: string) => Number(v)); // int8: counts and bigint ids fit in 2^53 here
  types.setTypeParser(1700, (v: string) => Number(v)); // numeric: amounts
  types.setTypeParser(1082, (v: string) => v); // date: keep YYYY-MM-DD, never shift by the local zone
}

// knex prints some driver errors itself (e.g. "Acquire connection error") before the query
// rejects with the same error; the caller reports it, so its output goes to stderr only when
// asked for (SWITCHBOARD_DEBUG).
function knexLog(debug: boolean): Record<'warn' | 'error' | 'deprecate' | 'debug', (message: unknown) => void> {
  const write = (message: unknown): void => {
    if (debug) process.stderr.write(`knex: ${String(message)}\n`);
  };
  return { warn: write, error: write, deprecate: write, debug: write };
}

export interface OpenOptions {
  /** Pool size for PostgreSQL (default 10). SQLite always uses one connection. */
  poolMax?: number;
  /** Print the driver's own diagnostics to stderr (default false). */
  debug?: boolean;
}

/** Opens a knex instance for the target. SQLite files (and their folder) are created on first use. */
export function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Knex {
  const log = knexLog(options.debug === true);
  if (target.dialect === 'postgres') {
    configurePgTypes();
    return knexFactory({
      client: 'pg',
      connection: target.location,
      ...(target.schema === undefined ? {} : { searchPath: [target.schema] }),
      pool: { min: 0, max: options.poolMax ?? 10 },
      acquireConnectionTimeout: 10_000,
      log,
    });
  }
  if (target.location !== ':memory:') mkdirSync(dirname(target.location), { recursive: true });
  return knexFactory({
    client: 'sqlite3',
    connection: { filename: target.location },
    useNullAsDefault: true,
    log,
    // One connection: SQLite has one writer at a time, and this keeps transactions simple.
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { exec(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
        conn.exec(
          // WAL: readers never block the writer. synchronous=NORMAL: durable against a crash of
          // the process (an OS crash may lose the last transactions, never corrupt the file).
          // A larger auto-checkpoint (10,000 pages, ~40 MB) spends fewer fsyncs on bulk syncs.
          'PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA wal_autocheckpoint = 10000; PRAGMA cache_size = -32768;',
          (err) => done(err, conn),
        );
      },
    },
  });
}

/** Whether the database answers (a trivial statement); throws its error otherwise. */
export async function ping(db: Db): Promise<void> {
  await db.raw('select 1');
}

export function dialectOf(db: Db): Dialect {
  const client = (db.client as { config: { client: unknown } }).config.client;
  return client === 'pg' || client === 'postgres' || client === 'postgresql' ? 'postgres' : 'sqlite';
}

/** Runs `fn` in a transaction unless `db` already is one. */
export async function inTransaction<T>(db: Db, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  if ((db as Knex.Transaction).isTransaction === true) return fn(db as Knex.Transaction);
  return (db as Knex).transaction(fn);
}

/**
 * Runs one SQL statement written for both databases (`?` placeholders, double-quoted
 * identifiers, RETURNING) and returns its rows. For the statements every run makes: the query
 * builder's compilation costs more than SQLite spends executing them.
 */
export async function queryRows<T>(db: Db, sql: string, bindings: readonly unknown[]): Promise<T[]> {
  const result = (await db.raw(sql, bindings as Knex.RawBinding[])) as unknown;
  return (dialectOf(db) === 'postgres' ? (result as { rows: T[] }).rows : result) as T[];
}

/** An SQL identifier, double-quoted (both databases). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"a" = ?, "b" = "b" + ?`: SET assignments (an `Increment` adds to the column) and their bindings. */
export function assignments(changes: Readonly<Record<string, unknown>>): { sql: string; bindings: unknown[] } {
  const parts: string[] = [];
  const bindings: unknown[] = [];
  for (const [column, value] of Object.entries(changes)) {
    const c = quoteIdent(column);
    if (value instanceof Increment) {
      parts.push(`${c} = ${c} + ?`);
      bindings.push(value.by);
    } else {
      parts.push(`${c} = ?`);
      bindings.push(value === undefined ? null : value);
    }
  }
  return { sql: parts.join(', '), bindings };
}

/** A column increment for `assignments`. */
export class Increment {
  constructor(readonly by: number) {}
}
