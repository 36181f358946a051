// schedules: cron schedules of runs. Several may run the same connection, mapping and direction
// (an incremental run every 15 minutes, a full run every night); each has its own key.
import { SwitchboardError } from '../../errors';
import { uuidv7 } from '../../util/id';
import type { Db } from '../db';
import { guard } from '../db-errors';
import { nowIso, toIso } from '../values';
import type { RunDirection, RunMode } from './sync-runs';

export const SCHEDULES_TABLE = 'schedules';

export interface ScheduleRow {
  id: string;
  key: string;
  connection_id: string;
  mapping_id: string | null;
  direction: string;
  mode: string;
  cron: string;
  timezone: string;
  enabled: boolean | number;
  name: string | null;
  created_at: unknown;
  updated_at: unknown;
}

export interface Schedule {
  id: string;
  /**
   * Stable and unique: the queue's scheduler id. `<connection id>:<mapping id or *>:<direction>`
   * for the schedule `put` replaces, with `:<schedule id>` added for those `create` adds.
   */
  key: string;
  /** A label to tell schedules apart (`nightly full`); null when none was given. */
  name: string | null;
  connectionId: string;
  /** Null means every mapping of the connection. */
  mappingId: string | null;
  direction: RunDirection;
  mode: RunMode;
  cron: string;
  timezone: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export function scheduleKey(connectionId: string, mappingId: string | null, direction: RunDirection): string {
  return `${connectionId}:${mappingId ?? '*'}:${direction}`;
}

export function fromRow(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    key: row.key,
    name: row.name ?? null,
    connectionId: row.connection_id,
    mappingId: row.mapping_id,
    direction: row.direction as RunDirection,
    mode: row.mode as RunMode,
    cron: row.cron,
    timezone: row.timezone,
    enabled: row.enabled === true || row.enabled === 1,
    createdAt: toIso(row.created_at) ?? '',
    updatedAt: toIso(row.updated_at) ?? '',
  };
}

export interface PutSchedule {
  connectionId: string;
  mappingId: string | null;
  direction?: RunDirection;
  mode?: RunMode;
  cron: string;
  timezone?: string;
  enabled?: boolean;
  name?: string | null;
}

function newRow(input: PutSchedule, key: string, id: string): Record<string, unknown> {
  const now = nowIso();
  return {
    id,
    key,
    name: input.name ?? null,
    connection_id: input.connectionId,
    mapping_id: input.mappingId,
    direction: input.direction ?? 'pull',
    mode: input.mode ?? 'incremental',
    cron: input.cron,
    timezone: input.timezone ?? 'UTC',
    enabled: input.enabled ?? true,
    created_at: now,
    updated_at: now,
  };
}

/** Adds a schedule beside any others of the same connection, mapping and direction. */
export async function create(db: Db, input: PutSchedule): Promise<Schedule> {
  const id = uuidv7();
  const key = `${scheduleKey(input.connectionId, input.mappingId, input.direction ?? 'pull')}:${id}`;
  await guard('saving a schedule', async () => db(SCHEDULES_TABLE).insert(newRow(input, key, id)));
  return getByKey(db, key);
}

export interface SchedulePatch {
  name?: string | null;
  cron?: string;
  timezone?: string;
  mode?: RunMode;
  enabled?: boolean;
}

/** Changes a schedule's timing, mode, name or state (its mapping and direction stay: they make its key). */
export async function update(db: Db, id: string, patch: SchedulePatch): Promise<Schedule> {
  const current = await get(db, id);
  const changes: Record<string, unknown> = { updated_at: nowIso() };
  for (const k of ['name', 'cron', 'timezone', 'mode', 'enabled'] as const) if (patch[k] !== undefined) changes[k] = patch[k];
  await guard('updating a schedule', async () => db(SCHEDULES_TABLE).where('id', id).update(changes));
  return getByKey(db, current.key);
}

export async function get(db: Db, id: string): Promise<Schedule> {
  const row = await guard('reading a schedule', async () => db<ScheduleRow>(SCHEDULES_TABLE).where('id', id).first());
  if (row === undefined) throw new SwitchboardError('SB_NOT_FOUND', `no schedule "${id}"`, { details: { schedule: id } });
  return fromRow(row as ScheduleRow);
}

/** Creates or replaces the schedule of its key. */
export async function put(db: Db, input: PutSchedule): Promise<Schedule> {
  const direction = input.direction ?? 'pull';
  const key = scheduleKey(input.connectionId, input.mappingId, direction);
  await guard('saving a schedule', async () =>
    db(SCHEDULES_TABLE)
      .insert(newRow(input, key, uuidv7()))
      .onConflict('key')
      .merge(['mode', 'cron', 'timezone', 'enabled', 'updated_at', ...(input.name === undefined ? [] : ['name'])]),
  );
  return getByKey(db, key);
}

export async function getByKey(db: Db, key: string): Promise<Schedule> {
  const row = await guard('reading a schedule', async () => db<ScheduleRow>(SCHEDULES_TABLE).where('key', key).first());
  if (row === undefined) throw new SwitchboardError('SB_NOT_FOUND', `no schedule "${key}"`, { details: { schedule: key } });
  return fromRow(row as ScheduleRow);
}

export async function list(db: Db, filter: { connectionId?: string; enabled?: boolean } = {}): Promise<Schedule[]> {
  const q = db<ScheduleRow>(SCHEDULES_TABLE).orderBy('key').orderBy('id');
  if (filter.connectionId !== undefined) q.where('connection_id', filter.connectionId);
  if (filter.enabled !== undefined) q.where('enabled', filter.enabled);
  return (await guard('listing schedules', async () => q)).map((r) => fromRow(r as ScheduleRow));
}

/** Removes the schedule; returns whether there was one. */
export async function remove(db: Db, key: string): Promise<boolean> {
  return (await guard('deleting a schedule', async () => db(SCHEDULES_TABLE).where('key', key).delete())) > 0;
}
