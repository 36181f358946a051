// A page answered `{"results": null}` (200) in the middle of a full run ended the stream as if
// it were the last page: the run "succeeded" and its sweep soft-deleted every contact it had not
// read yet. A fault proxy in front of the API now breaks page 10 of a full run three ways; the
// page is retried like a 5xx and then fails the run with SB_HTTP_INVALID_RESPONSE naming the
// stream, page, path and what was there, and nothing in the CRM is deleted. On both databases.
import { DIALECTS } from '../helpers/db';
import { startEngineE2e, type EngineE2e } from '../helpers/e2e';

const BROKEN: ReadonlyArray<[string, unknown, string]> = [
  ['{"results": null}', { results: null }, 'null'],
  ['{}', {}, 'nothing (no such key)'],
  ['{"results": "x"}', { results: 'x' }, 'a string ("x")'],
];

describe.each(DIALECTS)('a broken page in a full run on %s', (dialect) => {
  let e: EngineE2e;
  beforeAll(async () => {
    e = await startEngineE2e(dialect, { records: 1500 });
    // The CRM holds the whole source: 15 pages of 100.
    const first = await e.run('full');
    expect(first).toMatchObject({ status: 'succeeded', counts: { records_created: 1500 } });
  });
  afterAll(async () => e.close());
  afterEach(() => e.proxy.use());

  it.each(BROKEN)('page 10 answering %s every time: the run fails with SB_HTTP_INVALID_RESPONSE after its retries, and nothing is deleted', async (_label, body, found) => {
    const before = e.proxy.requests.length;
    e.proxy.use((req) => (req.page === 10 ? { body } : undefined));
    const run = await e.run('full');

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('SB_HTTP_INVALID_RESPONSE');
    expect(run.error?.message).toContain(`stream "contacts", page 10: no array of records at "results" (found ${found})`);
    expect(run.error?.message).toContain('(after 4 attempts)');
    // Retried under the connector's policy (max_attempts 4), like a 5xx.
    const tenth = e.proxy.requests.slice(before).filter((r) => r.page === 10);
    expect(tenth.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    // The nine pages before it were written; the sweep never ran.
    expect(run.counts).toMatchObject({ records_read: 900, records_deleted: 0 });
    expect(await e.liveContacts()).toBe(1500);
  });

  it('page 10 broken on its first two attempts only: the retry reads it, and the run ends exact', async () => {
    e.proxy.use((req) => (req.page === 10 && req.attempt <= 2 ? { body: { results: null } } : undefined));
    const run = await e.run('full');
    expect(run).toMatchObject({ status: 'succeeded', counts: { records_read: 1500, records_deleted: 0, retries: 2 } });
    expect(await e.liveContacts()).toBe(1500);
  });
});
