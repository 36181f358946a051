// Record links written by a push: a full pull of another mapping of the same connection and
// entity (whose source never held the record) leaves the pushed record alone; a full pull of
// the pushing mapping keeps it while its source has it.
import { join } from 'node:path';
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import { Engine } from '../../../core/engine';
import { createRegistry, loadRegistry } from '../../../core/definitions';
import type { ConnectorDefinition } from '../../../core/generated/connector';
import type { MappingDefinition } from '../../../core/generated/mapping';
import { silentLogger } from '../../../core/logger';
import { SecretBox } from '../../../core/secrets';
import * as crm from '../../../core/store/crm';
import * as syncRuns from '../../../core/store/tables/sync-runs';
import { hubspotContacts, startHubSpot, type MockApi } from '../../../examples/mock-apis';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'e2e');

describe.each(DIALECTS)('links of pushed records on %s', (dialect) => {
  let db: TestDatabase;
  let engine: Engine;
  let api: MockApi;

  beforeAll(async () => {
    db = await createMigratedDatabase(dialect);
  });
  afterAll(async () => {
    await engine.close();
    await api.close();
    await db.cleanup();
  });

  it('are swept only by full pulls of the mapping that pushed them', async () => {
    const fixtures = await loadRegistry({ connectorsDir: join(FIXTURES, 'connectors'), mappingsDir: join(FIXTURES, 'mappings') });
    const base = fixtures.connector('crm-hub-push');
    // A second stream of the same API, written into the same entity by a mapping of its own.
    const { incremental: _full, ...contactsStream } = base.streams!['contacts']!;
    const connector: ConnectorDefinition = { ...base, streams: { ...base.streams, others: { ...contactsStream, request: { method: 'GET', path: '/crm/v3/objects/others', query: { limit: 100 } } } } };
    const pushing = fixtures.mapping('crm-hub-push-contacts');
    const others: MappingDefinition = { id: 'crm-hub-others', connector: 'crm-hub-push', stream: 'others', entity: 'contacts', fields: { email: 'properties.email' } };
    engine = await Engine.open({ knex: db.knex, registry: createRegistry(new Map([[connector.id, connector]]), new Map([[pushing.id, pushing], [others.id, others]])), box: new SecretBox(Buffer.alloc(32, 9)), logger: silentLogger(), queue: 'memory', concurrency: 0 });
    const contacts = hubspotContacts(2);
    api = await startHubSpot({ objects: { contacts, others: [] }, token: 'tok' });
    const conn = await engine.createConnection({ name: 'hub', connectorId: connector.id, config: { access_token: 'tok', base_url: api.url } });
    const run = async (mapping: string, direction: 'pull' | 'push', mode: 'full' | 'incremental' = 'full') => {
      const { run } = await engine.requestRun({ connection: conn.id, mapping, direction, mode });
      await engine.executeRun(run.id, {});
      return syncRuns.get(db.knex, run.id);
    };

    const pushed = await crm.create(db.knex, 'contacts', { email: 'pushed@example.com', first_name: 'Pushed' }, { origin: 'api' });
    expect((await run(pushing.id, 'push')).counts.records_created).toBe(1);
    expect((await run(others.id, 'pull')).counts).toMatchObject({ records_deleted: 0 });
    expect((await crm.get(db.knex, 'contacts', pushed.id)).deleted_at).toBeNull();

    // The pushing mapping's own full pull reads the record at its source: seen, kept, unchanged.
    expect((await run(pushing.id, 'pull')).counts).toMatchObject({ records_read: 3, records_created: 2, records_unchanged: 1, records_deleted: 0 });
    // Gone from its source, the next full pull of that mapping sweeps it.
    contacts.splice(contacts.findIndex((c) => c.properties['email'] === 'pushed@example.com'), 1);
    expect((await run(pushing.id, 'pull')).counts).toMatchObject({ records_deleted: 1 });
    expect(await crm.find(db.knex, 'contacts', pushed.id)).toBeUndefined();
  });
});
