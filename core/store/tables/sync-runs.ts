// sync_runs: one row per run, the truth about it: inserted `queued` before anything is
// enqueued, moved through explicit state transitions, with counts updated as pages commit.
import { SwitchboardError, isSwitchboardError } from '../../errors';
import { uuidv7 } from '../../util/id';
import { Increment, assignments, queryRows, quoteIdent, type Db } from '../db';
import { guard, translateDbError } from '../db-errors';
import { CONNECTIONS_TABLE } from './connections';
import { fromJson, nowIso, toIso, toJson } from '../values';

export const SYNC_RUNS_TABLE = 'sync_runs';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';
/** `both`: one run that pulls, then pushes (a mapping's pull and push never overlap). */
export type RunDirection = 'pull' | 'push' | 'both';
export type RunMode = 'full' | 'incremental';
export type RunTrigger = 'manual' | 'api' | 'cli' | 'schedule' | 'webhook';

export const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'running'];
export const FINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'canceled'];

/** Every allowed status change; anything else is SB_RUN_INVALID_TRANSITION. */
export const RUN_TRANSITIONS = [
  { from: 'queued', to: 'running' },
  { from: 'queued', to: 'canceled' },
  { from: 'queued', to: 'failed' },
  { from: 'running', to: 'succeeded' },
  { from: 'running', to: 'failed' },
  { from: 'running', to: 'canceled' },
  // A run whose worker died, or that failed transiently and will be retried, goes back to the queue.
  { from: 'running', to: 'queued' },
  // Still running: a heartbeat of its holder, or a takeover by the worker the queue handed the
  // run to when its holder was lost (only ever asked for explicitly, with the holder it replaces).
  { from: 'running', to: 'running' },
] as const satisfies readonly { from: RunStatus; to: RunStatus }[];

/**
 * What a run that succeeded wants its reader to know. Codes are stable:
 * - `sweep_skipped`: a full run read far fewer records than the last full run (see the mapping's
 *   `sweep_min_ratio`), so it did not apply its deletions.
 */
export const RUN_WARNING_CODES = ['sweep_skipped'] as const;
export type RunWarningCode = (typeof RUN_WARNING_CODES)[number];

export interface RunWarning {
  code: RunWarningCode;
  message: string;
  /** Facts behind it, e.g. the records read and expected. */
  details?: Record<string, unknown>;
}

export const COUNT_COLUMNS = ['records_read', 'records_created', 'records_updated', 'records_unchanged', 'records_deleted', 'records_rejected', 'records_skipped', 'parents_skipped', 'pages', 'requests', 'retries'] as const;
export type CountColumn = (typeof COUNT_COLUMNS)[number];
export type RunCounts = Record<CountColumn, number>;

export interface SyncRunRow extends RunCounts {
  id: string;
  connection_id: string;
  mapping_id: string;
  direction: string;
  mode: string;
  trigger: string;
  status: string;
  attempts: number;
  failures: number;
  cancel_requested: boolean | number;
  progress: unknown;
  error_code: string | null;
  error_message: string | null;
  warnings: unknown;
  worker: string | null;
  heartbeat_at: unknown;
  queued_at: unknown;
  started_at: unknown;
  finished_at: unknown;
  created_at: unknown;
  updated_at: unknown;
}

export interface SyncRun {
  id: string;
  connectionId: string;
  mappingId: string;
  direction: RunDirection;
  mode: RunMode;
  trigger: RunTrigger;
  status: RunStatus;
  /** Takes of the run so far (every start, retries and resumptions included). */
  attempts: number;
  /** Attempts that failed (errors, lost workers), counted against the retry policy. */
  failures: number;
  cancelRequested: boolean;
  counts: RunCounts;
  progress: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  /** Said by a run that succeeded (empty when nothing is to be said). */
  warnings: RunWarning[];
  worker: string | null;
  heartbeatAt: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Wall time of the run so far (or in all, when finished), in ms; null before it starts. */
  durationMs: number | null;
}

export function fromRow(row: SyncRunRow): SyncRun {
  const counts = {} as RunCounts;
  for (const c of COUNT_COLUMNS) counts[c] = Number(row[c]);
  const startedAt = toIso(row.started_at);
  const finishedAt = toIso(row.finished_at);
  return {
    id: row.id,
    connectionId: row.connection_id,
    mappingId: row.mapping_id,
    direction: row.direction as RunDirection,
    mode: row.mode as RunMode,
    trigger: row.trigger as RunTrigger,
    status: row.status as RunStatus,
    attempts: Number(row.attempts),
    failures: Number(row.failures ?? 0),
    cancelRequested: row.cancel_requested === true || row.cancel_requested === 1,
    counts,
    progress: fromJson(row.progress, null),
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    warnings: fromJson<RunWarning[] | null>(row.warnings, null) ?? [],
    worker: row.worker,
    heartbeatAt: toIso(row.heartbeat_at),
    queuedAt: toIso(row.queued_at) ?? '',
    startedAt,
    finishedAt,
    durationMs: startedAt === null ? null : Date.parse(finishedAt ?? new Date().toISOString()) - Date.parse(startedAt),
  };
}

export interface RequestRun {
  connectionId: string;
  mappingId: string;
  direction?: RunDirection;
  mode?: RunMode;
  trigger?: RunTrigger;
}

/**
 * Inserts a `queued` run, or returns the run already queued or running for the same
 * connection and mapping (the unique partial index decides, so this holds across processes).
 */
export async function requestRun(db: Db, input: RequestRun): Promise<{ run: SyncRun; created: boolean }> {
  const row = { ...newRunRow(input), connection_id: input.connectionId };
  const columns = Object.keys(row);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const [inserted] = await queryRows<SyncRunRow>(db, `INSERT INTO "${SYNC_RUNS_TABLE}" (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING *`, Object.values(row));
      return { run: fromRow(inserted!), created: true };
    } catch (err) {
      const e = translateDbError(err, 'requesting a run');
      if (e.code !== 'SB_DB_UNIQUE') throw e;
      const active = await findActive(db, input.connectionId, input.mappingId);
      // The active run may have finished between the insert and this read: try again.
      if (active !== undefined) return { run: active, created: false };
    }
  }
  throw new SwitchboardError('SB_CONFLICT', `could not queue a run for ${input.mappingId}: runs keep starting and finishing concurrently`);
}

/**
 * `requestRun` for an active connection given by id or name, which must be of `connectorId`,
 * in one statement: what asking for a run costs when it can simply be inserted. Undefined when
 * it cannot (no such active connection of that connector, or a run already active): the caller
 * looks the connection up and asks `requestRun`, which tells these cases apart.
 */
export async function tryRequestRunByName(db: Db, input: Omit<RequestRun, 'connectionId'> & { connection: string; connectorId: string }): Promise<SyncRun | undefined> {
  const row = newRunRow(input);
  const columns = Object.keys(row);
  // No such connection: the subquery is NULL and the NOT NULL column refuses the row.
  const connection = `(SELECT c."id" FROM "${CONNECTIONS_TABLE}" c WHERE (c."id" = ? OR c."name" = ?) AND c."connector_id" = ? AND c."status" = 'active' ORDER BY CASE WHEN c."id" = ? THEN 0 ELSE 1 END LIMIT 1)`;
  try {
    const [inserted] = await queryRows<SyncRunRow>(
      db,
      `INSERT INTO "${SYNC_RUNS_TABLE}" (${columns.map(quoteIdent).join(', ')}, "connection_id") VALUES (${columns.map(() => '?').join(', ')}, ${connection}) RETURNING *`,
      [...Object.values(row), input.connection, input.connection, input.connectorId, input.connection],
    );
    return inserted === undefined ? undefined : fromRow(inserted);
  } catch (err) {
    const e = translateDbError(err, 'requesting a run');
    if (e.code === 'SB_DB_UNIQUE' || e.code === 'SB_DB_INVALID_VALUE') return undefined;
    throw e;
  }
}

function newRunRow(input: Omit<RequestRun, 'connectionId'>): Record<string, string> {
  const now = nowIso();
  return {
    id: uuidv7(),
    mapping_id: input.mappingId,
    direction: input.direction ?? 'pull',
    mode: input.mode ?? 'incremental',
    trigger: input.trigger ?? 'manual',
    status: 'queued',
    queued_at: now,
    created_at: now,
    updated_at: now,
  };
}

export async function findActive(db: Db, connectionId: string, mappingId: string): Promise<SyncRun | undefined> {
  const row = await guard('reading runs', async () =>
    db<SyncRunRow>(SYNC_RUNS_TABLE).where({ connection_id: connectionId, mapping_id: mappingId }).whereIn('status', ACTIVE_STATUSES).first(),
  );
  return row === undefined ? undefined : fromRow(row as SyncRunRow);
}

export async function find(db: Db, id: string): Promise<SyncRun | undefined> {
  const row = await guard('reading a run', async () => db<SyncRunRow>(SYNC_RUNS_TABLE).where('id', id).first());
  return row === undefined ? undefined : fromRow(row as SyncRunRow);
}

export async function get(db: Db, id: string): Promise<SyncRun> {
  const run = await find(db, id);
  if (run === undefined) throw new SwitchboardError('SB_RUN_NOT_FOUND', `no run "${id}"`, { details: { run: id } });
  return run;
}

export interface RunFilter {
  connectionId?: string;
  mappingId?: string;
  status?: RunStatus | readonly RunStatus[];
  direction?: RunDirection;
  limit?: number;
  /** Runs created before this run id (ids are time-ordered): the next page. */
  before?: string;
  /** Runs queued (or put back in the queue) before this time (ISO-8601). */
  queuedBefore?: string;
}

/** Newest first. */
export async function list(db: Db, filter: RunFilter = {}): Promise<SyncRun[]> {
  const q = db<SyncRunRow>(SYNC_RUNS_TABLE).orderBy('id', 'desc').limit(Math.min(filter.limit ?? 50, 1000));
  if (filter.connectionId !== undefined) q.where('connection_id', filter.connectionId);
  if (filter.mappingId !== undefined) q.where('mapping_id', filter.mappingId);
  if (filter.direction !== undefined) q.where('direction', filter.direction);
  if (filter.status !== undefined) q.whereIn('status', typeof filter.status === 'string' ? [filter.status] : filter.status);
  if (filter.before !== undefined) q.where('id', '<', filter.before);
  if (filter.queuedBefore !== undefined) q.where('queued_at', '<', filter.queuedBefore);
  return (await guard('listing runs', async () => q)).map((r) => fromRow(r as SyncRunRow));
}

export interface TransitionPatch {
  error?: { code: string; message: string } | null;
  worker?: string | null;
  progress?: Record<string, unknown>;
  /** Added to the run's counts in the same statement (the counts of its last, empty page). */
  counts?: Partial<RunCounts>;
  /** Replaces the run's warnings (a run taken again starts with none). */
  warnings?: readonly RunWarning[];
  /** The attempt failed (an error, or its worker was lost): counts one of the run's `failures`. */
  failed?: boolean;
}

/**
 * Who holds a running run: its worker and its `attempts` when it was taken. Every take adds an
 * attempt, so the pair fences out a holder the run was taken from (a worker cut off from the
 * network comes back to find its writes refused, not mixed with its successor's).
 */
export interface RunHolder {
  worker: string | null;
  attempt: number;
}

export interface TransitionOptions {
  /** Only from these statuses (default: every allowed source but the run's own status). */
  from?: readonly RunStatus[];
  /** Only while this holder holds the run (compare-and-set on worker and attempts). */
  holder?: RunHolder;
}

/** The holder condition of a statement, and its bindings. */
function holderCondition(holder: RunHolder | undefined): { sql: string; bindings: unknown[] } {
  if (holder === undefined) return { sql: '', bindings: [] };
  if (holder.worker === null) return { sql: ' AND "worker" IS NULL AND "attempts" = ?', bindings: [holder.attempt] };
  return { sql: ' AND "worker" = ? AND "attempts" = ?', bindings: [holder.worker, holder.attempt] };
}

/**
 * One compare-and-set move along RUN_TRANSITIONS, in one statement with RETURNING (both
 * databases): the moved row, or undefined when the run is not in `from` (or not `holder`'s).
 */
async function move(db: Db, id: string, from: readonly RunStatus[], to: RunStatus, changes: Record<string, unknown>, holder?: RunHolder): Promise<SyncRunRow | undefined> {
  for (const f of from) {
    if (!RUN_TRANSITIONS.some((t) => t.from === f && t.to === to)) throw new SwitchboardError('SB_RUN_INVALID_TRANSITION', `a run cannot go from ${f} to ${to}`, { details: { run: id, status: f, to } });
  }
  const set = assignments({ ...changes, status: to });
  const held = holderCondition(holder);
  const [row] = await guard('updating a run', async () =>
    queryRows<SyncRunRow>(
      db,
      `UPDATE "${SYNC_RUNS_TABLE}" SET ${set.sql} WHERE "id" = ? AND "status" IN (${from.map(() => '?').join(', ')})${held.sql} RETURNING *`,
      [...set.bindings, id, ...from, ...held.bindings],
    ),
  );
  return row;
}

/**
 * Moves a run to `to` if its status is one of the allowed sources (compare-and-set, so two
 * workers can never both start the same run). Throws SB_RUN_INVALID_TRANSITION otherwise.
 */
export async function transition(db: Db, id: string, to: RunStatus, patch: TransitionPatch = {}, options: TransitionOptions = {}): Promise<SyncRun> {
  const from = options.from ?? RUN_TRANSITIONS.filter((t) => t.to === to && t.from !== to).map((t) => t.from as RunStatus);
  const now = nowIso();
  const changes: Record<string, unknown> = { updated_at: now };
  if (to === 'running') {
    changes['started_at'] = now;
    changes['heartbeat_at'] = now;
    changes['attempts'] = new Increment(1);
    changes['finished_at'] = null;
    changes['error_code'] = null;
    changes['error_message'] = null;
    changes['warnings'] = null;
  }
  if (to === 'queued') changes['queued_at'] = now;
  if ((FINAL_STATUSES as readonly string[]).includes(to)) changes['finished_at'] = now;
  if (patch.error !== undefined) {
    changes['error_code'] = patch.error?.code ?? null;
    changes['error_message'] = patch.error?.message ?? null;
  }
  if (patch.worker !== undefined) changes['worker'] = patch.worker;
  if (patch.progress !== undefined) changes['progress'] = toJson(patch.progress);
  if (patch.warnings !== undefined) changes['warnings'] = patch.warnings.length === 0 ? null : toJson(patch.warnings);
  if (patch.counts !== undefined) addIncrements(changes, patch.counts);
  if (patch.failed === true) changes['failures'] = new Increment(1);
  const row = await move(db, id, from, to, changes, options.holder);
  if (row === undefined) {
    const run = await get(db, id);
    const whose = options.holder !== undefined && from.includes(run.status) ? ` held by ${run.worker ?? 'nobody'} (attempt ${run.attempts})` : '';
    throw new SwitchboardError('SB_RUN_INVALID_TRANSITION', `run ${id} is ${run.status}${whose}; it cannot become ${to}`, {
      details: { run: id, status: run.status, to },
    });
  }
  return fromRow(row);
}

/**
 * A takeover: `worker` takes a run that is still `running` under a holder the queue says is gone
 * (its job stalled and was handed out again). One more attempt (which fences the old holder
 * out) and one more failure; only from the holder seen in `seen`, so two takeovers never both win.
 */
export async function takeOver(db: Db, id: string, worker: string, seen: RunHolder): Promise<SyncRun | undefined> {
  const now = nowIso();
  const changes = { worker, heartbeat_at: now, started_at: now, updated_at: now, attempts: new Increment(1), failures: new Increment(1), error_code: null, error_message: null };
  const row = await move(db, id, ['running'], 'running', changes, seen);
  return row === undefined ? undefined : fromRow(row);
}

/** The holder says it still works on the run. False when it no longer holds it (taken over, or finished). */
export async function heartbeat(db: Db, id: string, holder: RunHolder): Promise<boolean> {
  const now = nowIso();
  return (await move(db, id, ['running'], 'running', { heartbeat_at: now, updated_at: now }, holder)) !== undefined;
}

/** Count columns to add to, as `Increment`s in `changes` (zeros left out). */
function addIncrements(changes: Record<string, unknown>, counts: Partial<RunCounts>): void {
  for (const [column, by] of Object.entries(counts)) if (by !== undefined && by !== 0) changes[column] = new Increment(by);
}

/** Like transition, but answers undefined instead of throwing when the run is not in a source status. */
export async function tryTransition(db: Db, id: string, to: RunStatus, patch: TransitionPatch = {}, options: TransitionOptions = {}): Promise<SyncRun | undefined> {
  try {
    return await transition(db, id, to, patch, options);
  } catch (err) {
    if (isSwitchboardError(err, 'SB_RUN_INVALID_TRANSITION')) return undefined;
    throw err;
  }
}

/**
 * Adds to the run's counts (as a page commits, in the page's transaction) and beats the
 * heartbeat. Answers whether a cancel was asked for (read in the same statement). With a
 * `holder`, only while it holds the run: otherwise SB_RUN_LOST, which rolls the page's
 * transaction back (the run was taken over; its new holder writes the page).
 */
export async function addCounts(db: Db, id: string, increments: Partial<RunCounts>, progress?: Record<string, unknown>, holder?: RunHolder): Promise<{ cancelRequested: boolean }> {
  const now = nowIso();
  const changes: Record<string, unknown> = { updated_at: now, heartbeat_at: now };
  addIncrements(changes, increments);
  if (progress !== undefined) changes['progress'] = toJson(progress);
  const set = assignments(changes);
  const held = holderCondition(holder);
  const status = holder === undefined ? '' : ` AND "status" = 'running'`;
  const [row] = await guard('updating run counts', async () =>
    queryRows<Pick<SyncRunRow, 'cancel_requested'>>(db, `UPDATE "${SYNC_RUNS_TABLE}" SET ${set.sql} WHERE "id" = ?${status}${held.sql} RETURNING "cancel_requested"`, [...set.bindings, id, ...held.bindings]),
  );
  if (row === undefined && holder !== undefined) throw lostRun(id, holder);
  return { cancelRequested: row?.cancel_requested === true || row?.cancel_requested === 1 };
}

/** The error of a holder whose run was taken from it. */
export function lostRun(id: string, holder: RunHolder): SwitchboardError {
  return new SwitchboardError('SB_RUN_LOST', `run ${id} is no longer held by ${holder.worker ?? 'this worker'} (attempt ${holder.attempt}): another worker took it over`, { details: { run: id } });
}

/** Asks a run to stop: a queued run is canceled now; a running one stops at its next page. */
export async function requestCancel(db: Db, id: string): Promise<SyncRun> {
  const now = nowIso();
  const canceled = await move(db, id, ['queued'], 'canceled', { cancel_requested: true, finished_at: now, updated_at: now });
  const flagged =
    canceled !== undefined
      ? 1
      : await guard('canceling a run', async () => db(SYNC_RUNS_TABLE).where({ id, status: 'running' }).update({ cancel_requested: true, updated_at: now }));
  const run = await get(db, id);
  if (flagged === 0 && run.status !== 'canceled') {
    throw new SwitchboardError('SB_RUN_INVALID_TRANSITION', `run ${id} is ${run.status}; it cannot be canceled`, { details: { run: id, status: run.status } });
  }
  return run;
}

export async function isCancelRequested(db: Db, id: string): Promise<boolean> {
  const row = (await guard('reading a run', async () => db(SYNC_RUNS_TABLE).where('id', id).first('cancel_requested'))) as { cancel_requested: unknown } | undefined;
  return row?.cancel_requested === true || row?.cancel_requested === 1;
}

/** Running runs whose heartbeat is older than `staleBefore` (their worker died). */
export async function listStale(db: Db, staleBefore: string): Promise<SyncRun[]> {
  const rows = await guard('reading stale runs', async () => db<SyncRunRow>(SYNC_RUNS_TABLE).where('status', 'running').where('heartbeat_at', '<', staleBefore));
  return rows.map((r) => fromRow(r as SyncRunRow));
}
