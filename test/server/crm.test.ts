// The CRM REST API on both databases: create/get/update/delete, pagination, filters, sorting,
// ETags and preconditions, status codes, and every write in the change outbox with origin api.
import { DIALECTS } from '../helpers/db';
import { createTestServer, type TestServer } from './helpers';

type Json = Record<string, unknown>;

describe.each(DIALECTS)('CRM API on %s', (dialect) => {
  let s: TestServer;
  let token: string;
  let reader: string;

  beforeAll(async () => {
    s = await createTestServer(dialect);
    token = await s.token(['crm:read', 'crm:write']);
    reader = await s.token(['crm:read']);
  });
  afterAll(async () => s.close());

  const post = (url: string, payload: unknown) => s.call(token, { method: 'POST', url, payload: payload as Json });
  const get = (url: string, headers: Record<string, string> = {}) => s.call(token, { method: 'GET', url, headers });

  it('creates a record: 201 with Location, ETag and the full record', async () => {
    const res = await post('/crm/companies', { name: 'Acme', domain: 'acme.test', custom: { tier: 'gold' } });
    expect(res.statusCode).toBe(201);
    const body = res.json() as Json;
    expect(body).toMatchObject({ name: 'Acme', domain: 'acme.test', industry: null, custom: { tier: 'gold' }, deleted_at: null });
    expect(res.headers['location']).toBe(`/crm/companies/${String(body['id'])}`);
    expect(res.headers['etag']).toBe(`"${String(body['updated_at'])}"`);
  });

  it('gets a record with its ETag, and 304 for If-None-Match with the current tag', async () => {
    const created = (await post('/crm/contacts', { email: 'etag@example.com' })).json() as Json;
    const res = await get(`/crm/contacts/${String(created['id'])}`);
    expect(res.statusCode).toBe(200);
    const etag = String(res.headers['etag']);
    const again = await get(`/crm/contacts/${String(created['id'])}`, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers['etag']).toBe(etag);
    expect((await get(`/crm/contacts/${String(created['id'])}`, { 'if-none-match': `W/${etag}` })).statusCode).toBe(304);
    expect((await get(`/crm/contacts/${String(created['id'])}`, { 'if-none-match': '"stale"' })).statusCode).toBe(200);
  });

  it('answers many concurrent reads (coalesced into few queries) each with its own record, and reads its own writes', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(String(((await post('/crm/companies', { name: `Concurrent ${i}` })).json() as Json)['id']));
    const wanted = [...ids, ...ids.slice(0, 5), '0190f0a0-0000-7000-8000-00000000beef', 'x'.repeat(100)];
    const answers = await Promise.all(wanted.map((id) => get(`/crm/companies/${id}`)));
    answers.forEach((res, i) => {
      if (i < 25) expect(res.json()).toMatchObject({ id: wanted[i], name: `Concurrent ${ids.indexOf(wanted[i]!)}` });
      else expect(res.statusCode).toBe(404);
    });
    const [patched, read] = [await s.call(token, { method: 'PATCH', url: `/crm/companies/${ids[0]!}`, payload: { name: 'Renamed' } }), await get(`/crm/companies/${ids[0]!}`)];
    expect(patched.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ name: 'Renamed' });
  });

  it('updates with PATCH; If-Match with a stale tag answers 412, with the current tag 200', async () => {
    const created = await post('/crm/deals', { name: 'Big', amount: 1000, currency: 'EUR' });
    const id = String((created.json() as Json)['id']);
    const etag = String(created.headers['etag']);
    const first = await s.call(token, { method: 'PATCH', url: `/crm/deals/${id}`, payload: { stage: 'won', amount: null }, headers: { 'if-match': etag } });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ stage: 'won', amount: null, name: 'Big' });
    expect(first.headers['etag']).not.toBe(etag);
    const stale = await s.call(token, { method: 'PATCH', url: `/crm/deals/${id}`, payload: { stage: 'lost' }, headers: { 'if-match': etag } });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ statusCode: 412, code: 'SB_PRECONDITION_FAILED' });
    expect((await s.call(token, { method: 'PATCH', url: `/crm/deals/${id}`, payload: { stage: 'x' }, headers: { 'if-match': 'W/"whatever"' } })).statusCode).toBe(412);
    expect((await s.call(token, { method: 'PATCH', url: `/crm/deals/${id}`, payload: { stage: 'x' }, headers: { 'if-match': `"nope", ${String(first.headers['etag'])}` } })).statusCode).toBe(200);
    expect((await s.call(token, { method: 'PATCH', url: `/crm/deals/${id}`, payload: { stage: 'y' }, headers: { 'if-match': '*' } })).statusCode).toBe(200);
  });

  it('merges custom fields key by key; null removes a key', async () => {
    const id = String(((await post('/crm/contacts', { email: 'c@example.com', custom: { a: 1, b: 2 } })).json() as Json)['id']);
    const res = await s.call(token, { method: 'PATCH', url: `/crm/contacts/${id}`, payload: { custom: { b: null, c: 3 } } });
    expect((res.json() as Json)['custom']).toEqual({ a: 1, c: 3 });
  });

  it('soft-deletes: 204, then 404; If-Match guards the delete', async () => {
    const created = await post('/crm/activities', { type: 'call', subject: 'Hello', occurred_at: '2026-01-02T03:04:05Z' });
    const id = String((created.json() as Json)['id']);
    expect((await s.call(token, { method: 'DELETE', url: `/crm/activities/${id}`, headers: { 'if-match': '"2000-01-01T00:00:00.000Z"' } })).statusCode).toBe(412);
    const del = await s.call(token, { method: 'DELETE', url: `/crm/activities/${id}`, headers: { 'if-match': String(created.headers['etag']) } });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    const gone = await get(`/crm/activities/${id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 'SB_DB_NOT_FOUND' });
    expect((await s.call(token, { method: 'DELETE', url: `/crm/activities/${id}` })).statusCode).toBe(404);
    expect((await s.call(token, { method: 'PATCH', url: `/crm/activities/${id}`, payload: { subject: 'x' }, headers: { 'if-match': '"x"' } })).statusCode).toBe(404);
  });

  it('answers 409 for a duplicate id, 422 for a missing reference, 400 for schema violations', async () => {
    const id = '0190f0a0-0000-7000-8000-000000000001';
    expect((await post('/crm/companies', { id, name: 'One' })).statusCode).toBe(201);
    const dup = await post('/crm/companies', { id, name: 'Two' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'SB_DB_UNIQUE' });
    const fk = await post('/crm/contacts', { email: 'fk@example.com', company_id: '0190f0a0-0000-7000-8000-00000000dead' });
    expect(fk.statusCode).toBe(422);
    expect(fk.json()).toMatchObject({ code: 'SB_DB_FOREIGN_KEY' });
    const bad = await post('/crm/activities', { type: 'telegram' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'SB_BAD_REQUEST', message: expect.stringContaining('body/type') });
    const unknown = await post('/crm/deals', { name: 'x', colour: 'red' });
    expect(unknown.statusCode).toBe(400);
    expect((unknown.json() as Json)['message']).toContain('colour');
    expect((await post('/crm/deals', { probability: 101 })).statusCode).toBe(400);
    expect((await post('/crm/deals', { close_date: '2026-02-30' })).statusCode).toBe(400);
    expect((await s.call(token, { method: 'PATCH', url: `/crm/companies/${id}`, payload: {} })).statusCode).toBe(400);
  });

  it('lists with cursor pagination, filters, updated_since and sorting', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await post('/crm/contacts', { email: `page${i}@list.test`, lifecycle_stage: i % 2 === 0 ? 'lead' : 'customer', custom: { n: i } });
      made.push(String((res.json() as Json)['id']));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/crm/contacts?limit=3&lifecycle_stage=lead${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const page = (await get(url)).json() as { items: Json[]; next_cursor: string | null };
      seen.push(...page.items.map((r) => String(r['id'])));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    const leads = made.filter((_, i) => i % 2 === 0);
    expect(seen.filter((id) => made.includes(id))).toEqual(leads);
    const byEmail = (await get('/crm/contacts?email=page3%40list.test')).json() as { items: Json[] };
    expect(byEmail.items.map((r) => r['id'])).toEqual([made[3]]);
    const byCustom = (await get('/crm/contacts?custom.n=5')).json() as { items: Json[] };
    expect(byCustom.items.map((r) => r['id'])).toEqual([made[5]]);
    const desc = (await get('/crm/contacts?sort=created_at&order=desc&limit=2')).json() as { items: Json[]; next_cursor: string };
    expect(desc.items[0]!['id']).toBe(made[6]);
    const wrongSort = await get(`/crm/contacts?sort=id&cursor=${encodeURIComponent(desc.next_cursor)}`);
    expect(wrongSort.statusCode).toBe(400);
    expect(wrongSort.json()).toMatchObject({ code: 'SB_DB_INVALID_CURSOR' });
    const future = (await get('/crm/contacts?updated_since=2999-01-01T00:00:00Z')).json() as { items: Json[] };
    expect(future.items).toEqual([]);
    expect((await get('/crm/contacts?colour=red')).statusCode).toBe(400);
    expect((await get('/crm/contacts?limit=0')).statusCode).toBe(400);
    expect((await get('/crm/contacts?limit=1001')).statusCode).toBe(400);
  });

  it('puts every API write in the change outbox with origin api', async () => {
    const id = String(((await post('/crm/companies', { name: 'Outboxed' })).json() as Json)['id']);
    await s.call(token, { method: 'PATCH', url: `/crm/companies/${id}`, payload: { industry: 'tools' } });
    await s.call(token, { method: 'DELETE', url: `/crm/companies/${id}` });
    const rows = (await s.db.knex('change_outbox').where({ entity: 'companies', record_id: id }).orderBy('id')) as Json[];
    expect(rows.map((r) => [r['operation'], r['origin']])).toEqual([
      ['create', 'api'],
      ['update', 'api'],
      ['delete', 'api'],
    ]);
  });

  it('needs crm:write to write and crm:read to read', async () => {
    const denied = await s.call(reader, { method: 'POST', url: '/crm/companies', payload: { name: 'x' } });
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['www-authenticate']).toContain('insufficient_scope');
    expect((await s.call(reader, { method: 'GET', url: '/crm/companies' })).statusCode).toBe(200);
  });
});
