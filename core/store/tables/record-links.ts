// record_links: which CRM record an external id of a connection is, with the hash of the values
// last synced (unchanged records are skipped) and the last full run that saw it (deletions).
import { queryRows, quoteIdent, type Db } from '../db';
import { guard } from '../db-errors';
import type { EntityName } from '../entities';
import { setExcluded, upsertRows, whereInList } from '../upsert';
import { nowIso, toIso } from '../values';
import { CONNECTIONS_TABLE } from './connections';
import { SYNC_RUNS_TABLE } from './sync-runs';

export const RECORD_LINKS_TABLE = 'record_links';

export interface RecordLinkRow {
  id: number;
  connection_id: string;
  entity: string;
  crm_id: string;
  external_id: string;
  hash: string | null;
  pushed_hash: string | null;
  seen_run_id: string | null;
  synced_at: unknown;
  created_at: unknown;
  updated_at: unknown;
}

export interface RecordLink {
  crmId: string;
  externalId: string;
  hash: string | null;
  pushedHash: string | null;
  seenRunId: string | null;
}

function fromRow(row: Pick<RecordLinkRow, 'crm_id' | 'external_id' | 'hash' | 'pushed_hash' | 'seen_run_id'>): RecordLink {
  return { crmId: row.crm_id, externalId: row.external_id, hash: row.hash, pushedHash: row.pushed_hash, seenRunId: row.seen_run_id };
}

const COLUMNS = ['crm_id', 'external_id', 'hash', 'pushed_hash', 'seen_run_id'] as const;
const IN_CHUNK = 5000;

/** Links for these external ids, by external id. */
export async function findByExternalIds(db: Db, connectionId: string, entity: EntityName, externalIds: readonly string[]): Promise<Map<string, RecordLink>> {
  const found = new Map<string, RecordLink>();
  await guard('reading record links', async () => {
    for (let i = 0; i < externalIds.length; i += IN_CHUNK) {
      const rows = (await whereInList(db, db(RECORD_LINKS_TABLE).where({ connection_id: connectionId, entity }), 'external_id', externalIds.slice(i, i + IN_CHUNK)).select(
        COLUMNS,
      )) as RecordLinkRow[];
      for (const r of rows) found.set(r.external_id, fromRow(r));
    }
  });
  return found;
}

/** Links for these CRM ids, by CRM id. */
export async function findByCrmIds(db: Db, connectionId: string, entity: EntityName, crmIds: readonly string[]): Promise<Map<string, RecordLink>> {
  const found = new Map<string, RecordLink>();
  await guard('reading record links', async () => {
    for (let i = 0; i < crmIds.length; i += IN_CHUNK) {
      const rows = (await whereInList(db, db(RECORD_LINKS_TABLE).where({ connection_id: connectionId, entity }), 'crm_id', crmIds.slice(i, i + IN_CHUNK)).select(COLUMNS)) as RecordLinkRow[];
      for (const r of rows) found.set(r.crm_id, fromRow(r));
    }
  });
  return found;
}

export interface LinkWrite {
  crmId: string;
  externalId: string;
  /** Hash of the values a pull wrote (omit to keep the stored one). */
  hash?: string | null;
  /** Hash of the values a push sent (omit to keep the stored one). */
  pushedHash?: string | null;
  /** The full run that saw the record (omit to keep the stored one). */
  seenRunId?: string | null;
  /** Child streams: the id of the parent record the record came from (omit to keep the stored one). */
  parentKey?: string | null;
}

/**
 * Inserts or updates links by (connection, entity, external id). Rows of one call must set
 * the same optional fields (the sync engine writes a page's links together).
 */
export async function upsert(db: Db, connectionId: string, entity: EntityName, links: readonly LinkWrite[], now: string = nowIso()): Promise<void> {
  const first = links[0];
  if (first === undefined) return;
  const optional = (['hash', 'pushedHash', 'seenRunId', 'parentKey'] as const).filter((k) => k in first);
  // A field with one value for every link (the run that saw them, usually) is bound once.
  const shared = optional.filter((k) => links.every((l) => l[k] === first[k]));
  const varying = optional.filter((k) => !shared.includes(k));
  const column = (k: (typeof optional)[number]): string => ({ hash: 'hash', pushedHash: 'pushed_hash', seenRunId: 'seen_run_id', parentKey: 'parent_key' })[k];
  const constants: Record<string, unknown> = { connection_id: connectionId, entity, synced_at: now, created_at: now, updated_at: now };
  for (const k of shared) constants[column(k)] = first[k] ?? null;
  const rows = links.map((l) => {
    const row: unknown[] = [l.crmId, l.externalId];
    for (const k of varying) row.push(l[k] ?? null);
    return row;
  });
  await guard('writing record links', async () =>
    upsertRows(
      db,
      {
        table: RECORD_LINKS_TABLE,
        constants,
        columns: ['crm_id', 'external_id', ...varying.map(column)],
        conflict: ['connection_id', 'entity', 'external_id'],
        sets: setExcluded(['crm_id', ...optional.map(column), 'synced_at', 'updated_at']),
      },
      rows,
    ),
  );
}

/** Links of a connection's entity not seen by `runId` (gone from the source), a page at a time. */
export async function listUnseen(db: Db, connectionId: string, entity: EntityName, runId: string, limit = 1000, afterId = 0, mappingId?: string): Promise<(RecordLink & { id: number })[]> {
  // Several mappings of a connection may write one entity (HubSpot calls and notes are both
  // activities): a full run only sweeps what runs of its own mapping wrote or saw last.
  const ownMapping = mappingId === undefined ? '' : ` AND ("seen_run_id" IS NULL OR "seen_run_id" IN (SELECT "id" FROM "${SYNC_RUNS_TABLE}" WHERE "connection_id" = ? AND "mapping_id" = ?))`;
  const rows = await guard('reading record links', async () =>
    queryRows<RecordLinkRow>(
      db,
      `SELECT "id", ${COLUMNS.map(quoteIdent).join(', ')} FROM "${RECORD_LINKS_TABLE}"
       WHERE "connection_id" = ? AND "entity" = ? AND "id" > ? AND ("seen_run_id" IS NULL OR "seen_run_id" <> ?)${ownMapping}
       ORDER BY "id" LIMIT ?`,
      [connectionId, entity, afterId, runId, ...(mappingId === undefined ? [] : [connectionId, mappingId]), limit],
    ),
  );
  return rows.map((r) => ({ ...fromRow(r), id: Number(r.id) }));
}

/** Marks these links seen by a full run (mark-and-sweep) without touching anything else. */
export async function markSeen(db: Db, connectionId: string, entity: EntityName, externalIds: readonly string[], runId: string): Promise<void> {
  await guard('updating record links', async () => {
    for (let i = 0; i < externalIds.length; i += IN_CHUNK) {
      await whereInList(db, db(RECORD_LINKS_TABLE).where({ connection_id: connectionId, entity }), 'external_id', externalIds.slice(i, i + IN_CHUNK)).update({ seen_run_id: runId });
    }
  });
}

/**
 * Marks seen, for a full run's sweep, the links of records that came from these parents (child
 * streams: a parent that was gone keeps its children for the run). Only links of the run's own
 * mapping, or of none, as the sweep itself.
 */
export async function markSeenByParent(db: Db, connectionId: string, entity: EntityName, parentKeys: readonly string[], runId: string, mappingId: string): Promise<void> {
  await guard('updating record links', async () => {
    for (let i = 0; i < parentKeys.length; i += IN_CHUNK) {
      await whereInList(db, db(RECORD_LINKS_TABLE).where({ connection_id: connectionId, entity }), 'parent_key', parentKeys.slice(i, i + IN_CHUNK))
        .where((w) => w.whereNull('seen_run_id').orWhereIn('seen_run_id', db(SYNC_RUNS_TABLE).select('id').where({ connection_id: connectionId, mapping_id: mappingId })))
        .update({ seen_run_id: runId });
    }
  });
}

/** Clears the pull hashes of these links, so the next read of each record rewrites it. */
export async function forgetHashes(db: Db, connectionId: string, entity: EntityName, externalIds: readonly string[]): Promise<void> {
  await guard('updating record links', async () => {
    for (let i = 0; i < externalIds.length; i += IN_CHUNK) {
      await whereInList(db, db(RECORD_LINKS_TABLE).where({ connection_id: connectionId, entity }), 'external_id', externalIds.slice(i, i + IN_CHUNK)).update({ hash: null, updated_at: nowIso() });
    }
  });
}

export async function removeByExternalIds(db: Db, connectionId: string, entity: EntityName, externalIds: readonly string[]): Promise<void> {
  await guard('deleting record links', async () => {
    for (let i = 0; i < externalIds.length; i += IN_CHUNK) {
      await whereInList(db, db(RECORD_LINKS_TABLE).where({ connection_id: connectionId, entity }), 'external_id', externalIds.slice(i, i + IN_CHUNK)).delete();
    }
  });
}

export interface RecordLinkOfRecord {
  connectionId: string;
  connectionName: string;
  connectorId: string;
  externalId: string;
  syncedAt: string | null;
  updatedAt: string;
}

/** Every connection's link of one CRM record: its external id in each connected API. */
export async function listForRecord(db: Db, entity: EntityName, crmId: string): Promise<RecordLinkOfRecord[]> {
  const rows = (await guard('reading record links', async () =>
    db(`${RECORD_LINKS_TABLE} as l`)
      .join(`${CONNECTIONS_TABLE} as c`, 'c.id', 'l.connection_id')
      .where({ 'l.entity': entity, 'l.crm_id': crmId })
      .orderBy('c.name')
      .select('l.connection_id', 'c.name as connection_name', 'c.connector_id', 'l.external_id', 'l.synced_at', 'l.updated_at'),
  )) as Array<{ connection_id: string; connection_name: string; connector_id: string; external_id: string; synced_at: unknown; updated_at: unknown }>;
  return rows.map((r) => ({ connectionId: r.connection_id, connectionName: r.connection_name, connectorId: r.connector_id, externalId: r.external_id, syncedAt: toIso(r.synced_at), updatedAt: toIso(r.updated_at) ?? '' }));
}
