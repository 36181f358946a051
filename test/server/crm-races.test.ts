// If-Match races, on both databases: writers that all hold the same ETag send their PATCH (or
// DELETE) at once; exactly one wins each version, every other gets 412, and the record ends as
// the winner left it. Bounded: 8 writers, 4 versions.
import { ALL_SCOPES } from '../../server/auth/scopes';
import { DIALECTS } from '../helpers/db';
import { createTestServer, type TestServer } from './helpers';

type Json = Record<string, unknown>;
const WRITERS = 8;
const VERSIONS = 4;

describe.each(DIALECTS)('If-Match races on %s', (dialect) => {
  let s: TestServer;
  let token: string;

  beforeAll(async () => {
    s = await createTestServer(dialect, { rateLimit: false });
    token = await s.token([...ALL_SCOPES]);
  });
  afterAll(async () => s.close());

  it(`has exactly one winner among ${WRITERS} concurrent PATCHes of each version`, async () => {
    const created = await s.call(token, { method: 'POST', url: '/crm/deals', payload: { name: 'Contested', amount: 0 } });
    const id = String((created.json() as Json)['id']);
    let etag = String(created.headers['etag']);
    for (let version = 1; version <= VERSIONS; version++) {
      const answers = await Promise.all(
        Array.from({ length: WRITERS }, (_, writer) => s.call(token, { method: 'PATCH', url: `/crm/deals/${id}`, payload: { amount: version * 100 + writer }, headers: { 'if-match': etag } })),
      );
      const winners = answers.filter((a) => a.statusCode === 200);
      expect({ version, winners: winners.length, losers: answers.filter((a) => a.statusCode === 412).length }).toEqual({ version, winners: 1, losers: WRITERS - 1 });
      const winner = winners[0]!;
      expect(winner.headers['etag']).not.toBe(etag);
      const current = await s.call(token, { method: 'GET', url: `/crm/deals/${id}` });
      expect((current.json() as Json)['amount']).toBe((winner.json() as Json)['amount']);
      expect(current.headers['etag']).toBe(winner.headers['etag']);
      etag = String(winner.headers['etag']);
    }
    // Each win is one change in the outbox, and no loser left one.
    const changes = await s.db.knex('change_outbox').where({ entity: 'deals', record_id: id }).count({ n: '*' });
    expect(Number((changes as Array<{ n: unknown }>)[0]!.n)).toBe(1 + VERSIONS);
  });

  it(`has exactly one winner among ${WRITERS} concurrent DELETEs of one version`, async () => {
    const created = await s.call(token, { method: 'POST', url: '/crm/companies', payload: { name: 'Doomed' } });
    const id = String((created.json() as Json)['id']);
    const etag = String(created.headers['etag']);
    const answers = await Promise.all(Array.from({ length: WRITERS }, () => s.call(token, { method: 'DELETE', url: `/crm/companies/${id}`, headers: { 'if-match': etag } })));
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((c) => c === 204)).toHaveLength(1);
    // The others find it changed (412) or already gone (404): none deletes it a second time.
    expect(statuses.every((c) => c === 204 || c === 412 || c === 404)).toBe(true);
    expect((await s.call(token, { method: 'GET', url: `/crm/companies/${id}` })).statusCode).toBe(404);
  });
});
