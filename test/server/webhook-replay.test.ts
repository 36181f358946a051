// Webhook replay, on both databases: a captured delivery used to be accepted every time. Now a
// delivery is accepted once: sent again (same signed bytes, or the same delivery id under a fresh
// signature) it is refused with 409 and nothing is written, in whichever server process it
// reaches; outside the tolerance window it is refused as stale; the memory expires and is pruned.
import { createHmac } from 'node:crypto';
import { createRegistry, type ConnectorDefinition, type MappingDefinition } from '../../core/definitions';
import * as webhookDeliveries from '../../core/store/tables/webhook-deliveries';
import { toIso } from '../../core/store/values';
import { DIALECTS } from '../helpers/db';
import { createTestServer, type TestServer } from './helpers';

type Json = Record<string, unknown>;
const SECRET = 'whsec_replay_planted_51c2';

/** Records in the delivery, signed the way Stripe signs (`t=...,v1=...` over `${t}.${body}`), with a delivery id header. */
const hooks = {
  id: 'hooks',
  name: 'Signed hooks',
  config_schema: { type: 'object', properties: { webhook_secret: { type: 'string', secret: true } } },
  base_url: 'http://127.0.0.1:9',
  streams: { people: { request: { path: '/people' }, records: 'data', primary_key: 'id' } },
  webhooks: {
    signature: {
      type: 'hmac',
      header: 'X-Signature',
      secret: '{{config.webhook_secret}}',
      fields: { signature: 'v1' },
      signed_payload: '{{request.timestamp}}.{{request.body}}',
      timestamp: { field: 't', format: 'unix', tolerance_seconds: 300 },
    },
    replay: { delivery_id_header: 'X-Delivery-Id', window_seconds: 60 },
    stream: 'people',
    records: 'data',
  },
} as unknown as ConnectorDefinition;

const hooksContacts = { id: 'hooks-contacts', connector: 'hooks', stream: 'people', entity: 'contacts', fields: { email: 'email' }, required: ['email'] } as unknown as MappingDefinition;

function signed(body: string, options: { ageSeconds?: number; id?: string } = {}): Record<string, string> {
  const t = Math.floor(Date.now() / 1000) - (options.ageSeconds ?? 0);
  const v1 = createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex');
  return { 'content-type': 'application/json', 'x-signature': `t=${t},v1=${v1}`, ...(options.id === undefined ? {} : { 'x-delivery-id': options.id }) };
}

describe.each(DIALECTS)('webhook replay on %s', (dialect) => {
  let s: TestServer;
  let connectionId: string;

  beforeAll(async () => {
    s = await createTestServer(dialect, {}, { registry: createRegistry(new Map([['hooks', hooks]]), new Map([['hooks-contacts', hooksContacts]])) });
    const admin = await s.token(['connections:admin']);
    const res = await s.call(admin, { method: 'POST', url: '/connections', payload: { name: 'hooks', connector: 'hooks', config: { webhook_secret: SECRET } } });
    connectionId = String((res.json() as Json)['id']);
  });
  afterAll(async () => s.close());

  const deliver = (server: TestServer, body: string, headers: Record<string, string>) => server.app.inject({ method: 'POST', url: '/webhooks/hooks', payload: body, headers });
  const webhookRuns = async (): Promise<number> => Number(((await s.db.knex('sync_runs').where({ connection_id: connectionId, trigger: 'webhook' }).count({ n: '*' })) as Array<{ n: unknown }>)[0]!.n);
  const contacts = async (email: string): Promise<number> => Number(((await s.db.knex('contacts').where('email', email).count({ n: '*' })) as Array<{ n: unknown }>)[0]!.n);

  it('accepts a captured delivery once and refuses it the five times it is replayed, writing its records once', async () => {
    const body = JSON.stringify({ data: [{ id: 'c1', email: 'captured@example.com' }] });
    const headers = signed(body, { id: 'dlv-1' });
    const before = await webhookRuns();
    expect((await deliver(s, body, headers)).statusCode).toBe(202);
    for (let i = 0; i < 5; i++) {
      const replay = await deliver(s, body, headers);
      expect(replay.statusCode).toBe(409);
      expect(replay.json()).toMatchObject({ statusCode: 409, code: 'SB_WEBHOOK_REPLAYED', error: 'Webhook Replayed' });
    }
    expect(await webhookRuns()).toBe(before + 1);
    expect(await contacts('captured@example.com')).toBe(1);
    expect(s.logs()).toContain('webhook replay refused');
  });

  it('refuses a stale delivery (401 SB_WEBHOOK_STALE) even when it was never seen, and writes nothing', async () => {
    const body = JSON.stringify({ data: [{ id: 'c2', email: 'stale@example.com' }] });
    const res = await deliver(s, body, signed(body, { ageSeconds: 301 }));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'SB_WEBHOOK_STALE', message: expect.stringContaining('within 300 s') });
    expect(await contacts('stale@example.com')).toBe(0);
  });

  it('treats the same delivery id under a fresh signature, and the same signed bytes under another id, as replays', async () => {
    const body = JSON.stringify({ data: [{ id: 'c3', email: 'ids@example.com' }] });
    const first = signed(body, { ageSeconds: 5, id: 'dlv-3' });
    expect((await deliver(s, body, first)).statusCode).toBe(202);
    // The API's retry of a delivery already accepted: new timestamp and signature, same id.
    expect((await deliver(s, body, signed(body, { id: 'dlv-3' }))).json()).toMatchObject({ code: 'SB_WEBHOOK_REPLAYED' });
    // A replay that swaps the (unsigned) id header: the signed bytes give it away.
    expect((await deliver(s, body, { ...first, 'x-delivery-id': 'dlv-forged' })).json()).toMatchObject({ code: 'SB_WEBHOOK_REPLAYED' });
    // A new delivery of the same record (new timestamp, new id) is not a replay.
    expect((await deliver(s, body, signed(body, { id: 'dlv-4' }))).statusCode).toBe(202);
  });

  it('remembers a delivery until its timestamp is stale (or the window ends, if later), then forgets it', async () => {
    const body = JSON.stringify({ data: [{ id: 'c5', email: 'window@example.com' }] });
    const before = Date.now();
    expect((await deliver(s, body, signed(body, { ageSeconds: 100 }))).statusCode).toBe(202);
    const rows = (await s.db.knex('webhook_deliveries').where('connection_id', connectionId).orderBy('received_at', 'desc').limit(1)) as Array<{ expires_at: unknown }>;
    const expires = Date.parse(toIso(rows[0]!.expires_at)!);
    // Signed 100 s ago with a 300 s tolerance: stale 200 s from now, later than the 60 s window.
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 199_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 201_000);
  });

  it('lets exactly one of two server processes accept a delivery sent to both at once', async () => {
    const twin = await s.twin();
    try {
      for (let round = 0; round < 5; round++) {
        const body = JSON.stringify({ data: [{ id: `race-${round}`, email: `race${round}@example.com` }] });
        const headers = signed(body, { id: `race-${round}` });
        const answers = await Promise.all([deliver(s, body, headers), deliver(twin, body, headers)]);
        expect(answers.map((a) => `${a.statusCode} ${String((a.json() as Json)['code'] ?? '')}`).sort()).toEqual(['202 ', '409 SB_WEBHOOK_REPLAYED']);
        expect(await contacts(`race${round}@example.com`)).toBe(1);
      }
    } finally {
      await twin.close();
    }
  });

  describe('the webhook_deliveries table', () => {
    it('records a key once among concurrent inserts, and releases nothing it did not take', async () => {
      const expires = new Date(Date.now() + 60_000);
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => webhookDeliveries.record(s.db.knex, connectionId, ['k-concurrent', 'k-other'], expires)));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect(await s.db.knex('webhook_deliveries').whereIn('delivery_key', ['k-concurrent', 'k-other']).count({ n: '*' })).toEqual([{ n: 2 }]);
      // A delivery whose other key is taken is a replay, and leaves its free key unrecorded.
      expect(await webhookDeliveries.record(s.db.knex, connectionId, ['k-fresh', 'k-concurrent'], expires)).toBe(false);
      expect(await s.db.knex('webhook_deliveries').where('delivery_key', 'k-fresh').first()).toBeUndefined();
    });

    it('takes over an expired key in the same statement, and prunes expired rows', async () => {
      const past = new Date(Date.now() - 1000);
      expect(await webhookDeliveries.record(s.db.knex, connectionId, ['k-expired'], past, new Date(Date.now() - 61_000))).toBe(true);
      expect(await webhookDeliveries.record(s.db.knex, connectionId, ['k-expired'], new Date(Date.now() + 60_000))).toBe(true);
      expect(await webhookDeliveries.record(s.db.knex, connectionId, ['k-old'], past, new Date(Date.now() - 61_000))).toBe(true);
      expect(await webhookDeliveries.purgeExpired(s.db.knex)).toBeGreaterThanOrEqual(1);
      expect(await s.db.knex('webhook_deliveries').where('delivery_key', 'k-old').first()).toBeUndefined();
      expect(await s.db.knex('webhook_deliveries').where('delivery_key', 'k-expired').first()).toBeDefined();
    });
  });
});
