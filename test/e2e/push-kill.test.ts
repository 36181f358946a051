// A push process killed with SIGKILL mid-run, then run again: every change is delivered, and
// nothing twice at the API: the request in flight at the kill (applied by the API, its answer
// never heard) is sent again with the same idempotency key, and the API replays its answer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db';
import { runCli } from '../helpers/cli';
import { killCliWhen } from '../helpers/cli';
import { IdempotencyKeys, startHubSpot, startStripe, type HubSpotRecord, type MockApi, type StripeCustomer } from '../../examples/mock-apis';
import * as crm from '../../core/store/crm';
import * as recordLinks from '../../core/store/tables/record-links';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { loadPushState } from '../../core/sync/push-state';

const FIXTURES = join(__dirname, '..', 'fixtures', 'e2e');
const KEY = 'e'.repeat(64);

describe('a push killed mid-run', () => {
  let db: TestDatabase;
  let dir: string;

  beforeEach(async () => {
    db = await createMigratedDatabase('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'switchboard-push-kill-'));
  });
  afterEach(async () => {
    await db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const args = (mapping: string, config: Record<string, unknown>): string[] => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    return ['push', mapping, '--config', join(dir, 'config.json'), '--db', db.url, '--connectors-dir', join(FIXTURES, 'connectors'), '--mappings-dir', join(FIXTURES, 'mappings'), '--json'];
  };

  /** Starts `switchboard push` in a child process and kills it with SIGKILL once `ready()` holds. */
  async function killWhen(argv: string[], ready: () => boolean): Promise<void> {
    expect(await killCliWhen(argv, { cwd: dir, env: { SWITCHBOARD_SECRET_KEY: KEY } }, ready)).toBe('SIGKILL');
  }

  it('delivers every change once with idempotency keys, the request in flight at the kill included', async () => {
    const customers: StripeCustomer[] = [];
    const keys = new IdempotencyKeys();
    // Each write is applied at once and answered 40 ms later: the kill lands between the two.
    const api: MockApi = await startStripe({ customers, secretKey: 'sk_test_kill', idempotency: keys, answerDelayMs: 40 });
    try {
      const made = [];
      for (let i = 1; i <= 60; i++) made.push(await crm.create(db.knex, 'contacts', { email: `k${i}@example.com`, first_name: 'K', last_name: String(i) }, { origin: 'api' }));
      const argv = args('pay-hub-customers', { secret_key: 'sk_test_kill', base_url: api.url });
      await killWhen(argv, () => keys.applied.size >= 10);

      const [killed] = await syncRuns.list(db.knex, {});
      expect(killed?.status).toBe('running');
      const state = await loadPushState(db.knex, { connectionId: killed!.connectionId, mappingId: 'pay-hub-customers' });
      const appliedAtKill = new Map(keys.applied);
      expect(appliedAtKill.size).toBeGreaterThanOrEqual(10);
      expect(appliedAtKill.size).toBeLessThan(60);

      const again = await runCli(argv, { cwd: dir, env: { SWITCHBOARD_SECRET_KEY: KEY } });
      expect(again.code).toBe(0);
      const summary = JSON.parse(again.stdout) as { run_id: string; status: string; records: Record<string, number> };
      expect(summary).toMatchObject({ run_id: killed!.id, status: 'succeeded', records: { created: 60, rejected: 0 } });

      // Exactly one customer per contact; no key applied twice; the request in flight at the
      // kill, if the API had applied it, was answered from the saved answer.
      expect(customers).toHaveLength(60);
      expect(new Set(customers.map((c) => c.email)).size).toBe(60);
      expect(keys.applied.size).toBe(60);
      expect([...keys.applied.values()].every((n) => n === 1)).toBe(true);
      const inflight = state.inflight;
      if (inflight !== null && appliedAtKill.has(inflight.key)) expect(keys.replays).toBe(1);
      const links = await recordLinks.findByCrmIds(db.knex, killed!.connectionId, 'contacts', made.map((c) => c.id));
      expect(links.size).toBe(60);
      for (const c of made) expect(customers.find((x) => x.id === links.get(c.id)?.externalId)?.email).toBe(c.email);
    } finally {
      await api.close();
    }
  });

  it('delivers every change of batched upserts, without duplicate records', async () => {
    const source: HubSpotRecord[] = [];
    let upserts = 0;
    const api: MockApi = await startHubSpot({
      objects: { contacts: source },
      token: 'pat-kill',
      faults: (_i, req) => (req.path.endsWith('/batch/upsert') && ++upserts > 0 ? { delayMs: 40 } : undefined),
    });
    try {
      for (let i = 1; i <= 200; i++) await crm.create(db.knex, 'contacts', { email: `b${i}@example.com`, first_name: `B${i}` }, { origin: 'api' });
      const argv = args('crm-hub-push-contacts', { access_token: 'pat-kill', base_url: api.url });
      await killWhen(argv, () => upserts >= 6);
      const [killed] = await syncRuns.list(db.knex, {});
      expect(killed?.status).toBe('running');
      expect(source.length).toBeLessThan(200);

      const again = await runCli(argv, { cwd: dir, env: { SWITCHBOARD_SECRET_KEY: KEY } });
      expect(JSON.parse(again.stdout)).toMatchObject({ run_id: killed!.id, status: 'succeeded', records: { created: 200, rejected: 0 } });
      expect(source).toHaveLength(200);
      expect(new Set(source.map((r) => r.properties['email'])).size).toBe(200);
      const links = await recordLinks.findByExternalIds(db.knex, killed!.connectionId, 'contacts', source.map((r) => r.id));
      expect(links.size).toBe(200);
    } finally {
      await api.close();
    }
  });
});
