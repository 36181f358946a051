// `conflict` on push: a record changed in the CRM and at the source. The pull before the push
// decides by the mapping's policy; the push then sends the CRM's change only where the CRM won
// (crm_wins, newest_wins with the CRM newer), or where it touched fields the pull does not write.
import { join } from 'node:path';
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import { Engine } from '../../../core/engine';
import { createRegistry, loadRegistry, type Registry } from '../../../core/definitions';
import type { MappingDefinition } from '../../../core/generated/mapping';
import { silentLogger } from '../../../core/logger';
import { SecretBox } from '../../../core/secrets';
import * as crm from '../../../core/store/crm';
import * as syncRuns from '../../../core/store/tables/sync-runs';
import { hubspotContacts, startHubSpot, type HubSpotRecord, type MockApi } from '../../../examples/mock-apis';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'e2e');
const MAPPING = 'crm-hub-push-contacts';
type Policy = NonNullable<MappingDefinition['conflict']>;

describe.each(DIALECTS)('push conflicts on %s', (dialect) => {
  let fixtures: Registry;
  let db: TestDatabase;
  let engine: Engine | undefined;
  let api: MockApi | undefined;

  beforeAll(async () => {
    fixtures = await loadRegistry({ connectorsDir: join(FIXTURES, 'connectors'), mappingsDir: join(FIXTURES, 'mappings') });
  });
  // A database per test: a connection's first push reads every change recorded before it.
  beforeEach(async () => {
    db = await createMigratedDatabase(dialect);
  });
  afterEach(async () => {
    await engine?.close();
    await api?.close();
    await db.cleanup();
  });

  /** Three contacts pulled from a HubSpot-style API under `policy`; `title` is pushed but never pulled. */
  async function setup(policy: Policy) {
    const base = fixtures.mapping(MAPPING);
    const mapping: MappingDefinition = { ...base, conflict: policy, push: { ...base.push!, fields: { ...base.push!.fields, 'properties.jobtitle': 'title' } } };
    engine = await Engine.open({ knex: db.knex, registry: createRegistry(fixtures.connectors, new Map([[MAPPING, mapping]])), box: new SecretBox(Buffer.alloc(32, 3)), logger: silentLogger(), queue: 'memory', concurrency: 0 });
    const source: HubSpotRecord[] = hubspotContacts(3);
    api = await startHubSpot({ objects: { contacts: source }, token: 'tok' });
    const conn = await engine.createConnection({ name: 'hub', connectorId: 'crm-hub-push', config: { access_token: 'tok', base_url: api.url } });
    const e = engine;
    const run = async (direction: 'pull' | 'push', mode: 'full' | 'incremental' = 'incremental') => {
      const { run } = await e.requestRun({ connection: conn.id, mapping: MAPPING, direction, mode });
      await e.executeRun(run.id, {});
      return syncRuns.get(db.knex, run.id);
    };
    expect((await run('pull', 'full')).counts.records_created).toBe(3);
    const contact = async (n: number) => (await crm.list(db.knex, 'contacts', { filter: { email: `contact${n}@example.com` }, includeDeleted: true })).items[0]!;
    const at = source[0]!;
    /** A change at the source, `offsetMs` from now. */
    const editAtSource = (record: HubSpotRecord, props: Record<string, string>, offsetMs: number) => {
      Object.assign(record.properties, props);
      record.properties['lastmodifieddate'] = record.updatedAt = new Date(Date.now() + offsetMs).toISOString();
    };
    const writes = () => api!.requests.filter((r) => r.method === 'POST' && r.path.includes('/batch/')).length;
    return { run, contact, source, at, editAtSource, writes };
  }

  it('source_wins: a change the source overwrote at the last pull is not pushed', async () => {
    const s = await setup('source_wins');
    await crm.update(db.knex, 'contacts', (await s.contact(1)).id, { first_name: 'Crm' }, { origin: 'api' });
    s.editAtSource(s.at, { firstname: 'Source' }, -60_000);
    expect((await s.run('pull')).counts).toMatchObject({ records_updated: 1 });
    expect((await s.contact(1)).first_name).toBe('Source');
    expect((await s.run('push')).counts).toMatchObject({ records_read: 1, records_unchanged: 1, records_updated: 0 });
    expect(s.writes()).toBe(0);
    expect(s.at.properties['firstname']).toBe('Source');
  });

  it('source_wins: the fields of a change that the pull does not write are still pushed', async () => {
    const s = await setup('source_wins');
    await crm.update(db.knex, 'contacts', (await s.contact(1)).id, { first_name: 'Crm', title: 'CTO' }, { origin: 'api' });
    s.editAtSource(s.at, { firstname: 'Source' }, 60_000);
    await s.run('pull');
    expect((await s.run('push')).counts).toMatchObject({ records_updated: 1 });
    expect(s.at.properties).toMatchObject({ firstname: 'Source', jobtitle: 'CTO' });
  });

  it('source_wins: decided with what was pulled, so a change not pulled yet does not hold a push back', async () => {
    const s = await setup('source_wins');
    await crm.update(db.knex, 'contacts', (await s.contact(1)).id, { first_name: 'Crm' }, { origin: 'api' });
    s.editAtSource(s.at, { firstname: 'Source' }, 60_000);
    expect((await s.run('push')).counts).toMatchObject({ records_updated: 1 });
    expect(s.at.properties['firstname']).toBe('Crm');
  });

  it('crm_wins: the pull keeps the CRM change and the push sends it; the echo is not pulled back', async () => {
    const s = await setup('crm_wins');
    await crm.update(db.knex, 'contacts', (await s.contact(1)).id, { first_name: 'Crm' }, { origin: 'api' });
    s.editAtSource(s.at, { firstname: 'Source' }, 60_000);
    expect((await s.run('pull')).counts).toMatchObject({ records_updated: 0 });
    expect((await s.run('push')).counts).toMatchObject({ records_updated: 1 });
    expect(s.at.properties['firstname']).toBe('Crm');
    expect((await s.run('pull')).counts).toMatchObject({ records_updated: 0, records_created: 0 });
    expect((await s.contact(1)).first_name).toBe('Crm');
  });

  it('newest_wins: the newer side wins in both directions', async () => {
    const s = await setup('newest_wins');
    const [one, two] = [s.source[0]!, s.source[1]!];
    await crm.update(db.knex, 'contacts', (await s.contact(1)).id, { first_name: 'Crm1' }, { origin: 'api' });
    await crm.update(db.knex, 'contacts', (await s.contact(2)).id, { first_name: 'Crm2' }, { origin: 'api' });
    s.editAtSource(one, { firstname: 'Source1' }, 60_000); // newer than the CRM change
    s.editAtSource(two, { firstname: 'Source2' }, -60_000); // older
    await s.run('pull');
    expect((await s.run('push')).counts).toMatchObject({ records_read: 2, records_updated: 1, records_unchanged: 1 });
    expect([one.properties['firstname'], two.properties['firstname']]).toEqual(['Source1', 'Crm2']);
    expect([(await s.contact(1)).first_name, (await s.contact(2)).first_name]).toEqual(['Source1', 'Crm2']);
  });

  it('deletes: a CRM delete loses to a source change under source_wins, and is pushed under crm_wins', async () => {
    for (const policy of ['source_wins', 'crm_wins'] as const) {
      const s = await setup(policy);
      const two = s.source[1]!;
      await crm.softDelete(db.knex, 'contacts', (await s.contact(2)).id, { origin: 'api' });
      s.editAtSource(two, { firstname: 'Edited' }, 60_000);
      await s.run('pull');
      const pushed = await s.run('push');
      if (policy === 'source_wins') {
        expect((await s.contact(2)).deleted_at).toBeNull();
        expect(pushed.counts).toMatchObject({ records_unchanged: 1, records_deleted: 0 });
        expect(two.archived).toBe(false);
      } else {
        expect((await s.contact(2)).deleted_at).not.toBeNull();
        expect(pushed.counts).toMatchObject({ records_deleted: 1 });
        expect(two.archived).toBe(true);
      }
      await engine!.close();
      await api!.close();
      engine = undefined;
      api = undefined;
      await db.cleanup();
      db = await createMigratedDatabase(dialect);
    }
  });
});
