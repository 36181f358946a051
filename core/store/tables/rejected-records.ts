// rejected_records: records a run kept aside instead of writing, each with the reason.
import type { Db } from '../db';
import { guard } from '../db-errors';
import { fromJson, nowIso, toIso, toJson } from '../values';

export const REJECTED_RECORDS_TABLE = 'rejected_records';

export interface RejectedRecordRow {
  id: number;
  run_id: string;
  connection_id: string;
  mapping_id: string;
  external_id: string | null;
  record: unknown;
  code: string;
  field: string | null;
  reason: string;
  created_at: unknown;
}

export interface RejectedRecord {
  id: number;
  runId: string;
  connectionId: string;
  mappingId: string;
  externalId: string | null;
  /** The raw source record, as received. */
  record: unknown;
  /** The error code (e.g. SB_MAPPING_FAILED, SB_DB_INVALID_VALUE). */
  code: string;
  /** The field at fault, when one is. */
  field: string | null;
  reason: string;
  createdAt: string;
}

export type NewRejectedRecord = Omit<RejectedRecord, 'id' | 'createdAt'>;

export function fromRow(row: RejectedRecordRow): RejectedRecord {
  return {
    id: Number(row.id),
    runId: row.run_id,
    connectionId: row.connection_id,
    mappingId: row.mapping_id,
    externalId: row.external_id,
    record: fromJson(row.record, null),
    code: row.code,
    field: row.field,
    reason: row.reason,
    createdAt: toIso(row.created_at) ?? '',
  };
}

export async function add(db: Db, records: readonly NewRejectedRecord[]): Promise<void> {
  if (records.length === 0) return;
  const now = nowIso();
  const rows = records.map((r) => ({
    run_id: r.runId,
    connection_id: r.connectionId,
    mapping_id: r.mappingId,
    external_id: r.externalId,
    record: toJson(r.record),
    code: r.code,
    field: r.field,
    reason: r.reason,
    created_at: now,
  }));
  await guard('keeping rejected records', async () => {
    for (let i = 0; i < rows.length; i += 100) await db(REJECTED_RECORDS_TABLE).insert(rows.slice(i, i + 100));
  });
}

/** A run's rejected records, oldest first; pass the last id as `after` for the next page. */
export async function listByRun(db: Db, runId: string, options: { limit?: number; after?: number } = {}): Promise<RejectedRecord[]> {
  const q = db<RejectedRecordRow>(REJECTED_RECORDS_TABLE).where('run_id', runId).orderBy('id').limit(Math.min(options.limit ?? 100, 1000));
  if (options.after !== undefined) q.where('id', '>', options.after);
  return (await guard('listing rejected records', async () => q)).map((r) => fromRow(r as RejectedRecordRow));
}
