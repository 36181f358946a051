import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import * as crm from '../../../core/store/crm';
import * as outbox from '../../../core/store/tables/change-outbox';
import { SwitchboardError } from '../../../core/errors';

async function expectCode(promise: Promise<unknown>, code: string, message?: RegExp): Promise<SwitchboardError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SwitchboardError);
  expect(`${(err as SwitchboardError).code} ${(err as Error).message}`).toMatch(new RegExp(`^${code} `));
  if (message) expect((err as SwitchboardError).message).toMatch(message);
  return err as SwitchboardError;
}

describe.each(DIALECTS)('CRM repository on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase(dialect);
  });
  afterAll(async () => db.cleanup());

  const count = async (table: string) => Number(((await db.knex(table).count({ n: '*' }).first()) as { n: unknown }).n);

  it('creates, gets, updates and soft-deletes a record, recording each change in the outbox', async () => {
    const before = await outbox.latestId(db.knex);
    const company = await crm.create(db.knex, 'companies', { name: 'Acme', domain: 'acme.test', custom: { tier: 'gold' } });
    expect(company).toMatchObject({ name: 'Acme', domain: 'acme.test', custom: { tier: 'gold' }, deleted_at: null, industry: null });
    expect(company.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await crm.get(db.knex, 'companies', company.id)).toEqual(company);

    const updated = await crm.update(db.knex, 'companies', company.id, { industry: 'Tools', custom: { size: 50 } }, { origin: 'api' });
    expect(updated).toMatchObject({ name: 'Acme', industry: 'Tools', custom: { tier: 'gold', size: 50 } });
    expect(updated.updated_at > company.updated_at).toBe(true);
    expect(await crm.get(db.knex, 'companies', company.id)).toEqual(updated);

    await crm.softDelete(db.knex, 'companies', company.id, { origin: 'api' });
    await expectCode(crm.get(db.knex, 'companies', company.id), 'SB_DB_NOT_FOUND');
    expect((await crm.get(db.knex, 'companies', company.id, { includeDeleted: true })).deleted_at).not.toBeNull();

    const changes = await outbox.listAfter(db.knex, before, 10);
    expect(changes.map((c) => [c.operation, c.origin, c.recordId])).toEqual([
      ['create', 'repository', company.id],
      ['update', 'api', company.id],
      ['delete', 'api', company.id],
    ]);
    expect(changes[1]!.changes).toEqual({ industry: 'Tools', custom: { tier: 'gold', size: 50 } });
  });

  it('keeps every field type as given on both databases', async () => {
    const company = await crm.create(db.knex, 'companies', { name: 'Types Inc' });
    const contact = await crm.create(db.knex, 'contacts', { email: 'ada@types.test', company_id: company.id });
    const deal = await crm.create(db.knex, 'deals', {
      name: 'Big one',
      amount: 12345.67,
      currency: 'EUR',
      probability: 37.5,
      close_date: '2026-02-28',
      contact_id: contact.id,
      company_id: company.id,
    });
    const activity = await crm.create(db.knex, 'activities', {
      type: 'call',
      direction: 'outbound',
      occurred_at: '2026-01-02T03:04:05+02:00',
      deal_id: deal.id,
    });
    const reread = await crm.get(db.knex, 'deals', deal.id);
    expect(reread).toMatchObject({ amount: 12345.67, probability: 37.5, close_date: '2026-02-28', currency: 'EUR' });
    expect((await crm.get(db.knex, 'activities', activity.id)).occurred_at).toBe('2026-01-02T01:04:05.000Z');
  });

  it('refuses an unknown entity, unknown fields and wrong types, writing nothing', async () => {
    const rows = await count('contacts');
    const changes = await outbox.latestId(db.knex);
    await expectCode(crm.create(db.knex, 'people', { email: 'x' }), 'SB_DB_UNKNOWN_ENTITY', /unknown entity "people"/);
    await expectCode(crm.create(db.knex, 'contacts', { emial: 'x@y.z' }), 'SB_DB_UNKNOWN_FIELD', /contacts has no field "emial"/);
    const e = await expectCode(crm.create(db.knex, 'contacts', { email: 42 }), 'SB_DB_INVALID_VALUE', /contacts\.email: expected a string/);
    expect(e.details).toEqual({ entity: 'contacts', field: 'email' });
    await expectCode(crm.create(db.knex, 'deals', { amount: '12' }), 'SB_DB_INVALID_VALUE', /deals\.amount/);
    await expectCode(crm.create(db.knex, 'deals', { close_date: '2026-02-30' }), 'SB_DB_INVALID_VALUE', /not a calendar date/);
    await expectCode(crm.create(db.knex, 'activities', { type: 'fax' }), 'SB_DB_INVALID_VALUE', /expected one of call, email/);
    await expectCode(crm.create(db.knex, 'activities', { occurred_at: 'yesterday' }), 'SB_DB_INVALID_VALUE', /ISO-8601/);
    await expectCode(crm.create(db.knex, 'contacts', { custom: [1] }), 'SB_DB_INVALID_VALUE', /custom: expected an object/);
    expect(await count('contacts')).toBe(rows);
    expect(await outbox.latestId(db.knex)).toBe(changes);
  });

  it('refuses a reference to a missing record, naming the field, and leaves nothing half-written', async () => {
    const rows = await count('deals');
    const changes = await outbox.latestId(db.knex);
    const company = await crm.create(db.knex, 'companies', { name: 'Real' });
    const afterCompany = await outbox.latestId(db.knex);
    await expectCode(
      crm.create(db.knex, 'deals', { name: 'Ghost', company_id: company.id, contact_id: '00000000-0000-7000-8000-000000000000' }),
      'SB_DB_FOREIGN_KEY',
      /deals\.contact_id: no contact with id "00000000-0000-7000-8000-000000000000"/,
    );
    expect(await count('deals')).toBe(rows);
    expect(await outbox.latestId(db.knex)).toBe(afterCompany);
    expect(afterCompany).toBeGreaterThan(changes);
  });

  it('refuses an update of a missing record and a stale precondition', async () => {
    await expectCode(crm.update(db.knex, 'contacts', '00000000-0000-7000-8000-000000000001', { title: 'x' }), 'SB_DB_NOT_FOUND');
    const c = await crm.create(db.knex, 'contacts', { email: 'pre@cond.test' });
    await crm.update(db.knex, 'contacts', c.id, { title: 'CEO' });
    await expectCode(crm.update(db.knex, 'contacts', c.id, { title: 'CTO' }, { ifUpdatedAt: c.updated_at }), 'SB_PRECONDITION_FAILED');
    await expectCode(crm.update(db.knex, 'contacts', c.id, { id: 'other' }), 'SB_DB_INVALID_VALUE', /cannot be changed/);
    expect((await crm.get(db.knex, 'contacts', c.id)).title).toBe('CEO');
  });

  it('lists with cursor pagination, filters and sorting', async () => {
    const company = await crm.create(db.knex, 'companies', { name: 'Listed' });
    const created: crm.EntityRecord[] = [];
    for (let i = 0; i < 25; i++) {
      created.push(await crm.create(db.knex, 'contacts', { email: `p${i}@list.test`, company_id: company.id, lifecycle_stage: i % 2 === 0 ? 'lead' : 'customer' }));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await crm.list(db.knex, 'contacts', { filter: { company_id: company.id }, limit: 10, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((r) => r.id));
      cursor = page.next_cursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(created.map((c) => c.id));

    const leads = await crm.list(db.knex, 'contacts', { filter: { company_id: company.id, lifecycle_stage: 'lead' }, limit: 100 });
    expect(leads.items).toHaveLength(13);

    // Newest change first, across pages, with ties on updated_at broken by id.
    await crm.update(db.knex, 'contacts', created[3]!.id, { title: 'touched' });
    const desc: string[] = [];
    cursor = undefined;
    do {
      const page = await crm.list(db.knex, 'contacts', { filter: { company_id: company.id }, sort: 'updated_at', order: 'desc', limit: 7, ...(cursor ? { cursor } : {}) });
      desc.push(...page.items.map((r) => r.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    expect(desc[0]).toBe(created[3]!.id);
    expect(new Set(desc).size).toBe(25);

    const since = await crm.list(db.knex, 'contacts', { filter: { company_id: company.id, updated_at: { gt: created[24]!.updated_at } } });
    expect(since.items.map((r) => r.id)).toEqual([created[3]!.id]);
    const inList = await crm.list(db.knex, 'contacts', { filter: { email: { in: ['p1@list.test', 'p2@list.test'] } } });
    expect(inList.items).toHaveLength(2);
  });

  it('filters on custom fields and refuses bad list options', async () => {
    await crm.create(db.knex, 'companies', { name: 'Custom A', custom: { region: 'emea', seats: 5 } });
    await crm.create(db.knex, 'companies', { name: 'Custom B', custom: { region: 'apac', seats: 7 } });
    expect((await crm.list(db.knex, 'companies', { filter: { 'custom.region': 'emea' } })).items.map((c) => c.name)).toEqual(['Custom A']);
    expect((await crm.list(db.knex, 'companies', { filter: { 'custom.seats': 7 } })).items.map((c) => c.name)).toEqual(['Custom B']);
    await expectCode(crm.list(db.knex, 'companies', { filter: { nope: 1 } }), 'SB_DB_UNKNOWN_FIELD');
    await expectCode(crm.list(db.knex, 'companies', { limit: 0 }), 'SB_DB_INVALID_VALUE');
    await expectCode(crm.list(db.knex, 'companies', { cursor: 'garbage' }), 'SB_DB_INVALID_CURSOR');
    const page = await crm.list(db.knex, 'companies', { limit: 1 });
    await expectCode(crm.list(db.knex, 'companies', { cursor: page.next_cursor!, sort: 'updated_at' }), 'SB_DB_INVALID_CURSOR', /issued for sort=id/);
    await expectCode(crm.list(db.knex, 'companies', { filter: { domain: { like: 'x' } as never } }), 'SB_DB_INVALID_VALUE', /unknown filter operator/);
  });

  it('bulk-upserts: inserts, updates only given fields, merges custom, and writes nothing to the outbox for syncs', async () => {
    const changes = await outbox.latestId(db.knex);
    const ids = ['01900000-0000-7000-8000-000000000001', '01900000-0000-7000-8000-000000000002'];
    await crm.bulkUpsert(db.knex, 'contacts', [
      { id: ids[0]!, email: 'bulk1@x.test', first_name: 'A', custom: { a: 1 } },
      { id: ids[1]!, email: 'bulk2@x.test', first_name: 'B', custom: { b: 1 } },
    ]);
    await crm.update(db.knex, 'contacts', ids[0]!, { custom: { kept: true } }, { origin: 'sync' });
    await crm.bulkUpsert(db.knex, 'contacts', [{ id: ids[0]!, first_name: 'A2', custom: { a: 2 } }]);
    const a = await crm.get(db.knex, 'contacts', ids[0]!);
    expect(a).toMatchObject({ email: 'bulk1@x.test', first_name: 'A2', custom: { a: 2, kept: true } });
    expect(await outbox.latestId(db.knex)).toBe(changes);

    await crm.bulkUpsert(db.knex, 'contacts', [{ id: ids[1]!, title: 'Boss' }, { id: '01900000-0000-7000-8000-000000000003', email: 'new@x.test' }], { origin: 'api' });
    const recorded = await outbox.listAfter(db.knex, changes, 10);
    expect(recorded.map((c) => c.operation)).toEqual(['update', 'create']);
  });

  it('bulk-upserts many rows in chunks', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: `01910000-0000-7000-8000-${String(i).padStart(12, '0')}`, email: `m${i}@many.test`, first_name: `N${i}`, last_name: 'Many', phone: '1', title: 'x', lifecycle_stage: 'lead', owner: 'o' }));
    await crm.bulkUpsert(db.knex, 'contacts', rows);
    expect((await crm.list(db.knex, 'contacts', { filter: { last_name: 'Many' }, limit: 1000 })).items).toHaveLength(1000);
    expect(Number(((await db.knex('contacts').where('last_name', 'Many').count({ n: '*' }).first()) as { n: unknown }).n)).toBe(5000);
  });

  it('rolls back a whole bulk upsert when one row references a missing record', async () => {
    const before = await count('deals');
    await expectCode(
      crm.bulkUpsert(db.knex, 'deals', [
        { id: '01920000-0000-7000-8000-000000000001', name: 'ok' },
        { id: '01920000-0000-7000-8000-000000000002', name: 'bad', contact_id: '01920000-0000-7000-8000-0000000000ff' },
      ]),
      'SB_DB_FOREIGN_KEY',
    );
    expect(await count('deals')).toBe(before);
    await expectCode(crm.bulkUpsert(db.knex, 'deals', [{ id: '01920000-0000-7000-8000-000000000003', amount: 'lots' }]), 'SB_DB_INVALID_VALUE');
  });

  it('hard-deletes, nulling references to the record as writes of their own (updated_at, outbox)', async () => {
    const company = await crm.create(db.knex, 'companies', { name: 'Gone' });
    const contact = await crm.create(db.knex, 'contacts', { email: 'orphan@x.test', company_id: company.id });
    const deal = await crm.create(db.knex, 'deals', { name: 'Orphan deal', company_id: company.id, contact_id: contact.id });
    const before = await outbox.latestId(db.knex);
    await new Promise((r) => setTimeout(r, 5)); // updated_at has millisecond precision
    await crm.hardDelete(db.knex, 'companies', company.id, { origin: 'api' });
    expect(await crm.find(db.knex, 'companies', company.id, { includeDeleted: true })).toBeUndefined();
    const after = await crm.get(db.knex, 'contacts', contact.id);
    expect(after.company_id).toBeNull();
    expect(after.updated_at > contact.updated_at).toBe(true);
    expect(await crm.get(db.knex, 'deals', deal.id)).toMatchObject({ company_id: null, contact_id: contact.id });
    const changes = (await outbox.listAfter(db.knex, before, 10)).map((c) => [c.entity, c.recordId, c.operation, c.changes]);
    expect(changes).toEqual([
      ['contacts', contact.id, 'update', { company_id: null }],
      ['deals', deal.id, 'update', { company_id: null }],
      ['companies', company.id, 'delete', {}],
    ]);
    await expectCode(crm.hardDelete(db.knex, 'companies', company.id), 'SB_DB_NOT_FOUND');
  });
});
