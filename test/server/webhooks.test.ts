// Webhooks on both databases: HMAC and token signatures over the raw body, ingestion of the
// records a delivery carries (through the mapping, links and counts, state untouched), runs
// triggered by deliveries without records, and bearer tokens for unsigned connectors.
import { createHmac } from 'node:crypto';
import { DIALECTS } from '../helpers/db';
import * as syncRuns from '../../core/store/tables/sync-runs';
import * as syncState from '../../core/store/tables/sync-state';
import { createTestServer, type TestServer } from './helpers';

type Json = Record<string, unknown>;
const SECRET = 'whsec-planted-4b1d';

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

describe.each(DIALECTS)('webhooks on %s', (dialect) => {
  let s: TestServer;
  let demoId: string;

  beforeAll(async () => {
    s = await createTestServer(dialect);
    const admin = await s.token(['connections:admin']);
    const create = async (name: string, connector: string, config: Json): Promise<string> =>
      String(((await s.call(admin, { method: 'POST', url: '/connections', payload: { name, connector, config } })).json() as Json)['id']);
    demoId = await create('demo', 'demo', { base_url: 'http://127.0.0.1:9', api_key: 'k', webhook_secret: SECRET });
    await create('ping', 'ping', { base_url: 'http://127.0.0.1:9', hook_token: 'hook-token-planted' });
    await create('unsigned', 'unsigned', {});
    await create('oauth', 'oauthy', { base_url: 'http://127.0.0.1:9', client_id: 'c', client_secret: 's' });
  });
  afterAll(async () => s.close());

  const deliver = (connection: string, body: string, headers: Record<string, string> = {}) =>
    s.app.inject({ method: 'POST', url: `/webhooks/${connection}`, payload: body, headers: { 'content-type': 'application/json', ...headers } });

  it('ingests the records of a signed delivery through the mapping, in a webhook run, leaving the sync state as it was', async () => {
    await syncState.save(s.db.knex, { connectionId: demoId, mappingId: 'demo-contacts' }, { state: { cursor: '2020-01-01T00:00:00Z' }, checkpoint: null, checkpointRunId: null });
    const body = JSON.stringify({ data: [{ id: 'p1', email: ' Ann@Example.com', name: 'Ann', updated: '2030-01-01T00:00:00Z' }, { id: 'p2', name: 'No email' }] });
    const res = await deliver('demo', body, { 'x-demo-signature': sign(body) });
    expect(res.statusCode).toBe(202);
    const [result] = (res.json() as { results: Json[] }).results;
    expect(result).toMatchObject({ mapping: 'demo-contacts', created: true, ingested: true, run: { trigger: 'webhook', status: 'succeeded', counts: { read: 2, created: 1, rejected: 1, pages: 1 } } });
    const contacts = (await s.db.knex('contacts').select('email', 'first_name')) as Json[];
    expect(contacts).toEqual([{ email: 'ann@example.com', first_name: 'Ann' }]);
    expect(await s.db.knex('record_links').where({ connection_id: demoId, external_id: 'p1' }).first()).toBeDefined();
    expect(await syncState.load(s.db.knex, { connectionId: demoId, mappingId: 'demo-contacts' })).toEqual({ state: { cursor: '2020-01-01T00:00:00Z' }, checkpoint: null, checkpointRunId: null });
    // The same records delivered again, in a new delivery, change nothing.
    const later = JSON.stringify({ data: [{ id: 'p1', email: ' Ann@Example.com', name: 'Ann', updated: '2030-01-01T00:00:00Z' }] });
    const again = await deliver('demo', later, { 'x-demo-signature': sign(later) });
    expect((again.json() as { results: Array<{ run: { counts: Json } }> }).results[0]!.run.counts).toMatchObject({ unchanged: 1, created: 0 });
  });

  it('refuses a replayed delivery (the same signed bytes again) with 409 and writes nothing', async () => {
    const body = JSON.stringify({ data: [{ id: 'r1', email: 'replay@example.com' }] });
    expect((await deliver('demo', body, { 'x-demo-signature': sign(body) })).statusCode).toBe(202);
    const runs = await s.db.knex('sync_runs').where({ connection_id: demoId, trigger: 'webhook' }).count({ n: '*' });
    for (let i = 0; i < 4; i++) {
      const replay = await deliver('demo', body, { 'x-demo-signature': sign(body) });
      expect(replay.statusCode).toBe(409);
      expect(replay.json()).toMatchObject({ code: 'SB_WEBHOOK_REPLAYED' });
    }
    expect(await s.db.knex('sync_runs').where({ connection_id: demoId, trigger: 'webhook' }).count({ n: '*' })).toEqual(runs);
  });

  it('refuses missing, wrong and stale signatures with 401, never echoing the secret', async () => {
    const body = JSON.stringify({ data: [{ id: 'evil', email: 'evil@example.com' }] });
    for (const headers of [{}, { 'x-demo-signature': sign(body, 'guess') }, { 'x-demo-signature': sign('{}') }, { 'x-demo-signature': 'sha256=zz' }, { 'x-demo-signature': sign(body).slice(7) }]) {
      const res = await deliver('demo', body, headers);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'SB_UNAUTHORIZED' });
      expect(res.headers['www-authenticate']).toContain('X-Demo-Signature');
      expect(res.body).not.toContain(SECRET);
    }
    expect(await s.db.knex('contacts').where('email', 'evil@example.com').first()).toBeUndefined();
    expect(s.logs()).toContain('webhook refused');
    expect(s.logs()).not.toContain(SECRET);
  });

  it('answers 400 for a signed body that is not JSON or has no records where the connector says', async () => {
    expect((await deliver('demo', '{"data": [', { 'x-demo-signature': sign('{"data": [') })).statusCode).toBe(400);
    const noArray = JSON.stringify({ data: { id: 1 } });
    const res = await deliver('demo', noArray, { 'x-demo-signature': sign(noArray) });
    expect(res.statusCode).toBe(400);
    expect((res.json() as Json)['message']).toContain('"data"');
  });

  it('answers 409 with Retry-After while a run of the mapping is running, 202 without ingesting while one is queued; the refused delivery is accepted later', async () => {
    const { run } = await syncRuns.requestRun(s.db.knex, { connectionId: demoId, mappingId: 'demo-contacts' });
    const first = JSON.stringify({ data: [{ id: 'p3', email: 'later@example.com' }] });
    const queued = await deliver('demo', first, { 'x-demo-signature': sign(first) });
    expect(queued.statusCode).toBe(202);
    expect((queued.json() as { results: Json[] }).results[0]).toMatchObject({ created: false, ingested: false, run: { id: run.id, status: 'queued' } });
    await syncRuns.transition(s.db.knex, run.id, 'running', { worker: 'elsewhere:1' });
    const second = JSON.stringify({ data: [{ id: 'p4', email: 'busy@example.com' }] });
    const busy = await deliver('demo', second, { 'x-demo-signature': sign(second) });
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({ code: 'SB_CONFLICT' });
    expect(busy.headers['retry-after']).toBe('10');
    await syncRuns.transition(s.db.knex, run.id, 'succeeded');
    // Not processed, so not remembered: the API's retry of that very delivery goes through.
    const retried = await deliver('demo', second, { 'x-demo-signature': sign(second) });
    expect(retried.statusCode).toBe(202);
    expect((retried.json() as { results: Json[] }).results[0]).toMatchObject({ ingested: true });
  });

  it('queues an incremental run for a token-signed delivery without records, whatever its content type', async () => {
    const headers = { 'x-hook-token': 'hook-token-planted', 'content-type': 'text/plain' };
    const first = await deliver('ping', 'changed', headers);
    expect(first.statusCode).toBe(202);
    expect((first.json() as { results: Json[] }).results).toEqual([expect.objectContaining({ mapping: 'ping-companies', created: true, ingested: false, run: expect.objectContaining({ trigger: 'webhook', mode: 'incremental', status: 'queued' }) })]);
    const second = await deliver('ping', 'changed again', headers);
    expect((second.json() as { results: Json[] }).results[0]).toMatchObject({ created: false });
    expect((await deliver('ping', 'x', { 'x-hook-token': 'wrong' })).statusCode).toBe(401);
  });

  it('needs a bearer token with webhooks:write for a connector without a signature', async () => {
    const body = JSON.stringify([{ id: 1, name: 'Unsigned Inc' }]);
    expect((await deliver('unsigned', body)).statusCode).toBe(401);
    const weak = await s.token(['crm:write']);
    expect((await deliver('unsigned', body, { authorization: `Bearer ${weak}` })).statusCode).toBe(403);
    const strong = await s.token(['webhooks:write']);
    const res = await deliver('unsigned', body, { authorization: `Bearer ${strong}` });
    expect(res.statusCode).toBe(202);
    expect(await s.db.knex('companies').where('name', 'Unsigned Inc').first()).toBeDefined();
  });

  it('answers 404 for unknown connections and connectors without webhooks', async () => {
    expect((await deliver('nope', '{}')).statusCode).toBe(404);
    const res = await deliver('oauth', '{}');
    expect(res.statusCode).toBe(404);
    expect((res.json() as Json)['message']).toContain('does not accept webhooks');
  });
});
