// sync_state: what a connection's mapping remembers between runs (`state.cursor`, ...) and,
// while a run is unfinished, the page checkpoint it resumes from.
import type { Db } from '../db';
import { guard } from '../db-errors';
import { fromJson, nowIso, toJson } from '../values';
import type { RunDirection } from './sync-runs';

export const SYNC_STATE_TABLE = 'sync_state';

export interface SyncStateRow {
  connection_id: string;
  mapping_id: string;
  direction: string;
  state: unknown;
  checkpoint: unknown;
  checkpoint_run_id: string | null;
  updated_at: unknown;
}

export interface SyncState {
  /** Durable state between runs, e.g. `{ cursor: "2024-09-11T13:27:39Z" }`. */
  state: Record<string, unknown>;
  /** Where the unfinished run `checkpointRunId` stopped, or null. */
  checkpoint: Record<string, unknown> | null;
  checkpointRunId: string | null;
}

export interface StateKey {
  connectionId: string;
  mappingId: string;
  direction?: RunDirection;
}

function where(key: StateKey): Record<string, string> {
  return { connection_id: key.connectionId, mapping_id: key.mappingId, direction: key.direction ?? 'pull' };
}

export async function load(db: Db, key: StateKey): Promise<SyncState> {
  const row = (await guard('reading sync state', async () => db<SyncStateRow>(SYNC_STATE_TABLE).where(where(key)).first())) as SyncStateRow | undefined;
  return fromRow(row);
}

/** The state a row holds; no row (or a row of nulls, from an outer join) is the empty state. */
export function fromRow(row: Partial<Pick<SyncStateRow, 'state' | 'checkpoint' | 'checkpoint_run_id'>> | undefined): SyncState {
  if (row === undefined) return { state: {}, checkpoint: null, checkpointRunId: null };
  return { state: fromJson(row.state, {}), checkpoint: fromJson(row.checkpoint, null), checkpointRunId: row.checkpoint_run_id ?? null };
}

/** The WHERE of one state row, for joins. */
export function keyOf(key: StateKey): { mappingId: string; direction: RunDirection } {
  return { mappingId: key.mappingId, direction: key.direction ?? 'pull' };
}

/** Saves state and checkpoint together (call inside the page's transaction). */
export async function save(db: Db, key: StateKey, value: SyncState): Promise<void> {
  const row = {
    ...where(key),
    state: toJson(value.state),
    checkpoint: value.checkpoint === null ? null : toJson(value.checkpoint),
    checkpoint_run_id: value.checkpointRunId,
    updated_at: nowIso(),
  };
  await guard('saving sync state', async () =>
    db(SYNC_STATE_TABLE).insert(row).onConflict(['connection_id', 'mapping_id', 'direction']).merge(['state', 'checkpoint', 'checkpoint_run_id', 'updated_at']),
  );
}

/** Forgets everything (a full resync from scratch). */
export async function reset(db: Db, key: StateKey): Promise<void> {
  await guard('resetting sync state', async () => db(SYNC_STATE_TABLE).where(where(key)).delete());
}
