// The change outbox as push reads it: every CRM write not made by a sync records a change in
// its own transaction (and only if it commits), sync writes never do, and on PostgreSQL a change
// that commits after a later-numbered one is still read, never skipped.
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import * as crm from '../../../core/store/crm';
import * as outbox from '../../../core/store/tables/change-outbox';
import { readChanges, coalesce } from '../../../core/sync/push-changes';

describe.each(DIALECTS)('change outbox for push on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase(dialect);
  });
  afterAll(async () => db.cleanup());

  const since = async (after: number) => (await outbox.listAfter(db.knex, after, 1000)).map((c) => [c.operation, c.origin, c.recordId]);

  it('records a change for every write by the API, the repository and the CLI, and none for syncs', async () => {
    const start = await outbox.latestId(db.knex);
    const a = await crm.create(db.knex, 'contacts', { email: 'a@outbox.test' }, { origin: 'api' });
    const b = await crm.create(db.knex, 'contacts', { email: 'b@outbox.test' });
    await crm.update(db.knex, 'contacts', a.id, { first_name: 'A' }, { origin: 'cli' });
    await crm.softDelete(db.knex, 'contacts', b.id, { origin: 'api' });
    await crm.hardDelete(db.knex, 'contacts', a.id, { origin: 'repository' });
    await crm.bulkUpsert(db.knex, 'contacts', [{ id: a.id, email: 'a@outbox.test' }], { origin: 'api' });
    expect(await since(start)).toEqual([
      ['create', 'api', a.id],
      ['create', 'repository', b.id],
      ['update', 'cli', a.id],
      ['delete', 'api', b.id],
      ['delete', 'repository', a.id],
      ['create', 'api', a.id],
    ]);

    const synced = await outbox.latestId(db.knex);
    const c = await crm.create(db.knex, 'contacts', { email: 'c@outbox.test' }, { origin: 'sync' });
    await crm.update(db.knex, 'contacts', c.id, { first_name: 'C' }, { origin: 'sync' });
    await crm.bulkUpsert(db.knex, 'contacts', [{ id: c.id, last_name: 'Sync' }]);
    await crm.softDelete(db.knex, 'contacts', c.id, { origin: 'sync' });
    expect(await outbox.latestId(db.knex)).toBe(synced);
  });

  it('records nothing for a write that fails or whose transaction rolls back', async () => {
    const start = await outbox.latestId(db.knex);
    const c = await crm.create(db.knex, 'contacts', { email: 'x@outbox.test' }, { origin: 'api' });
    await expect(crm.update(db.knex, 'contacts', c.id, { first_name: 'X' }, { origin: 'api', ifUpdatedAt: '2000-01-01T00:00:00.000Z' })).rejects.toMatchObject({ code: 'SB_PRECONDITION_FAILED' });
    await expect(crm.create(db.knex, 'contacts', { email: 'y@outbox.test', company_id: '00000000-0000-7000-8000-000000000000' }, { origin: 'api' })).rejects.toMatchObject({ code: 'SB_DB_FOREIGN_KEY' });
    await expect(
      db.knex.transaction(async (trx) => {
        await crm.update(trx, 'contacts', c.id, { first_name: 'Rolled back' }, { origin: 'api' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await since(start)).toEqual([['create', 'api', c.id]]);
    expect((await crm.get(db.knex, 'contacts', c.id)).first_name).toBeNull();
  });

  it('coalesces a window per record: first and last change, deletes, and the fields set', async () => {
    const start = await outbox.latestId(db.knex);
    const c = await crm.create(db.knex, 'contacts', { email: 'w@outbox.test' }, { origin: 'api' });
    const d = await crm.create(db.knex, 'contacts', { email: 'v@outbox.test' }, { origin: 'api' });
    await crm.update(db.knex, 'contacts', c.id, { first_name: 'W', custom: { score: 3 } }, { origin: 'api' });
    await crm.softDelete(db.knex, 'contacts', d.id, { origin: 'api' });
    const changes = await readChanges(db.knex, 'contacts', start, 100);
    const [first, second] = coalesce(changes);
    expect(first).toMatchObject({ crmId: c.id, first: changes[0]!.id, last: changes[2]!.id, deleted: false });
    expect([...first!.fields].sort()).toEqual(['custom.score', 'email', 'first_name']);
    expect(second).toMatchObject({ crmId: d.id, first: changes[1]!.id, last: changes[3]!.id, deleted: true });
  });

  if (dialect === 'postgres') {
    it('waits for a transaction that drew a smaller id to commit instead of reading past it', async () => {
      const start = await outbox.latestId(db.knex);
      const slow = await db.knex.transaction();
      const early = await crm.create(slow, 'contacts', { email: 'early@outbox.test' }, { origin: 'api' });
      const late = await crm.create(db.knex, 'contacts', { email: 'late@outbox.test' }, { origin: 'api' });
      // A plain read now sees only the later change: a position moved past it would lose the other.
      expect((await outbox.listAfter(db.knex, start, 100)).map((c) => c.recordId)).toEqual([late.id]);

      let settled = false;
      const reading = readChanges(db.knex, 'contacts', start, 100).then((changes) => {
        settled = true;
        return changes;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      await slow.commit();
      expect((await reading).map((c) => c.recordId)).toEqual([early.id, late.id]);
    });
  }
});
