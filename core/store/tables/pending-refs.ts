// pending_refs: a `ref` field whose target record has not arrived yet. When a record with that
// external id is linked, the waiting rows get their reference and the pending row goes away.
import type { Db } from '../db';
import { guard } from '../db-errors';
import type { EntityName } from '../entities';
import { setExcluded, upsertRows, whereInList } from '../upsert';
import { nowIso } from '../values';

export const PENDING_REFS_TABLE = 'pending_refs';

export interface PendingRef {
  /** The record that holds the reference. */
  entity: EntityName;
  crmId: string;
  field: string;
  /** What it references, by external id. */
  targetEntity: EntityName;
  externalId: string;
}

/** Records (or replaces) what each (record, field) is waiting for. */
export async function add(db: Db, connectionId: string, refs: readonly PendingRef[]): Promise<void> {
  const now = nowIso();
  await guard('keeping pending references', async () =>
    upsertRows(
      db,
      {
        table: PENDING_REFS_TABLE,
        constants: { connection_id: connectionId, created_at: now },
        columns: ['entity', 'crm_id', 'field', 'target_entity', 'external_id'],
        conflict: ['connection_id', 'entity', 'crm_id', 'field'],
        sets: setExcluded(['target_entity', 'external_id', 'created_at']),
      },
      refs.map((r) => [r.entity, r.crmId, r.field, r.targetEntity, r.externalId]),
    ),
  );
}

/** Forgets what these (record, field) pairs were waiting for (they now have a resolved value). */
export async function clear(db: Db, connectionId: string, entity: EntityName, crmIds: readonly string[], fields: readonly string[]): Promise<void> {
  if (crmIds.length === 0 || fields.length === 0) return;
  await guard('clearing pending references', async () => {
    for (let i = 0; i < crmIds.length; i += 500) {
      await db(PENDING_REFS_TABLE).where({ connection_id: connectionId, entity }).whereIn('crm_id', crmIds.slice(i, i + 500)).whereIn('field', fields).delete();
    }
  });
}

/**
 * Resolves every reference waiting for these newly linked records (external id -> CRM id of
 * `targetEntity`): sets the field on the waiting rows and deletes the pending entries.
 * Returns how many references were resolved. (`waiting` tells first, in one cheap probe, whether any wait at all.)
 */
export async function resolve(db: Db, connectionId: string, targetEntity: EntityName, linked: ReadonlyMap<string, string>): Promise<number> {
  if (linked.size === 0) return 0;
  const externalIds = [...linked.keys()];
  let resolved = 0;
  await guard('resolving pending references', async () => {
    for (let i = 0; i < externalIds.length; i += 5000) {
      const waiting = (await whereInList(db, db(PENDING_REFS_TABLE).where({ connection_id: connectionId, target_entity: targetEntity }), 'external_id', externalIds.slice(i, i + 5000)).select(
        'id',
        'entity',
        'crm_id',
        'field',
        'external_id',
      )) as { id: number; entity: string; crm_id: string; field: string; external_id: string }[];
      for (const w of waiting) {
        const target = linked.get(w.external_id);
        if (target === undefined) continue;
        await db(w.entity).where('id', w.crm_id).update({ [w.field]: target });
        resolved += 1;
      }
      if (waiting.length > 0) await db(PENDING_REFS_TABLE).whereIn('id', waiting.map((w) => w.id)).delete();
    }
  });
  return resolved;
}

/** Whether any reference of the connection waits for a record of `targetEntity`. */
export async function waiting(db: Db, connectionId: string, targetEntity: EntityName): Promise<boolean> {
  const any = await guard('reading pending references', async () => db(PENDING_REFS_TABLE).where({ connection_id: connectionId, target_entity: targetEntity }).first('id'));
  return any !== undefined;
}

/**
 * Resolves every pending reference of the connection whose target is linked by now. Two runs
 * committing at the same time (one adding a reference, the other linking its target) can each
 * miss the other's write; each run ends with this pass, so no reference stays unresolved.
 */
export async function resolveLinked(db: Db, connectionId: string): Promise<number> {
  return guard('resolving pending references', async () => {
    const rows = (await db(`${PENDING_REFS_TABLE} as p`)
      .join('record_links as l', function () {
        this.on('l.connection_id', '=', 'p.connection_id').andOn('l.entity', '=', 'p.target_entity').andOn('l.external_id', '=', 'p.external_id');
      })
      .where('p.connection_id', connectionId)
      .select('p.id as id', 'p.entity as entity', 'p.crm_id as crm_id', 'p.field as field', 'l.crm_id as target')
      .limit(10_000)) as { id: number; entity: string; crm_id: string; field: string; target: string }[];
    for (const r of rows) await db(r.entity).where('id', r.crm_id).update({ [r.field]: r.target });
    if (rows.length > 0) await db(PENDING_REFS_TABLE).whereIn('id', rows.map((r) => r.id)).delete();
    return rows.length;
  });
}

export async function count(db: Db, connectionId: string): Promise<number> {
  const row = (await db(PENDING_REFS_TABLE).where('connection_id', connectionId).count({ n: '*' }).first()) as { n: unknown } | undefined;
  return Number(row?.n ?? 0);
}
