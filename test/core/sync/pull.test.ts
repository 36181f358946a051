import { randomBytes } from 'node:crypto';
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import { SecretBox } from '../../../core/secrets';
import * as connections from '../../../core/store/tables/connections';
import * as syncRuns from '../../../core/store/tables/sync-runs';
import * as syncState from '../../../core/store/tables/sync-state';
import * as rejected from '../../../core/store/tables/rejected-records';
import * as pendingRefs from '../../../core/store/tables/pending-refs';
import * as crm from '../../../core/store/crm';
import { compilePullMapping } from '../../../core/mapping/compile-pull';
import { compileCondition } from '../../../core/conditions';
import type { MappingDefinition } from '../../../core/generated/mapping';
import { runPull, type PullOptions } from '../../../core/sync/pull';
import type { PullPlan } from '../../../core/sync/pull-page';
import type { ReadOptions, SourcePage, StreamSource } from '../../../core/sync/source';

/**
 * A StreamSource over an in-memory list, paged by index, filtering by `updated` >= cursor in
 * incremental mode (like an API's "modified since"). It records which pages it served.
 */
class ListSource implements StreamSource {
  served: number[] = [];
  failAt: number | undefined;
  constructor(public records: Record<string, unknown>[], private pageSize = 3) {}
  async *read(options: ReadOptions): AsyncIterable<SourcePage> {
    const rows = options.mode === 'incremental' && options.cursor !== undefined ? this.records.filter((r) => String(r['updated']) >= String(options.cursor)) : this.records;
    let index = typeof options.checkpoint?.['next'] === 'number' ? (options.checkpoint['next'] as number) : 0;
    for (;;) {
      const page = index / this.pageSize;
      if (this.failAt === page) throw new Error(`source failed at page ${page}`);
      this.served.push(page);
      const records = rows.slice(index, index + this.pageSize);
      index += this.pageSize;
      const done = index >= rows.length;
      yield { records, checkpoint: done ? null : { next: index }, requests: 1, retries: 0 };
      if (done) return;
    }
  }
}

const box = new SecretBox(randomBytes(32));

const contactsDef: MappingDefinition = {
  id: 'src-contacts',
  connector: 'src',
  stream: 'people',
  entity: 'contacts',
  fields: { email: { path: 'email', transform: ['lowercase'] }, first_name: 'name', company_id: { ref: { entity: 'companies', path: 'company' } } },
  required: ['email'],
  match_on: ['email'],
  deletes: 'soft',
};

describe.each(DIALECTS)('pull runner on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase(dialect);
  });
  afterAll(async () => db.cleanup());

  async function setup(def: MappingDefinition, overrides: Partial<PullPlan> = {}) {
    const conn = await connections.create(db.knex, box, { name: `c-${randomBytes(4).toString('hex')}`, connectorId: def.connector, config: {}, secretKeys: [] });
    const mapping = compilePullMapping(def);
    const run = async (source: StreamSource, mode: 'full' | 'incremental' = 'full', options: PullOptions = {}) => {
      const { run } = await syncRuns.requestRun(db.knex, { connectionId: conn.id, mappingId: def.id, mode });
      await syncRuns.transition(db.knex, run.id, 'running');
      const plan: PullPlan = {
        runId: run.id,
        connectionId: conn.id,
        mappingId: def.id,
        mode,
        mapping,
        config: {},
        primaryKey: 'id',
        cursorField: 'updated',
        deleted: compileCondition({ path: 'archived', equals: true }),
        deletes: def.deletes ?? 'soft',
        conflict: def.conflict ?? 'source_wins',
        matchOn: def.match_on ?? [],
        ...overrides,
      };
      try {
        const result = await runPull(db.knex, plan, source, options);
        await syncRuns.transition(db.knex, run.id, result.outcome === 'succeeded' ? 'succeeded' : result.outcome === 'canceled' ? 'canceled' : 'queued');
        return { ...result, runId: run.id };
      } catch (err) {
        await syncRuns.transition(db.knex, run.id, 'failed', { error: { code: 'X', message: String(err) } });
        throw Object.assign(err as Error, { runId: run.id });
      }
    };
    const rowsOf = async (entity: string) =>
      (await db.knex(entity).select('*').orderBy('id')).map((r: Record<string, unknown>) => crm.readRecord(entity as never, r));
    return { conn, run, rowsOf, mapping };
  }

  it('syncs in full, skips unchanged records, updates changed ones and sweeps deletions', async () => {
    const { run, conn } = await setup(contactsDef);
    const people = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, email: `P${i}@x.test`, name: `P${i}`, updated: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z` }));
    const source = new ListSource(people);
    const first = await run(source);
    expect(first.counts).toMatchObject({ records_read: 10, records_created: 10, pages: 4 });
    const again = await run(new ListSource(people));
    expect(again.counts).toMatchObject({ records_read: 10, records_created: 0, records_updated: 0, records_unchanged: 10 });

    const changed = people.filter((p) => p.id !== 4).map((p) => (p.id === 2 ? { ...p, name: 'Renamed' } : p));
    const third = await run(new ListSource(changed));
    expect(third.counts).toMatchObject({ records_updated: 1, records_unchanged: 8, records_deleted: 1 });
    const live = await crm.list(db.knex, 'contacts', { filter: { email: { in: people.map((p) => p.email.toLowerCase()) } }, limit: 100 });
    expect(live.items.map((c) => c.email).sort()).toEqual(changed.map((p) => p.email.toLowerCase()).sort());
    expect(live.items.find((c) => c.email === 'p1@x.test')?.first_name).toBe('Renamed');

    // The deleted record comes back (and the renamed one is renamed back): revived, not duplicated.
    const fourth = await run(new ListSource(people));
    expect(fourth.counts).toMatchObject({ records_created: 0, records_updated: 2, records_unchanged: 8 });
    expect((await crm.list(db.knex, 'contacts', { filter: { email: 'p3@x.test' } })).items).toHaveLength(1);
    const state = await syncState.load(db.knex, { connectionId: conn.id, mappingId: contactsDef.id });
    // The durable cursor, and how much the last full run read (the next full run's sweep is weighed against it).
    expect(state).toEqual({ state: { cursor: '2026-01-01T00:00:09Z', last_full_run: { records: 10, run_id: expect.any(String), at: expect.any(String) } }, checkpoint: null, checkpointRunId: null });
  });

  it('runs incrementally from the committed cursor, rereading ties without rewriting them', async () => {
    const { run, conn } = await setup({ ...contactsDef, id: 'inc-contacts' });
    const people = Array.from({ length: 6 }, (_, i) => ({ id: i + 1, email: `i${i}@x.test`, name: `I${i}`, updated: `2026-02-01T00:00:0${i}Z` }));
    await run(new ListSource(people), 'full');
    // Two changes share the last cursor value; one new record too.
    people[5] = { ...people[5]!, name: 'I5b' };
    people.push({ id: 7, email: 'i6@x.test', name: 'I6', updated: '2026-02-01T00:00:05Z' });
    const source = new ListSource(people);
    const inc = await run(source, 'incremental');
    expect(inc.counts).toMatchObject({ records_read: 2, records_created: 1, records_updated: 1, records_unchanged: 0 });
    expect((await syncState.load(db.knex, { connectionId: conn.id, mappingId: 'inc-contacts' })).state).toEqual({ cursor: '2026-02-01T00:00:05Z', last_full_run: { records: 6, run_id: expect.any(String), at: expect.any(String) } });
    const again = await run(new ListSource(people), 'incremental');
    expect(again.counts).toMatchObject({ records_read: 2, records_unchanged: 2 });
  });

  it('merges duplicates under match_on, rejects records missing a required field, and goes on', async () => {
    const { run } = await setup({ ...contactsDef, id: 'dupes' });
    await crm.create(db.knex, 'contacts', { email: 'existing@x.test', first_name: 'Before' });
    const res = await run(
      new ListSource([
        { id: 'a', email: 'EXISTING@x.test', name: 'From source', updated: '1' },
        { id: 'b', email: 'twin@x.test', name: 'Twin 1', updated: '1' },
        { id: 'c', email: 'twin@x.test', name: 'Twin 2', updated: '1' },
        { id: 'd', name: 'No email', updated: '1' },
        { email: 'no-id@x.test', updated: '1' },
      ]),
    );
    expect(res.counts).toMatchObject({ records_read: 5, records_created: 1, records_updated: 2, records_rejected: 2 });
    expect((await crm.list(db.knex, 'contacts', { filter: { email: 'existing@x.test' } })).items.map((c) => c.first_name)).toEqual(['From source']);
    expect((await crm.list(db.knex, 'contacts', { filter: { email: 'twin@x.test' } })).items.map((c) => c.first_name)).toEqual(['Twin 2']);
    const reasons = await rejected.listByRun(db.knex, res.runId);
    expect(reasons.map((r) => [r.externalId, r.field, r.reason])).toEqual([
      ['d', 'email', 'email is required but missing'],
      [null, 'id', 'the record has no primary key at "id"'],
    ]);
    expect(reasons[0]!.record).toEqual({ id: 'd', name: 'No email', updated: '1' });
  });

  it('links references to records that arrive later, whatever the order of streams', async () => {
    const deals = await setup({ id: 'late-deals', connector: 'src', stream: 'deals', entity: 'deals', fields: { name: 'title', contact_id: { ref: { entity: 'contacts', path: 'person' } } } });
    // Same connection for the contacts mapping: share the connection id.
    const contactsPlan = compilePullMapping({ ...contactsDef, id: 'late-contacts' });
    await deals.run(new ListSource([{ id: 'D1', title: 'Deal 1', person: 'P9', updated: '1' }]));
    const deal = (await crm.list(db.knex, 'deals', { filter: { name: 'Deal 1' } })).items[0]!;
    expect(deal.contact_id).toBeNull();
    expect(await pendingRefs.count(db.knex, deals.conn.id)).toBe(1);

    const { run } = await syncRuns.requestRun(db.knex, { connectionId: deals.conn.id, mappingId: 'late-contacts', mode: 'full' });
    await syncRuns.transition(db.knex, run.id, 'running');
    const out = await runPull(
      db.knex,
      { runId: run.id, connectionId: deals.conn.id, mappingId: 'late-contacts', mode: 'full', mapping: contactsPlan, config: {}, primaryKey: 'id', cursorField: 'updated', deleted: undefined, deletes: 'soft', conflict: 'source_wins', matchOn: [] },
      new ListSource([{ id: 'P9', email: 'p9@late.test', name: 'Late', updated: '1' }]),
    );
    expect(out.refsResolved).toBe(1);
    const contact = (await crm.list(db.knex, 'contacts', { filter: { email: 'p9@late.test' } })).items[0]!;
    expect((await crm.get(db.knex, 'deals', deal.id)).contact_id).toBe(contact.id);
    expect(await pendingRefs.count(db.knex, deals.conn.id)).toBe(0);
  });

  it('resumes a failed run from its checkpoint without fetching earlier pages again', async () => {
    const { run, conn } = await setup({ ...contactsDef, id: 'resume' });
    const people = Array.from({ length: 12 }, (_, i) => ({ id: i, email: `r${i}@x.test`, name: `R${i}`, updated: `2026-03-01T00:00:${String(10 + i)}Z` }));
    const source = new ListSource(people);
    source.failAt = 2;
    const err = (await run(source).catch((e: unknown) => e)) as Error & { runId: string };
    expect(err.message).toMatch(/failed at page 2/);
    expect(source.served).toEqual([0, 1]);
    const stateAfterFailure = await syncState.load(db.knex, { connectionId: conn.id, mappingId: 'resume' });
    expect(stateAfterFailure.state).toEqual({}); // the durable cursor waits for success
    expect(stateAfterFailure.checkpoint).toEqual({ page: { next: 6 }, cursor: '2026-03-01T00:00:15Z', read: 6 });

    // The same run again (as a queue retry does): pages 0 and 1 are not fetched again.
    await db.knex('sync_runs').where('id', err.runId).update({ status: 'running' });
    source.failAt = undefined;
    source.served = [];
    const mapping = compilePullMapping({ ...contactsDef, id: 'resume' });
    const out = await runPull(
      db.knex,
      { runId: err.runId, connectionId: conn.id, mappingId: 'resume', mode: 'full', mapping, config: {}, primaryKey: 'id', cursorField: 'updated', deleted: undefined, deletes: 'soft', conflict: 'source_wins', matchOn: ['email'] },
      source,
    );
    expect(source.served).toEqual([2, 3]);
    expect(out.counts).toMatchObject({ records_created: 6, records_deleted: 0 });
    expect((await crm.list(db.knex, 'contacts', { filter: { email: { in: people.map((p) => p.email) } }, limit: 100 })).items).toHaveLength(12);
    expect((await syncRuns.get(db.knex, err.runId)).counts).toMatchObject({ records_read: 12, records_created: 12, pages: 4 });
    // Both attempts' records count as what this full run read.
    expect((await syncState.load(db.knex, { connectionId: conn.id, mappingId: 'resume' })).state).toEqual({ cursor: '2026-03-01T00:00:21Z', last_full_run: { records: 12, run_id: err.runId, at: expect.any(String) } });
  });

  it('stops between pages when the run is canceled', async () => {
    const { run, conn } = await setup({ ...contactsDef, id: 'cancel' });
    const people = Array.from({ length: 30 }, (_, i) => ({ id: i, email: `k${i}@x.test`, name: 'K', updated: '1' }));
    const source = new ListSource(people);
    let pendingCancel: Promise<unknown> | undefined;
    const res = await run(source, 'full', {
      batchRecords: 3, // one page per transaction, so there are page boundaries to stop at
      onPage: (p) => {
        if (p.pages === 2) pendingCancel = syncRuns.findActive(db.knex, conn.id, 'cancel').then((r) => syncRuns.requestCancel(db.knex, r!.id));
      },
    });
    await pendingCancel;
    expect(res.outcome).toBe('canceled');
    expect(res.counts.pages).toBeGreaterThanOrEqual(2);
    expect(res.counts.pages).toBeLessThan(10);
    expect((await syncRuns.get(db.knex, res.runId)).status).toBe('canceled');
    // Nothing is swept by a canceled full run.
    expect(res.counts.records_deleted).toBe(0);
  });

  it('applies deletion markers: soft keeps the row with deleted_at, hard removes it', async () => {
    const soft = await setup({ ...contactsDef, id: 'mark-soft', match_on: [] });
    await soft.run(new ListSource([{ id: 1, email: 'm1@x.test', name: 'M', updated: '1' }]));
    const r = await soft.run(new ListSource([{ id: 1, email: 'm1@x.test', name: 'M', updated: '2', archived: true }]), 'incremental');
    expect(r.counts.records_deleted).toBe(1);
    expect((await crm.list(db.knex, 'contacts', { filter: { email: 'm1@x.test' }, includeDeleted: true })).items[0]!.deleted_at).not.toBeNull();

    const hard = await setup({ ...contactsDef, id: 'mark-hard', match_on: [], deletes: 'hard' });
    await hard.run(new ListSource([{ id: 1, email: 'h1@x.test', name: 'H', updated: '1' }]));
    const [contact] = (await crm.list(db.knex, 'contacts', { filter: { email: 'h1@x.test' } })).items;
    const deal = await crm.create(db.knex, 'deals', { name: 'Referencing', contact_id: contact!.id }, { origin: 'sync' });
    await new Promise((r) => setTimeout(r, 5)); // updated_at has millisecond precision
    await hard.run(new ListSource([{ id: 1, email: 'h1@x.test', updated: '2', archived: true }]), 'incremental');
    expect((await crm.list(db.knex, 'contacts', { filter: { email: 'h1@x.test' }, includeDeleted: true })).items).toHaveLength(0);
    // The deal lost its contact as a write of its own: "changed since" readers see it.
    const after = await crm.get(db.knex, 'deals', deal.id);
    expect(after.contact_id).toBeNull();
    expect(after.updated_at > deal.updated_at).toBe(true);
  });

  it('lets CRM edits win under crm_wins, and the newest side win under newest_wins', async () => {
    for (const conflict of ['crm_wins', 'newest_wins'] as const) {
      const s = await setup({ ...contactsDef, id: `conflict-${conflict}`, match_on: [], conflict });
      await s.run(new ListSource([{ id: 1, email: `${conflict}@x.test`, name: 'Source v1', updated: '2020-01-01T00:00:00Z' }]));
      const row = (await crm.list(db.knex, 'contacts', { filter: { email: `${conflict}@x.test` } })).items[0]!;
      await crm.update(db.knex, 'contacts', row.id, { first_name: 'CRM edit' }, { origin: 'api' });
      // The source changes too, with a modification time before the CRM edit.
      await s.run(new ListSource([{ id: 1, email: `${conflict}@x.test`, name: 'Source v2', updated: '2020-01-02T00:00:00Z' }]));
      expect((await crm.get(db.knex, 'contacts', row.id)).first_name).toBe('CRM edit');
      // A source change newer than the CRM edit wins under newest_wins only.
      await s.run(new ListSource([{ id: 1, email: `${conflict}@x.test`, name: 'Source v3', updated: '2999-01-01T00:00:00Z' }]));
      expect((await crm.get(db.knex, 'contacts', row.id)).first_name).toBe(conflict === 'crm_wins' ? 'CRM edit' : 'Source v3');
    }
  });
});
