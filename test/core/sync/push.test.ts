// The push runner against a small local batch API: results paired by key or by position,
// batches split to isolate what the API refuses, saved requests replayed with their key and
// body, connection-wide failures, deletes of what the API no longer has, windows, cancel, and
// push runs through the queue and schedules.
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import { waitFor } from '../../helpers/wait';
import { Engine } from '../../../core/engine';
import { createRegistry } from '../../../core/definitions';
import type { ConnectorDefinition } from '../../../core/generated/connector';
import type { MappingDefinition } from '../../../core/generated/mapping';
import { ConnectorClient } from '../../../core/http/client';
import { silentLogger } from '../../../core/logger';
import { SecretBox } from '../../../core/secrets';
import * as crm from '../../../core/store/crm';
import * as outbox from '../../../core/store/tables/change-outbox';
import * as recordLinks from '../../../core/store/tables/record-links';
import * as rejectedRecords from '../../../core/store/tables/rejected-records';
import * as syncRuns from '../../../core/store/tables/sync-runs';
import { buildPushPlan } from '../../../core/sync/push-plan';
import { loadPushState } from '../../../core/sync/push-state';
import { runPush } from '../../../core/sync/push';
import type { PullProgress } from '../../../core/sync/pull';
import { jsonBody, startMockServer, type Faults, type LoggedRequest, type MockApi } from '../../../examples/mock-apis';

type Input = { email?: string | undefined; name?: string | undefined };

interface BatchApi {
  api: MockApi;
  /** Records by id. */
  records: Map<string, Input>;
  /** Applied batch requests, with their idempotency keys. */
  batches: { key: string | undefined; inputs: Input[] }[];
  /** `beforeBatch`: awaited before a batch is applied (a test acting at a known point of a run). */
  options: { reverse?: boolean; drop?: string; refuse?: string; unauthorized?: boolean; beforeBatch?: () => Promise<void> };
}

/** A batch upsert API keyed by email (`POST /batch`), and `DELETE /one/:id`; 400 for a batch holding `refuse`. */
async function batchApi(faults?: Faults): Promise<BatchApi> {
  const records = new Map<string, Input>();
  const batches: BatchApi['batches'] = [];
  const options: BatchApi['options'] = {};
  const api = await startMockServer(
    async (req: LoggedRequest) => {
      if (options.unauthorized === true) return { status: 401, body: { error: 'bad token' } };
      if (req.method === 'POST' && req.path === '/batch') {
        await options.beforeBatch?.();
        const inputs = (jsonBody(req) as { inputs: Input[] }).inputs.map(({ email, name }) => ({ email, name }));
        if (inputs.some((i) => i.email === options.refuse)) return { status: 400, body: { error: `invalid email ${options.refuse}` } };
        batches.push({ key: req.headers['idempotency-key'] as string | undefined, inputs });
        const results = inputs
          .filter((i) => i.email !== options.drop)
          .map((i) => {
            let id = [...records.entries()].find(([, r]) => r.email === i.email)?.[0];
            if (id === undefined) records.set((id = String(1000 + records.size)), {});
            records.set(id, { ...i });
            return { id, email: i.email };
          });
        return { body: { results: options.reverse === true ? results.reverse() : results } };
      }
      const one = /^\/one\/(\d+)$/.exec(req.path);
      if (req.method === 'DELETE' && one !== null) return records.delete(one[1]!) ? { status: 204 } : { status: 404, body: { error: 'not found' } };
      return { status: 404, body: { error: 'no route' } };
    },
    { faults },
  );
  return { api, records, batches, options };
}

function connector(options: { match?: boolean; idempotency?: boolean } = {}): ConnectorDefinition {
  return {
    id: 'batchy',
    name: 'Batchy',
    version: '1.0.0',
    config_schema: { type: 'object', properties: { base_url: { type: 'string' } } },
    base_url: '{{config.base_url}}',
    auth: { type: 'none' },
    retry: { max_attempts: 2, backoff: { initial_ms: 5, max_ms: 10 } },
    actions: {
      upsert: {
        // `payload` (ignored by the API) carries the payload object itself, keys in push.fields order.
        request: { method: 'POST', path: '/batch', body: { inputs: [{ email: '{{record.email}}', name: '{{record.name}}', payload: '{{record}}' }] } },
        batch: { size: 5, items: 'inputs', results: 'results', ...(options.match === false ? {} : { match: { result: 'email', record: 'email' } }) },
        external_id: 'id',
        ...(options.idempotency === true ? { idempotency: { header: 'Idempotency-Key' } } : {}),
      },
      remove: { request: { method: 'DELETE', path: '/one/{{record.id}}' } },
    },
  };
}

const MAPPING: MappingDefinition = {
  id: 'batchy-contacts',
  connector: 'batchy',
  stream: 'contacts',
  entity: 'contacts',
  fields: { email: 'email' },
  push: { create: 'upsert', update: 'upsert', delete: 'remove', fields: { id: { field: 'external_id' }, email: 'email', name: 'first_name' } },
};

const opts = { origin: 'api' as const };

describe.each(DIALECTS)('push runner on %s', (dialect) => {
  let db: TestDatabase;
  let engine: Engine | undefined;
  let server: BatchApi | undefined;

  beforeEach(async () => {
    db = await createMigratedDatabase(dialect);
  });
  afterEach(async () => {
    await engine?.close();
    await server?.api.close();
    engine = undefined;
    server = undefined;
    await db.cleanup();
  });

  async function setup(def: ConnectorDefinition, options: { faults?: Faults; mapping?: MappingDefinition; concurrency?: number; extra?: MappingDefinition[] } = {}) {
    const mapping = options.mapping ?? MAPPING;
    server = await batchApi(options.faults);
    const mappings = new Map([[mapping.id, mapping], ...(options.extra ?? []).map((m) => [m.id, m] as const)]);
    engine = await Engine.open({ knex: db.knex, registry: createRegistry(new Map([[def.id, def]]), mappings), box: new SecretBox(Buffer.alloc(32, 5)), logger: silentLogger(), queue: 'memory', concurrency: options.concurrency ?? 0, backoffMs: 10 });
    const conn = await engine.createConnection({ name: 'batchy', connectorId: def.id, config: { base_url: server.api.url } });
    const e = engine;
    const push = async (onPage?: (progress: PullProgress) => Promise<void>) => {
      const { run } = await e.requestRun({ connection: conn.id, mapping: mapping.id, direction: 'push' });
      await e.executeRun(run.id, { ...(onPage === undefined ? {} : { onPage: (p: PullProgress) => void onPage(p) }) }).catch(() => undefined);
      return syncRuns.get(db.knex, run.id);
    };
    return { conn, push, server };
  }
  const contacts = async (n: number, prefix = 'p') => {
    const out = [];
    for (let i = 1; i <= n; i++) out.push(await crm.create(db.knex, 'contacts', { email: `${prefix}${i}@example.com`, first_name: `P${i}` }, opts));
    return out;
  };

  it('sends the external id of a referenced record (ref push field) from its link on the connection', async () => {
    const mapping: MappingDefinition = { ...MAPPING, id: 'batchy-contacts-company', push: { ...MAPPING.push!, fields: { ...MAPPING.push!.fields, company: { ref: 'company_id' } } } };
    const { conn, push, server } = await setup(connector(), { mapping });
    const linked = await crm.create(db.knex, 'companies', { name: 'Linked Co' }, { origin: 'sync' });
    const unlinked = await crm.create(db.knex, 'companies', { name: 'Not there yet' }, { origin: 'sync' });
    await recordLinks.upsert(db.knex, conn.id, 'companies', [{ crmId: linked.id, externalId: 'co-77' }]);
    await crm.create(db.knex, 'contacts', { email: 'ref1@example.com', company_id: linked.id }, opts);
    await crm.create(db.knex, 'contacts', { email: 'ref2@example.com', company_id: unlinked.id }, opts);
    await crm.create(db.knex, 'contacts', { email: 'ref3@example.com' }, opts);
    expect((await push()).counts).toMatchObject({ records_created: 3 });
    // Linked: its id in the API; not linked (yet): left out, never cleared; no company: null.
    const sent = server.api.requests.flatMap((r) => (jsonBody(r) as { inputs: { email: string; payload: Record<string, unknown> }[] }).inputs);
    expect(sent.map((i) => [i.email, 'company' in i.payload ? i.payload['company'] : 'left out'])).toEqual([
      ['ref1@example.com', 'co-77'],
      ['ref2@example.com', 'left out'],
      ['ref3@example.com', null],
    ]);
  });

  it('pairs batch results with records by the match key when the API reorders them', async () => {
    const { conn, push, server } = await setup(connector());
    server.options.reverse = true;
    const made = await contacts(7);
    expect((await push()).counts).toMatchObject({ records_created: 7, requests: 2 });
    const links = await recordLinks.findByCrmIds(db.knex, conn.id, 'contacts', made.map((c) => c.id));
    for (const c of made) expect(server.records.get(links.get(c.id)!.externalId)?.email).toBe(c.email);
  });

  it('splits a batch whose answer is short (paired by position) until the record without a result is alone', async () => {
    const { conn, push, server } = await setup(connector({ match: false }));
    server.options.drop = 'p3@example.com';
    const made = await contacts(7);
    const run = await push();
    expect(run.counts).toMatchObject({ records_created: 6, records_rejected: 1 });
    expect(await rejectedRecords.listByRun(db.knex, run.id)).toMatchObject([{ code: 'SB_HTTP_INVALID_RESPONSE', record: { crm_id: made[2]!.id } }]);
    const links = await recordLinks.findByCrmIds(db.knex, conn.id, 'contacts', made.map((c) => c.id));
    expect(links.has(made[2]!.id)).toBe(false);
    for (const c of made.filter((_, i) => i !== 2)) expect(server.records.get(links.get(c.id)!.externalId)?.email).toBe(c.email);
  });

  it('sends a request that failed before its results were stored again with the same key and body, then the newer change with a new key', async () => {
    let posts = 0;
    // The first request meets 503s until the connector's 2 attempts run out: the run fails retryably.
    const { push, server } = await setup(connector({ idempotency: true }), { faults: (_i, req) => (req.method === 'POST' && ++posts <= 2 ? { status: 503, body: {} } : undefined) });
    const made = await contacts(3);
    const failed = await push();
    expect(failed.status).toBe('queued');
    expect(failed.error?.code).toBe('SB_HTTP_RETRIES_EXHAUSTED');
    const saved = await loadPushState(db.knex, { connectionId: failed.connectionId, mappingId: MAPPING.id });
    expect(saved).toMatchObject({ position: 0, inflight: { action: 'upsert' } });
    expect(saved.inflight!.items.map((i) => i.crmId)).toEqual(made.map((c) => c.id));

    await crm.update(db.knex, 'contacts', made[0]!.id, { first_name: 'Newer' }, opts);
    await engine!.executeRun(failed.id);
    const [replayed, newer] = server.batches;
    expect(server.api.requests[0]!.headers['idempotency-key']).toBe(saved.inflight!.key);
    // The same body, byte for byte, as the attempts before the failure.
    const bodies = server.api.requests.filter((r) => r.headers['idempotency-key'] === saved.inflight!.key).map((r) => r.body);
    expect(bodies).toHaveLength(3);
    expect(new Set(bodies).size).toBe(1);
    expect(replayed).toEqual({ key: saved.inflight!.key, inputs: made.map((c) => ({ email: c.email, name: c.first_name })) });
    expect(newer!.key).not.toBe(saved.inflight!.key);
    expect(newer!.inputs).toEqual([{ email: 'p1@example.com', name: 'Newer' }]);
    expect(server.batches).toHaveLength(2);
    expect((await syncRuns.get(db.knex, failed.id)).counts).toMatchObject({ records_created: 3, records_updated: 1 });
  });

  it('fails the run for good when the API refuses the credentials, and keeps the changes for the next run', async () => {
    const { push, server } = await setup(connector());
    server.options.unauthorized = true;
    await contacts(2);
    const failed = await push();
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'SB_AUTH_FAILED' } });
    expect(server.records.size).toBe(0);
    server.options.unauthorized = false;
    expect((await push()).counts).toMatchObject({ records_created: 2 });
    expect(server.records.size).toBe(2);
  });

  it('counts a delete of a record the API no longer has as done, and unlinks it', async () => {
    const { conn, push, server } = await setup(connector());
    const [a, b] = await contacts(2);
    await push();
    const links = await recordLinks.findByCrmIds(db.knex, conn.id, 'contacts', [a!.id, b!.id]);
    server.records.delete(links.get(a!.id)!.externalId);
    await crm.softDelete(db.knex, 'contacts', a!.id, opts);
    await crm.hardDelete(db.knex, 'contacts', b!.id, opts);
    expect((await push()).counts).toMatchObject({ records_deleted: 2, records_rejected: 0 });
    expect(server.records.size).toBe(0);
    expect((await recordLinks.findByCrmIds(db.knex, conn.id, 'contacts', [a!.id, b!.id])).size).toBe(0);
  });

  it('rejects a record whose payload cannot be built, or that the API refuses, and delivers the others', async () => {
    const mapping: MappingDefinition = { ...MAPPING, push: { ...MAPPING.push!, fields: { ...MAPPING.push!.fields, score: { template: '{{number record.title}}' } } } };
    const { push, server } = await setup(connector(), { mapping });
    server.options.refuse = 'p2@example.com';
    const made = await contacts(4);
    for (const c of made) await crm.update(db.knex, 'contacts', c.id, { title: c.email === 'p4@example.com' ? 'many' : '5' }, opts);
    const run = await push();
    expect(run).toMatchObject({ status: 'succeeded', counts: { records_read: 4, records_created: 2, records_rejected: 2 } });
    const rejected = await rejectedRecords.listByRun(db.knex, run.id);
    expect(rejected.map((r) => [(r.record as { crm_id: string }).crm_id, r.code]).sort()).toEqual(
      [
        [made[1]!.id, 'SB_HTTP_REQUEST_FAILED'],
        [made[3]!.id, 'SB_TEMPLATE_RENDER_FAILED'],
      ].sort(),
    );
    expect([...server.records.values()].map((r) => r.email).sort()).toEqual(['p1@example.com', 'p3@example.com']);
  });

  it('reads the outbox in windows and moves the position past each', async () => {
    const { conn, server } = await setup(connector());
    await contacts(8);
    const { run } = await syncRuns.requestRun(db.knex, { connectionId: conn.id, mappingId: MAPPING.id, direction: 'push' });
    await syncRuns.transition(db.knex, run.id, 'running');
    const def = connector();
    const config = { base_url: server.api.url };
    const plan = buildPushPlan({ runId: run.id, connectionId: conn.id, mapping: MAPPING, connector: def, config });
    const result = await runPush(db.knex, plan, new ConnectorClient({ connector: def, config }), { window: 3 });
    expect(result).toMatchObject({ outcome: 'succeeded', counts: { pages: 3, records_read: 8, records_created: 8, requests: 3 } });
    expect(await loadPushState(db.knex, { connectionId: conn.id, mappingId: MAPPING.id })).toEqual({ position: await outbox.latestId(db.knex), handled: {}, inflight: null });
  });

  it('stops between requests when canceled, and the next run delivers the rest once', async () => {
    const { push, server } = await setup(connector());
    await contacts(12);
    // The cancel is committed while the first request is at the API: the run must stop before
    // the second (batches of 5).
    server.options.beforeBatch = async () => {
      delete server.options.beforeBatch;
      const [active] = await syncRuns.list(db.knex, { status: 'running' });
      await syncRuns.requestCancel(db.knex, active!.id);
    };
    const first = await push();
    expect(first.status).toBe('canceled');
    expect(server.records.size).toBe(5);
    await push();
    expect(server.records.size).toBe(12);
    expect(server.batches.flatMap((b) => b.inputs)).toHaveLength(12);
  });

  it('runs push runs through the queue, and schedules them for the mappings that push', async () => {
    const readOnly: MappingDefinition = { id: 'batchy-read', connector: 'batchy', stream: 'contacts', entity: 'contacts', fields: { email: 'email' } };
    const { conn, server } = await setup(connector(), { concurrency: 1, extra: [readOnly] });
    await contacts(3);
    const { run } = await engine!.requestRun({ connection: conn.id, mapping: MAPPING.id, direction: 'push' });
    const done = await waitFor('the push run', async () => {
      const r = await syncRuns.get(db.knex, run.id);
      return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
    });
    expect(done).toMatchObject({ status: 'succeeded', direction: 'push', counts: { records_created: 3 } });
    await expect(engine!.requestRun({ connection: conn.id, mapping: readOnly.id, direction: 'push' })).rejects.toMatchObject({ code: 'SB_BAD_REQUEST' });

    await contacts(2, 'q');
    await engine!.fireSchedule({ connectionId: conn.id, mappingId: null, direction: 'push', mode: 'incremental' }, 'test-schedule');
    const scheduled = await waitFor('the scheduled push', async () => {
      const runs = await syncRuns.list(db.knex, { direction: 'push' });
      return runs.length === 2 && ['succeeded', 'failed'].includes(runs[0]!.status) ? runs : undefined;
    });
    expect(scheduled[0]).toMatchObject({ status: 'succeeded', mappingId: MAPPING.id, trigger: 'schedule', counts: { records_created: 2 } });
    expect(server.records.size).toBe(5);
  });
});
