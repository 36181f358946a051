// schedules: cron schedules of runs, one per key (a connection's mapping, or all its mappings).
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
  created_at: unknown;
  updated_at: unknown;
}

export interface Schedule {
  id: string;
  /** Stable key: `<connection id>:<mapping id or *>:<direction>`; the queue's scheduler id. */
  key: string;
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
}

/** Creates or replaces the schedule of its key. */
export async function put(db: Db, input: PutSchedule): Promise<Schedule> {
  const direction = input.direction ?? 'pull';
  const key = scheduleKey(input.connectionId, input.mappingId, direction);
  const now = nowIso();
  await guard('saving a schedule', async () =>
    db(SCHEDULES_TABLE)
      .insert({
        id: uuidv7(),
        key,
        connection_id: input.connectionId,
        mapping_id: input.mappingId,
        direction,
        mode: input.mode ?? 'incremental',
        cron: input.cron,
        timezone: input.timezone ?? 'UTC',
        enabled: input.enabled ?? true,
        created_at: now,
        updated_at: now,
      })
      .onConflict('key')
      .merge(['mode', 'cron', 'timezone', 'enabled', 'updated_at']),
  );
  return getByKey(db, key);
}

export async function getByKey(db: Db, key: string): Promise<Schedule> {
  const row = await guard('reading a schedule', async () => db<ScheduleRow>(SCHEDULES_TABLE).where('key', key).first());
  if (row === undefined) throw new SwitchboardError('SB_NOT_FOUND', `no schedule "${key}"`, { details: { schedule: key } });
  return fromRow(row as ScheduleRow);
}

export async function list(db: Db, filter: { connectionId?: string; enabled?: boolean } = {}): Promise<Schedule[]> {
  const q = db<ScheduleRow>(SCHEDULES_TABLE).orderBy('key');
  if (filter.connectionId !== undefined) q.where('connection_id', filter.connectionId);
  if (filter.enabled !== undefined) q.where('enabled', filter.enabled);
  return (await guard('listing schedules', async () => q)).map((r) => fromRow(r as ScheduleRow));
}

/** Removes the schedule; returns whether there was one. */
export async function remove(db: Db, key: string): Promise<boolean> {
  return (await guard('deleting a schedule', async () => db(SCHEDULES_TABLE).where('key', key).delete())) > 0;
}
