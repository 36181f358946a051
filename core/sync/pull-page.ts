// Pages of a pull run, mapped as they arrive and written in one transaction: rejected records
// kept aside, entity rows upserted (merging by `match_on`, resolving `ref`s, honouring
// `conflict`), record links with their hashes, deletions, references that were waiting for
// these records, the checkpoint and the run's counts. A page written twice changes nothing.
import type { Knex } from 'knex';
import type { Db } from '../store/db';
import type { EntityName } from '../store/entities';
import { bulkUpsertValues } from '../store/crm-bulk';
import { clearReferences } from '../store/crm';
import { toIso } from '../store/values';
import * as recordLinks from '../store/tables/record-links';
import * as pendingRefs from '../store/tables/pending-refs';
import * as rejectedRecords from '../store/tables/rejected-records';
import * as syncRuns from '../store/tables/sync-runs';
import * as syncState from '../store/tables/sync-state';
import { uuidv7 } from '../util/id';
import { getPath, parsePath, type Path } from '../util/path';
import type { CompiledPullMapping, MapResult, RefValue } from '../mapping/compile-pull';
import type { Predicate } from '../conditions';
import type { RunCounts } from '../store/tables/sync-runs';
import { CursorMax, cursorValue } from './cursor';
import type { SourcePage } from './source';
import { epochMs } from '../util/time';

export interface PullPlan {
  runId: string;
  connectionId: string;
  mappingId: string;
  mode: 'full' | 'incremental';
  mapping: CompiledPullMapping;
  config: Record<string, unknown>;
  /** Dot paths in the source record. */
  primaryKey: string;
  cursorField: string | undefined;
  /** Records to keep (the stream's `filter`). */
  filter?: Predicate | undefined;
  /** Records that say they were deleted (the stream's `deleted`). */
  deleted: Predicate | undefined;
  /** A child stream whose parents are read incrementally: incremental runs need no cursor field of its own. */
  parentIncremental?: boolean;
  /** The record's own modification time for `newest_wins` (the mapping's `modified_at`; default the cursor field). */
  modifiedAt?: string | undefined;
  deletes: 'soft' | 'hard' | 'ignore';
  /** The mapping's `sweep_min_ratio` (default 0.5): a full run that read less than this fraction of the last one does not sweep. */
  sweepMinRatio?: number;
  conflict: 'source_wins' | 'crm_wins' | 'newest_wins';
  matchOn: readonly string[];
  /** Who holds the run: a batch commits only while it still does (undefined: unfenced, tests). */
  holder?: syncRuns.RunHolder;
}

export type PageCounts = RunCounts;

/**
 * What sync_state.checkpoint holds while a run is unfinished: where the reader resumes
 * (`page`, null once the stream is exhausted) and the run's greatest cursor so far. The
 * durable `state.cursor` only moves when the run completes: a stream need not be sorted by its
 * cursor, so advancing it page by page could skip records that a failed run had not reached.
 */
export interface RunCheckpoint {
  page: Record<string, unknown> | null;
  cursor: string | number | null;
  /** What the reader adds to the durable state when the run succeeds (parents' cursors), so far. */
  state?: Record<string, unknown>;
  /** Records the run has read so far, every attempt included (what the sweep guard weighs). */
  read?: number;
}

export interface PageOutput {
  counts: PageCounts;
  /** How many references waiting for records of this page were resolved. */
  refsResolved: number;
  /** Whether the batch linked new records or left references waiting (see resolveLinked). */
  linksChanged: boolean;
  /** Whether a cancel of the run was asked for (read as the batch committed). */
  cancelRequested: boolean;
}

/** What the batches of one run learn along the way. */
export interface RunMemo {
  /**
   * False once a batch found no reference waiting for this entity: later batches skip the
   * lookup (references added meanwhile by other runs are resolved by the run's final pass).
   */
  refsMayWait: boolean;
}

interface Candidate {
  externalId: string;
  result: Extract<MapResult, { ok: true }>;
  /** The record's modification time at the source, for `newest_wins`. */
  modified: string | number | undefined;
  /** Child streams: the parent the record came from. */
  parentKey: string | undefined;
}

export interface PlanPaths {
  pk: Path;
  cursor: Path | undefined;
  modified: Path | undefined;
}

export function compilePlanPaths(plan: PullPlan): PlanPaths {
  const modified = plan.modifiedAt ?? plan.cursorField;
  return { pk: parsePath(plan.primaryKey), cursor: plan.cursorField === undefined ? undefined : parsePath(plan.cursorField), modified: modified === undefined ? undefined : parsePath(modified) };
}

/**
 * Pages mapped and waiting to be written together: the reader's pages are mapped as they
 * arrive (pure work, while the previous batch commits), and written in one transaction with
 * the checkpoint of the last of them. Within a batch, the last occurrence of an id wins.
 */
export class PageBatch {
  readonly upserts = new Map<string, Candidate>();
  readonly deletions = new Set<string>();
  readonly rejected: rejectedRecords.NewRejectedRecord[] = [];
  readonly rejectedIds = new Set<string>();
  /** Child streams: parents that were gone, whose children this run keeps. */
  readonly skippedParents: string[] = [];
  read = 0;
  /** Records the stream's `filter` left out. */
  skipped = 0;
  pages = 0;
  requests = 0;
  retries = 0;
  /** The reader's resume point after the last page added; null once the stream is exhausted. */
  checkpoint: Record<string, unknown> | null = null;
  /** The reader's contribution to the durable state, as of the last page added. */
  state: Record<string, unknown> | undefined;

  readonly #cursor: CursorMax;

  constructor(
    private readonly plan: PullPlan,
    private readonly paths: ReturnType<typeof compilePlanPaths>,
    /** The greatest cursor value of the run before this batch. */
    cursor: string | number | undefined,
    /** Records the run read before this batch. */
    private readonly readBefore = 0,
  ) {
    this.#cursor = new CursorMax(cursor);
  }

  /** Records the run has read, this batch included. */
  get runRead(): number {
    return this.readBefore + this.read;
  }

  /** The greatest cursor value of the run so far, this batch included. */
  get cursor(): string | number | undefined {
    return this.#cursor.value;
  }

  add(page: SourcePage, now: string): void {
    const { plan, paths } = this;
    this.pages += 1;
    this.read += page.records.length;
    this.requests += page.requests;
    this.retries += page.retries;
    this.checkpoint = page.checkpoint;
    if (page.state !== undefined) this.state = page.state;
    if (page.skippedParent === true && page.parentKey !== undefined) this.skippedParents.push(page.parentKey);
    const parent = page.scope?.parent;
    const parents = page.scope?.parents;
    const ctx = { config: plan.config, now, parent, parents };
    for (const raw of page.records) {
      const id = getPath(raw, paths.pk);
      if (id === undefined || id === null || id === '' || typeof id === 'object') {
        this.rejected.push({ runId: plan.runId, connectionId: plan.connectionId, mappingId: plan.mappingId, externalId: null, record: raw, code: 'SB_MAPPING_FAILED', field: plan.primaryKey, reason: `the record has no primary key at "${plan.primaryKey}"` });
        continue;
      }
      const externalId = String(id);
      const cv = paths.cursor === undefined ? undefined : cursorValue(getPath(raw, paths.cursor));
      this.#cursor.offer(cv);
      // Conditions see the record and its parents; most streams have none, so no scope is built then.
      const scope = plan.filter === undefined && plan.deleted === undefined ? undefined : { record: raw, parent, parents };
      if (plan.filter !== undefined && !plan.filter(scope!)) {
        // Not kept: the record is left alone here, and a full run's sweep treats it as gone.
        this.skipped += 1;
        continue;
      }
      this.upserts.delete(externalId); // re-inserted below, so the order is the last occurrence's
      if (plan.deleted !== undefined && plan.deleted(scope!)) {
        this.rejectedIds.delete(externalId);
        this.deletions.add(externalId);
        continue;
      }
      const result = plan.mapping.map(raw, ctx);
      if (!result.ok) {
        this.deletions.delete(externalId);
        this.rejected.push({ runId: plan.runId, connectionId: plan.connectionId, mappingId: plan.mappingId, externalId, record: raw, code: result.code, field: result.field, reason: result.reason });
        this.rejectedIds.add(externalId);
        continue;
      }
      this.rejectedIds.delete(externalId);
      this.deletions.delete(externalId);
      const modified = paths.modified === paths.cursor ? cv : paths.modified === undefined ? undefined : cursorValue(getPath(raw, paths.modified));
      this.upserts.set(externalId, { externalId, result, modified, parentKey: page.parentKey });
    }
  }
}

/** Writes a batch of mapped pages in one transaction; returns its counts. */
export async function writeBatch(db: Knex, plan: PullPlan, batch: PageBatch, state: Record<string, unknown>, memo: RunMemo = { refsMayWait: true }): Promise<PageOutput> {
  const now = new Date().toISOString();
  const entity = plan.mapping.entity;
  const { upserts, deletions, rejected, rejectedIds } = batch;
  const counts: PageCounts = {
    records_read: batch.read,
    records_created: 0,
    records_updated: 0,
    records_unchanged: 0,
    records_deleted: 0,
    records_rejected: rejected.length,
    records_skipped: batch.skipped,
    parents_skipped: batch.skippedParents.length,
    pages: batch.pages,
    requests: batch.requests,
    retries: batch.retries,
  };
  const cursor = batch.cursor;
  let refsResolved = 0;
  let linksChanged = false;
  let cancelRequested = false;
  const checkpoint: RunCheckpoint = { page: batch.checkpoint, cursor: cursor ?? null, read: batch.runRead, ...(batch.state === undefined ? {} : { state: batch.state }) };
  await db.transaction(async (trx) => {
    await rejectedRecords.add(trx, rejected);
    const links = await recordLinks.findByExternalIds(trx, plan.connectionId, entity, [...upserts.keys(), ...deletions, ...rejectedIds]);

    // Deletions the source marked.
    counts.records_deleted += await applyDeletions(trx, plan, [...deletions].filter((id) => links.has(id)).map((id) => ({ externalId: id, crmId: links.get(id)!.crmId })));
    counts.records_unchanged += [...deletions].filter((id) => !links.has(id)).length;

    // Which CRM record each external id becomes: its link, a `match_on` twin, or a new id.
    const targets = new Map<string, { crmId: string; isNew: boolean }>();
    const unlinked = [...upserts.values()].filter((c) => !links.has(c.externalId));
    const matched = plan.matchOn.length > 0 ? await findMatches(trx, entity, plan.matchOn, unlinked) : new Map<string, { crmId: string; isNew: boolean }>();
    for (const c of upserts.values()) {
      const link = links.get(c.externalId);
      if (link !== undefined) targets.set(c.externalId, { crmId: link.crmId, isNew: false });
      else {
        const twin = matched.get(c.externalId);
        targets.set(c.externalId, twin ?? { crmId: uuidv7(), isNew: true });
      }
    }

    // Unchanged records (same hash as their link) and conflicts decided for the CRM side.
    const crmEdited = plan.conflict === 'source_wins' ? new Map<string, string>() : await editedSinceSync(trx, entity, plan.connectionId, [...upserts.values()].filter((c) => links.has(c.externalId)).map((c) => links.get(c.externalId)!.crmId));
    const toWrite: Candidate[] = [];
    // Linked records this full run saw but does not rewrite: marked seen only, so the sweep
    // keeps them. A rejected record is still at the source, so it counts as seen too.
    const seenOnly: string[] = [...rejectedIds].filter((id) => links.has(id));
    for (const c of upserts.values()) {
      const link = links.get(c.externalId);
      if (link !== undefined && link.hash === c.result.hash) {
        counts.records_unchanged += 1;
        seenOnly.push(c.externalId);
        continue;
      }
      const edited = link === undefined ? undefined : crmEdited.get(link.crmId);
      if (edited !== undefined && (plan.conflict === 'crm_wins' || (plan.conflict === 'newest_wins' && crmIsNewer(edited, c.modified)))) {
        // The CRM copy changed since the last sync and wins: keep it, and keep the old hash so
        // a later source change is weighed again.
        counts.records_unchanged += 1;
        seenOnly.push(c.externalId);
        continue;
      }
      toWrite.push(c);
    }

    // Resolve refs through the links of their entities; the rest wait in pending_refs.
    const pending: pendingRefs.PendingRef[] = [];
    const resolvedFields = new Set<string>();
    const refTargets = await resolveRefs(trx, plan.connectionId, toWrite.flatMap((c) => c.result.refs));
    // Several external records may merge into one CRM record (match_on): one row each, merged
    // in page order, since a statement may not write the same row twice.
    const byCrmId = new Map<string, { id: string; values: Record<string, unknown> }>();
    for (const c of toWrite) {
      const crmId = targets.get(c.externalId)!.crmId;
      let values = c.result.values;
      if (c.result.refs.length > 0) {
        values = { ...values };
        for (const ref of c.result.refs) {
          const found = refTargets.get(refKey(ref));
          if (found !== undefined) {
            values[ref.field] = found;
            resolvedFields.add(ref.field);
          } else {
            pending.push({ entity, crmId, field: ref.field, targetEntity: ref.entity, externalId: ref.externalId });
          }
        }
      }
      const merged = byCrmId.get(crmId);
      if (merged === undefined) byCrmId.set(crmId, { id: crmId, values });
      else merged.values = { ...merged.values, ...values, ...(values['custom'] === undefined ? {} : { custom: { ...(merged.values['custom'] as object), ...(values['custom'] as object) } }) };
    }
    const rows = [...byCrmId.values()];
    await bulkUpsertValues(trx, entity, rows, { normalized: true, now, undelete: true });
    const createdIds = new Set<string>();
    for (const c of toWrite) {
      const target = targets.get(c.externalId)!;
      // Twins merged into one new record: the first creates it, the others update it.
      if (target.isNew && !createdIds.has(target.crmId)) {
        counts.records_created += 1;
        createdIds.add(target.crmId);
      } else counts.records_updated += 1;
    }
    await pendingRefs.clear(trx, plan.connectionId, entity, rows.map((r) => r.id), [...resolvedFields]);
    await pendingRefs.add(trx, plan.connectionId, pending);
    linksChanged = pending.length > 0 || toWrite.some((c) => !links.has(c.externalId));

    const written: recordLinks.LinkWrite[] = toWrite.map((c) => ({
      crmId: targets.get(c.externalId)!.crmId,
      externalId: c.externalId,
      hash: c.result.hash,
      ...(c.parentKey === undefined ? {} : { parentKey: c.parentKey }),
      // A new link of an incremental run names that run: the sweep tells the mappings' records apart by it.
      seenRunId: plan.mode === 'full' ? plan.runId : (links.get(c.externalId)?.seenRunId ?? plan.runId),
    }));
    await recordLinks.upsert(trx, plan.connectionId, entity, written, now);
    if (plan.mode === 'full') {
      await recordLinks.markSeen(trx, plan.connectionId, entity, seenOnly, plan.runId);
      // A parent that was gone keeps its children for this run (the next full run sees whether it is back).
      if (batch.skippedParents.length > 0) await recordLinks.markSeenByParent(trx, plan.connectionId, entity, batch.skippedParents, plan.runId, plan.mappingId);
    }
    // References elsewhere that were waiting for the records this page linked.
    const newlyLinked = new Map(toWrite.filter((c) => !links.has(c.externalId)).map((c) => [c.externalId, targets.get(c.externalId)!.crmId] as const));
    // Most syncs have nothing waiting: one cheap probe instead of a lookup by every id.
    if (newlyLinked.size > 0 && memo.refsMayWait) {
      memo.refsMayWait = await pendingRefs.waiting(trx, plan.connectionId, entity);
      if (memo.refsMayWait) refsResolved = await pendingRefs.resolve(trx, plan.connectionId, entity, newlyLinked);
    }

    await syncState.save(trx, { connectionId: plan.connectionId, mappingId: plan.mappingId }, { state, checkpoint: { ...checkpoint }, checkpointRunId: plan.runId });
    ({ cancelRequested } = await syncRuns.addCounts(trx, plan.runId, counts, undefined, plan.holder));
  });
  return { counts, refsResolved, linksChanged, cancelRequested };
}

/** Whether a CRM edit at `edited` is newer than the source's copy (an unknown source time counts as older). */
function crmIsNewer(edited: string, sourceModified: string | number | undefined): boolean {
  const sourceTime = sourceModified === undefined ? undefined : epochMs(sourceModified);
  return sourceTime === undefined || Date.parse(edited) > sourceTime;
}

function refKey(ref: Pick<RefValue, 'entity' | 'externalId'>): string {
  return `${ref.entity}\u0000${ref.externalId}`;
}

async function resolveRefs(db: Db, connectionId: string, refs: readonly RefValue[]): Promise<Map<string, string>> {
  const byEntity = new Map<EntityName, Set<string>>();
  for (const r of refs) {
    let set = byEntity.get(r.entity);
    if (set === undefined) byEntity.set(r.entity, (set = new Set()));
    set.add(r.externalId);
  }
  const out = new Map<string, string>();
  for (const [entity, ids] of byEntity) {
    const links = await recordLinks.findByExternalIds(db, connectionId, entity, [...ids]);
    for (const [externalId, link] of links) out.set(refKey({ entity, externalId }), link.crmId);
  }
  return out;
}

/**
 * For records not linked yet: an existing CRM record with the same `match_on` values (e.g. the
 * same email) that they should merge into. Records of one page that match each other merge too.
 */
async function findMatches(db: Db, entity: EntityName, matchOn: readonly string[], candidates: readonly Candidate[]): Promise<Map<string, { crmId: string; isNew: boolean }>> {
  const keyOf = (values: Record<string, unknown>): string | undefined => {
    const parts = matchOn.map((f) => values[f]);
    if (parts.some((p) => p === undefined || p === null || p === '')) return undefined;
    return JSON.stringify(parts);
  };
  const wanted = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const key = keyOf(c.result.values);
    if (key === undefined) continue;
    const list = wanted.get(key);
    if (list === undefined) wanted.set(key, [c]);
    else list.push(c);
  }
  const out = new Map<string, { crmId: string; isNew: boolean }>();
  if (wanted.size === 0) return out;
  const keys = [...wanted.keys()];
  for (let i = 0; i < keys.length; i += 200) {
    const chunk = keys.slice(i, i + 200).map((k) => JSON.parse(k) as unknown[]);
    const q = db(entity).select(['id', ...matchOn]).whereNull('deleted_at').orderBy('id');
    if (matchOn.length === 1) q.whereIn(matchOn[0]!, chunk.map((c) => c[0]) as Knex.Value[]);
    else q.where((w) => { for (const parts of chunk) w.orWhere((a) => { matchOn.forEach((f, j) => a.where(f, parts[j] as Knex.Value)); }); });
    const rows = (await q) as Record<string, unknown>[];
    for (const row of rows) {
      const key = JSON.stringify(matchOn.map((f) => row[f]));
      for (const c of wanted.get(key) ?? []) if (!out.has(c.externalId)) out.set(c.externalId, { crmId: String(row['id']), isNew: false });
    }
  }
  // Twins within the page without a CRM match share the first one's new id.
  for (const list of wanted.values()) {
    if (list.length < 2 || out.has(list[0]!.externalId)) continue;
    const shared = { crmId: uuidv7(), isNew: true };
    for (const c of list) out.set(c.externalId, shared);
  }
  return out;
}

/** CRM ids whose row changed after the link's last sync, with the row's updated_at. */
async function editedSinceSync(db: Db, entity: EntityName, connectionId: string, crmIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < crmIds.length; i += 500) {
    const rows = (await db(entity)
      .join(recordLinks.RECORD_LINKS_TABLE, function () {
        this.on(`${recordLinks.RECORD_LINKS_TABLE}.crm_id`, '=', `${entity}.id`).andOn(`${recordLinks.RECORD_LINKS_TABLE}.connection_id`, '=', db.raw('?', [connectionId]));
      })
      .where(`${recordLinks.RECORD_LINKS_TABLE}.entity`, entity)
      .whereIn(`${entity}.id`, crmIds.slice(i, i + 500))
      .select(`${entity}.id as id`, `${entity}.updated_at as updated_at`, `${recordLinks.RECORD_LINKS_TABLE}.synced_at as synced_at`)) as { id: string; updated_at: unknown; synced_at: unknown }[];
    for (const r of rows) {
      const updated = toIso(r.updated_at);
      const synced = toIso(r.synced_at);
      if (updated !== null && (synced === null || updated > synced)) out.set(r.id, updated);
    }
  }
  return out;
}

/** Applies `deletes` to linked records the source says are gone; returns how many. */
export async function applyDeletions(trx: Knex.Transaction, plan: Pick<PullPlan, 'deletes' | 'connectionId' | 'mapping'>, gone: readonly { externalId: string; crmId: string }[]): Promise<number> {
  if (gone.length === 0 || plan.deletes === 'ignore') return 0;
  const entity = plan.mapping.entity;
  const ids = gone.map((g) => g.crmId);
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    if (plan.deletes === 'hard') {
      await clearReferences(trx, entity, chunk, { origin: 'sync' });
      n += await trx(entity).whereIn('id', chunk).delete();
    } else {
      const now = new Date().toISOString();
      n += await trx(entity).whereIn('id', chunk).whereNull('deleted_at').update({ deleted_at: now, updated_at: now });
    }
  }
  const externalIds = gone.map((g) => g.externalId);
  // Hard: the rows are gone, so are their links. Soft: the links stay without a hash, so a
  // record that comes back at the source is written again, which clears `deleted_at`.
  if (plan.deletes === 'hard') await recordLinks.removeByExternalIds(trx, plan.connectionId, entity, externalIds);
  else await recordLinks.forgetHashes(trx, plan.connectionId, entity, externalIds);
  return n;
}
