// The changes a push delivers: a window of the change outbox read in commit order, coalesced
// per record, and a decision per record (create, update, delete through an action, or skip)
// taken from the record's current row, its record link and the mapping's conflict policy.
import type { Knex } from 'knex';
import { dialectOf, type Db } from '../store/db';
import { guard } from '../store/db-errors';
import { readRecord } from '../store/entity-records';
import * as outbox from '../store/tables/change-outbox';
import { RECORD_LINKS_TABLE, findByCrmIds } from '../store/tables/record-links';
import type { EntityName } from '../store/entities';
import type { PushContext } from '../mapping/compile-push';
import { whereInList } from '../store/upsert';
import { toIso } from '../store/values';
import type { ErrorCode } from '../errors';
import type { Delivery, DeliveryKind, PushPlan } from './push-plan';

/**
 * Changes after `after`, oldest first. On PostgreSQL ids are drawn when a row is inserted, not
 * when its transaction commits: a change with a smaller id can become visible after a larger
 * one, and reading past it would lose it. A SHARE lock on the outbox waits for every
 * transaction that has written to it to end (and holds new writers back for the read), so
 * every id up to the largest read is final. SQLite has one writer at a time: ids are in commit
 * order already.
 */
export async function readChanges(db: Knex, entity: PushPlan['entity'], after: number, limit: number): Promise<outbox.Change[]> {
  if (dialectOf(db) !== 'postgres') return guard('reading the change outbox', async () => outbox.listAfter(db, after, limit, [entity]));
  return guard('reading the change outbox', async () =>
    db.transaction(async (trx) => {
      await trx.raw(`SET LOCAL lock_timeout = '60s'`);
      await trx.raw('LOCK TABLE ?? IN SHARE MODE', [outbox.CHANGE_OUTBOX_TABLE]);
      return outbox.listAfter(trx, after, limit, [entity]);
    }),
  );
}

/** A record's pending changes in a window, coalesced. */
export interface PendingRecord {
  crmId: string;
  first: number;
  last: number;
  /** When the last of them was written. */
  lastAt: string;
  /** One of them deletes the record. */
  deleted: boolean;
  /** Fields they set (`custom.<key>` for custom values). */
  fields: Set<string>;
}

/** One entry per record, in the order of each record's first change. */
export function coalesce(changes: readonly outbox.Change[]): PendingRecord[] {
  const byRecord = new Map<string, PendingRecord>();
  for (const c of changes) {
    let r = byRecord.get(c.recordId);
    if (r === undefined) byRecord.set(c.recordId, (r = { crmId: c.recordId, first: c.id, last: c.id, lastAt: c.createdAt, deleted: false, fields: new Set() }));
    r.last = c.id;
    r.lastAt = c.createdAt;
    if (c.operation === 'delete') r.deleted = true;
    for (const [field, value] of Object.entries(c.changes)) {
      if (field === 'custom' && value !== null && typeof value === 'object') for (const k of Object.keys(value)) r.fields.add(`custom.${k}`);
      else r.fields.add(field);
    }
  }
  return [...byRecord.values()];
}

interface LinkRow {
  crmId: string;
  externalId: string;
  pushedHash: string | null;
  syncedAt: string | null;
}

/** This connection's links of the records, with when each was last synced (pull write or push). */
async function linksOf(db: Db, plan: PushPlan, crmIds: readonly string[]): Promise<Map<string, LinkRow>> {
  const rows = (await guard('reading record links', async () =>
    whereInList(db, db(RECORD_LINKS_TABLE).where({ connection_id: plan.connectionId, entity: plan.entity }), 'crm_id', crmIds)
      .orderBy('id')
      .select('crm_id', 'external_id', 'pushed_hash', 'synced_at'),
  )) as { crm_id: string; external_id: string; pushed_hash: string | null; synced_at: unknown }[];
  return new Map(rows.map((r) => [r.crm_id, { crmId: r.crm_id, externalId: r.external_id, pushedHash: r.pushed_hash, syncedAt: toIso(r.synced_at) }]));
}

export type SkipReason = 'unchanged' | 'overtaken' | 'no_action' | 'not_linked' | 'deleted_at_source';

export type Decision =
  | { type: 'deliver'; delivery: Delivery }
  | { type: 'skip'; record: PendingRecord; reason: SkipReason }
  | { type: 'reject'; record: PendingRecord; externalId: string | null; code: ErrorCode; field: string | null; reason: string; row: unknown };

/**
 * Under `source_wins` and `newest_wins`, a pull that wrote the record after its CRM changes
 * (the row's `updated_at` is that pull's, and later than the changes) decided the conflict for
 * the source: the changes are not pushed, unless they touched fields the pull does not write.
 * Under `crm_wins` the CRM row is pushed whatever a pull did.
 */
function overtaken(plan: PushPlan, record: PendingRecord, row: Record<string, unknown> | undefined, link: LinkRow | undefined): boolean {
  if (plan.conflict === 'crm_wins' || link === undefined || link.syncedAt === null || row === undefined) return false;
  const updatedAt = toIso(row['updated_at']);
  if (updatedAt !== link.syncedAt || !(link.syncedAt > record.lastAt)) return false;
  for (const f of record.fields) if (!plan.pulledFields.has(f)) return false;
  return true;
}

/** The external ids, on the plan's connection, of the records the rows reference through `ref` push fields. */
async function referencedExternalIds(db: Db, plan: PushPlan, rows: readonly Record<string, unknown>[]): Promise<NonNullable<PushContext['externalIdOf']>> {
  const wanted = new Map<EntityName, Set<string>>();
  for (const { field, entity } of plan.mapping.refFields) {
    let ids = wanted.get(entity);
    if (ids === undefined) wanted.set(entity, (ids = new Set()));
    for (const row of rows) if (typeof row[field] === 'string' && row[field] !== '') ids.add(row[field] as string);
  }
  const found = new Map<string, string>();
  for (const [entity, ids] of wanted) {
    if (ids.size === 0) continue;
    for (const [crmId, link] of await findByCrmIds(db, plan.connectionId, entity, [...ids])) found.set(`${entity}\u0000${crmId}`, link.externalId);
  }
  return (entity, crmId) => found.get(`${entity}\u0000${crmId}`);
}

/** Decides what to do with each pending record, from its current row and link. */
export async function decide(db: Db, plan: PushPlan, records: readonly PendingRecord[], now: string): Promise<Decision[]> {
  if (records.length === 0) return [];
  const ids = records.map((r) => r.crmId);
  const rows = (await guard(`reading ${plan.entity}`, async () => whereInList(db, db(plan.entity), 'id', ids).select('*'))) as Record<string, unknown>[];
  const byId = new Map(rows.map((r) => [String(r['id']), readRecord(plan.entity, r)]));
  const links = await linksOf(db, plan, ids);
  const ctx: PushContext = { config: plan.config, now };
  if (plan.mapping.refFields.length > 0) ctx.externalIdOf = await referencedExternalIds(db, plan, rows);
  return records.map((record): Decision => {
    const row = byId.get(record.crmId);
    const link = links.get(record.crmId);
    const skip = (reason: SkipReason): Decision => ({ type: 'skip', record, reason });
    let kind: DeliveryKind;
    if (row === undefined || row.deleted_at !== null) {
      // Gone from the CRM: a delete to push only if the CRM deleted it (a deletion a sync
      // applied came from the source), and only where the API holds the record.
      if (!record.deleted) return skip('deleted_at_source');
      if (link === undefined) return skip('not_linked');
      kind = 'delete';
    } else {
      if (overtaken(plan, record, row, link)) return skip('overtaken');
      kind = link === undefined ? 'create' : 'update';
    }
    const action = plan.mapping.actions[kind];
    if (action === undefined) return skip('no_action');
    const externalId = link?.externalId ?? null;
    const built = plan.mapping.build(row ?? { id: record.crmId }, externalId, ctx);
    if (!built.ok) return { type: 'reject', record, externalId, code: built.code, field: built.field, reason: built.reason, row: row ?? { id: record.crmId } };
    if (kind === 'update' && link?.pushedHash === built.hash) return skip('unchanged');
    return { type: 'deliver', delivery: { crmId: record.crmId, kind, action, externalId, payload: built.payload, hash: built.hash, first: record.first, last: record.last } };
  });
}
