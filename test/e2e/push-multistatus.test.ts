// Multi-status batches end to end, with the shipped HubSpot connector and mapping: a batch of 10
// contacts of which HubSpot refuses 3 (207 with per-input errors paired by objectWriteTraceId),
// the push killed with SIGKILL after HubSpot wrote the batch but before the answer was stored,
// then the push run again: the 7 are created exactly once at the API and linked, the 3 are
// rejected with HubSpot's reason, and no record that succeeded is ever sent again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHubSpot, type HubSpotRecord, type MockApi } from '../../examples/mock-apis';
import * as crm from '../../core/store/crm';
import * as recordLinks from '../../core/store/tables/record-links';
import * as rejectedRecords from '../../core/store/tables/rejected-records';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { runCli } from '../helpers/cli';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db';
import { killCliWhen } from '../helpers/cli';

const REPO = join(__dirname, '..', '..');
const KEY = 'f'.repeat(64);
const TOKEN = 'pat-multistatus';

describe('a multi-status batch push, killed before its answer was stored', () => {
  let db: TestDatabase;
  let dir: string;
  let api: MockApi;
  const contacts: HubSpotRecord[] = [];

  beforeEach(async () => {
    db = await createMigratedDatabase('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'switchboard-multistatus-'));
    contacts.length = 0;
    // HubSpot writes the batch at once and answers 400 ms later: the kill lands in between.
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, answerDelayMs: 400 });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ access_token: TOKEN, base_url: api.url }));
  });
  afterEach(async () => {
    await api.close();
    await db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const argv = (): string[] => ['push', 'hubspot-contacts', '--config', join(dir, 'config.json'), '--db', db.url, '--connectors-dir', join(REPO, 'connectors'), '--mappings-dir', join(REPO, 'mappings'), '--json'];
  const batches = (): number => api.requests.filter((r) => r.path === '/crm/v3/objects/contacts/batch/upsert').length;

  it('creates the 7 good contacts exactly once and rejects the 3 bad ones with HubSpot’s reasons', async () => {
    const made = [];
    for (let i = 1; i <= 10; i++) {
      // Contacts 3, 6 and 9 have emails HubSpot refuses.
      const email = i % 3 === 0 ? `broken-${i}.example.com` : `m${i}@example.com`;
      made.push(await crm.create(db.knex, 'contacts', { email, first_name: 'M', last_name: String(i) }, { origin: 'api' }));
    }
    expect(await killCliWhen(argv(), { cwd: dir, env: { SWITCHBOARD_SECRET_KEY: KEY } }, () => contacts.length >= 7)).toBe('SIGKILL');
    const [killed] = await syncRuns.list(db.knex, {});
    expect(killed?.status).toBe('running');
    expect(contacts).toHaveLength(7);
    expect(batches()).toBe(1);

    // The resend: the saved request again, byte for byte; HubSpot's upsert by email finds the 7.
    const again = await runCli(argv(), { cwd: dir, env: { SWITCHBOARD_SECRET_KEY: KEY } });
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout) as { run_id: string; status: string; records: Record<string, number> };
    expect(summary).toMatchObject({ run_id: killed!.id, status: 'succeeded', records: { created: 7, rejected: 3 } });
    // One request for the batch, one resend, no halves: a 207 is read per record, never split.
    expect(batches()).toBe(2);
    expect(api.requests.at(-1)!.body).toBe(api.requests.find((r) => r.path.endsWith('/batch/upsert'))!.body);

    expect(contacts).toHaveLength(7);
    expect(new Set(contacts.map((c) => c.properties['email'])).size).toBe(7);
    const good = made.filter((_c, i) => (i + 1) % 3 !== 0);
    const links = await recordLinks.findByCrmIds(db.knex, killed!.connectionId, 'contacts', made.map((c) => c.id));
    expect(links.size).toBe(7);
    for (const c of good) expect(contacts.find((x) => x.id === links.get(c.id)?.externalId)?.properties['email']).toBe(c.email);

    const rejected = await rejectedRecords.listByRun(db.knex, killed!.id);
    expect(rejected).toHaveLength(3);
    for (const r of rejected) {
      expect(r.code).toBe('SB_HTTP_ITEM_REJECTED');
      expect(r.reason).toMatch(/Email address broken-\d\.example\.com is invalid/);
    }
    expect(new Set(rejected.map((r) => (r.record as { crm_id: string }).crm_id))).toEqual(new Set(made.filter((_c, i) => (i + 1) % 3 === 0).map((c) => c.id)));

    // Nothing is pending: a third push sends no request at all.
    const third = await runCli(argv(), { cwd: dir, env: { SWITCHBOARD_SECRET_KEY: KEY } });
    expect(JSON.parse(third.stdout)).toMatchObject({ status: 'succeeded', records: { created: 0, rejected: 0 } });
    expect(batches()).toBe(2);
  }, 60_000);
});
