// Push under faults, end to end with `switchboard push`: 503s, 429s and resets lose nothing and
// write nothing twice (the mocks count writes per email and per idempotency key, answers lost
// after a write included); a record the API refuses is reported and the others go.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../helpers/db';
import { runCli } from '../helpers/cli';
import { fixtureArgs } from '../helpers/e2e';
import { IdempotencyKeys, STRIPE_RATE_LIMITED, jsonBody, startHubSpot, startStripe, type FaultAction, type HubSpotRecord, type LoggedRequest, type MockApi, type StripeCustomer } from '../../examples/mock-apis';
import * as crm from '../../core/store/crm';
import * as recordLinks from '../../core/store/tables/record-links';
import * as rejectedRecords from '../../core/store/tables/rejected-records';

const UNAVAILABLE: FaultAction = { status: 503, body: { status: 'error', message: 'Service Unavailable' } };
const RATE_LIMITED: FaultAction = { status: 429, headers: { 'retry-after': '0' }, body: { status: 'error', errorType: 'RATE_LIMIT' } };

interface Summary {
  run_id: string;
  status: string;
  records: Record<string, number>;
  retries: number;
}

describe.each(DIALECTS)('push under faults on %s', (dialect) => {
  let db: TestDatabase;
  let dir: string;
  const opts = { origin: 'api' as const };

  // Each test has a database of its own: a connection's first push delivers every change recorded so far.
  beforeEach(async () => {
    db = await createMigratedDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), 'switchboard-push-faults-'));
  });
  afterEach(async () => {
    await db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const push = async (mapping: string, config: Record<string, unknown>, connection: string): Promise<Summary> => {
    const file = join(dir, `${connection}.json`);
    writeFileSync(file, JSON.stringify(config));
    const r = await runCli(['push', mapping, ...fixtureArgs(file, db.url), '--connection', connection, '--json'], {
      cwd: dir,
      env: { SWITCHBOARD_SECRET_KEY: 'd'.repeat(64) },
    });
    return JSON.parse(r.stdout) as Summary;
  };
  const connectionId = async (name: string): Promise<string> => ((await db.knex('connections').where({ name }).first('id')) as { id: string }).id;

  it('loses and duplicates nothing through 503s, 429s and resets of batch upserts, a run retried after its requests ran out of attempts included', async () => {
    const source: HubSpotRecord[] = [];
    // Per upsert request (1-based): the faults it meets. The 4th meets more than the connector's
    // 4 attempts, so the run fails retryably and its saved request is sent again by the retry.
    const plan = new Map<number, FaultAction>([[1, UNAVAILABLE], [2, RATE_LIMITED], [4, { reset: true }], [5, UNAVAILABLE], [6, UNAVAILABLE], [7, UNAVAILABLE], [8, UNAVAILABLE], [9, RATE_LIMITED]]);
    const applied: LoggedRequest[] = [];
    let upserts = 0;
    const api: MockApi = await startHubSpot({
      objects: { contacts: source },
      token: 'pat-faults',
      faults: (_i, req) => {
        if (!req.path.endsWith('/batch/upsert')) return undefined;
        const fault = plan.get(++upserts);
        if (fault === undefined) applied.push(req);
        return fault;
      },
    });
    try {
      for (let i = 1; i <= 35; i++) await crm.create(db.knex, 'contacts', { email: `f${i}@example.com`, first_name: `F${i}` }, opts);
      const summary = await push('crm-hub-push-contacts', { access_token: 'pat-faults', base_url: api.url }, 'hub-faults');
      expect(summary).toMatchObject({ status: 'succeeded', records: { created: 35, rejected: 0 } });
      // 5 retries in the first attempt (whose 4th request ran out of attempts), 2 in the second.
      expect(summary.retries).toBe(7);

      const perEmail = new Map<string, number>();
      for (const req of applied) for (const input of (jsonBody(req) as { inputs: { id: string }[] }).inputs) perEmail.set(input.id, (perEmail.get(input.id) ?? 0) + 1);
      expect(perEmail.size).toBe(35);
      expect([...perEmail.values()].every((n) => n === 1)).toBe(true);
      expect(new Set(source.map((r) => r.properties['email'])).size).toBe(35);
      expect(source).toHaveLength(35);
      const links = await recordLinks.findByExternalIds(db.knex, await connectionId('hub-faults'), 'contacts', source.map((r) => r.id));
      expect(links.size).toBe(35);
    } finally {
      await api.close();
    }
  });

  it('applies each idempotency key once when answers are lost after the write, rate limits and outages included', async () => {
    const customers: StripeCustomer[] = [];
    const keys = new IdempotencyKeys();
    let posts = 0;
    const api = await startStripe({
      customers,
      secretKey: 'sk_test_faults',
      idempotency: keys,
      // The 3rd and 7th writes are applied but their answers lost; the answer after the 7th is
      // lost until the connector's attempts run out, so the run's retry sends it again.
      loseAnswer: (n) => n === 3 || n === 7,
      faults: (_i, req) => {
        if (req.method === 'GET') return undefined;
        posts += 1;
        if (posts === 2 || posts === 5) return STRIPE_RATE_LIMITED;
        if (posts >= 10 && posts <= 12) return UNAVAILABLE;
        return undefined;
      },
    });
    try {
      const made = [];
      for (let i = 1; i <= 12; i++) made.push(await crm.create(db.knex, 'contacts', { email: `s${i}@example.com`, first_name: 'S', last_name: String(i) }, opts));
      const config = { secret_key: 'sk_test_faults', base_url: api.url };
      expect(await push('pay-hub-customers', config, 'pay-faults')).toMatchObject({ status: 'succeeded', records: { created: 12, rejected: 0 } });
      expect(customers).toHaveLength(12);
      expect(new Set(customers.map((c) => c.email)).size).toBe(12);
      expect(keys.applied.size).toBe(12);
      expect([...keys.applied.values()].every((n) => n === 1)).toBe(true);
      expect(keys.replays).toBeGreaterThanOrEqual(2);
      const links = await recordLinks.findByCrmIds(db.knex, await connectionId('pay-faults'), 'contacts', made.map((c) => c.id));
      for (const c of made) expect(customers.find((x) => x.id === links.get(c.id)?.externalId)?.email).toBe(c.email);

      // Updates and a delete go to the linked customers, each key once.
      await crm.update(db.knex, 'contacts', made[0]!.id, { last_name: 'Renamed' }, opts);
      await crm.softDelete(db.knex, 'contacts', made[1]!.id, opts);
      expect(await push('pay-hub-customers', config, 'pay-faults')).toMatchObject({ status: 'succeeded', records: { updated: 1, deleted: 1 } });
      expect(customers.find((c) => c.email === 's1@example.com')?.name).toBe('S Renamed');
      expect(customers.map((c) => c.email)).not.toContain('s2@example.com');
      expect([...keys.applied.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await api.close();
    }
  });

  it('a retried DELETE whose first attempt deleted (its answer lost) meets 404 resource_missing and counts as done; keys go with POSTs only', async () => {
    const customers: StripeCustomer[] = [];
    const keys = new IdempotencyKeys();
    let lose = false;
    // Writes are counted from 1; once `lose` is set, the next applied write loses its answer.
    const api = await startStripe({ customers, secretKey: 'sk_test_delete', idempotency: keys, loseAnswer: () => (lose ? ((lose = false), true) : false) });
    try {
      const made = [];
      for (let i = 1; i <= 3; i++) made.push(await crm.create(db.knex, 'contacts', { email: `d${i}@example.com`, first_name: 'D', last_name: String(i) }, opts));
      const config = { secret_key: 'sk_test_delete', base_url: api.url };
      expect(await push('pay-hub-customers', config, 'pay-delete')).toMatchObject({ status: 'succeeded', records: { created: 3 } });
      await crm.softDelete(db.knex, 'contacts', made[0]!.id, opts);
      lose = true;
      expect(await push('pay-hub-customers', config, 'pay-delete')).toMatchObject({ status: 'succeeded', records: { deleted: 1, rejected: 0 } });
      const deletes = api.requests.filter((r) => r.method === 'DELETE');
      // The first DELETE deleted (its answer lost), the retry was told the customer is gone.
      expect(deletes).toHaveLength(2);
      expect(customers.map((c) => c.email)).toEqual(expect.not.arrayContaining(['d1@example.com']));
      expect(customers).toHaveLength(2);
      const links = await recordLinks.findByCrmIds(db.knex, await connectionId('pay-delete'), 'contacts', [made[0]!.id]);
      expect(links.size).toBe(0);
      // Stripe honours keys on POST only: the POSTs carried one, the DELETEs none.
      expect(deletes.every((r) => r.headers['idempotency-key'] === undefined)).toBe(true);
      expect(keys.ignored).toBe(0);
      expect(api.requests.filter((r) => r.method === 'POST').every((r) => typeof r.headers['idempotency-key'] === 'string')).toBe(true);
    } finally {
      await api.close();
    }
  });

  it('reports a record the API refuses, delivers the rest of its batch and the others, and does not send it again', async () => {
    const source: HubSpotRecord[] = [];
    const api = await startHubSpot({ objects: { contacts: source }, token: 'pat-reject' });
    try {
      const made = [];
      // Upserts go by email: a contact without one is refused (a 400 for its whole batch).
      for (let i = 1; i <= 25; i++) made.push(await crm.create(db.knex, 'contacts', i === 13 ? { first_name: 'NoEmail' } : { email: `r${i}@example.com`, first_name: `R${i}` }, opts));
      const config = { access_token: 'pat-reject', base_url: api.url };
      const summary = await push('crm-hub-push-contacts', config, 'hub-reject');
      expect(summary).toMatchObject({ status: 'succeeded', records: { read: 25, created: 24, rejected: 1 } });
      expect(source).toHaveLength(24);
      const rejected = await rejectedRecords.listByRun(db.knex, summary.run_id);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toMatchObject({ code: 'SB_HTTP_REQUEST_FAILED', record: { crm_id: made[12]!.id, kind: 'create' } });
      expect(rejected[0]!.reason).toMatch(/400 Bad Request.*every input needs an/);

      // Kept aside, not retried: the next push has nothing to do, until the record changes.
      expect(await push('crm-hub-push-contacts', config, 'hub-reject')).toMatchObject({ records: { read: 0, rejected: 0 } });
      await crm.update(db.knex, 'contacts', made[12]!.id, { email: 'r13@example.com' }, opts);
      expect(await push('crm-hub-push-contacts', config, 'hub-reject')).toMatchObject({ status: 'succeeded', records: { created: 1, rejected: 0 } });
      expect(source).toHaveLength(25);
    } finally {
      await api.close();
    }
  });
});
