// A run with direction `both` pulls, then pushes, in one run: through the engine's queue.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import { waitFor } from '../../helpers/wait';
import { Engine } from '../../../core/engine';
import { loadRegistry } from '../../../core/definitions';
import { silentLogger } from '../../../core/logger';
import { SecretBox } from '../../../core/secrets';
import * as crm from '../../../core/store/crm';
import * as syncRuns from '../../../core/store/tables/sync-runs';
import { hubspotContacts, jsonBody, startHubSpot, type MockApi } from '../../../examples/mock-apis';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'e2e');

describe('a run in both directions', () => {
  let db: TestDatabase;
  let api: MockApi;
  let engine: Engine;
  beforeAll(async () => {
    db = await createMigratedDatabase('sqlite');
    api = await startHubSpot({ objects: { contacts: hubspotContacts(10) }, token: 'tok' });
    const registry = await loadRegistry({ connectorsDir: join(FIXTURES, 'connectors'), mappingsDir: join(FIXTURES, 'mappings') });
    engine = await Engine.open({ knex: db.knex, registry, box: new SecretBox(randomBytes(32)), logger: silentLogger(), queue: 'memory', concurrency: 1 });
  });
  afterAll(async () => {
    await engine.close();
    await api.close();
    await db.cleanup();
  });

  const finished = (id: string) =>
    waitFor(`run ${id}`, async () => {
      const run = await syncRuns.get(db.knex, id);
      return ['succeeded', 'failed', 'canceled'].includes(run.status) ? run : undefined;
    });

  it('pulls the source, then pushes the CRM changes, in one run', async () => {
    const conn = await engine.createConnection({ name: 'both', connectorId: 'crm-hub-push', config: { access_token: 'tok', base_url: api.url } });
    const first = await engine.requestRun({ connection: conn.id, mapping: 'crm-hub-push-contacts', direction: 'both', mode: 'full' });
    expect(await finished(first.run.id)).toMatchObject({ status: 'succeeded', direction: 'both', counts: { records_created: 10 } });

    await crm.create(db.knex, 'contacts', { email: 'fresh@example.com', first_name: 'Fresh' }, { origin: 'api' });
    const second = await engine.requestRun({ connection: conn.id, mapping: 'crm-hub-push-contacts', direction: 'both', mode: 'full' });
    expect((await finished(second.run.id)).status).toBe('succeeded');
    const upserts = api.requests.filter((r) => r.path.endsWith('/batch/upsert')).flatMap((r) => (jsonBody(r) as { inputs: { id: string }[] }).inputs.map((i) => i.id));
    expect(upserts).toEqual(['fresh@example.com']);
    await expect(engine.requestRun({ connection: conn.id, mapping: 'crm-hub-push-contacts', direction: 'sideways' as never })).rejects.toBeDefined();
  });

  it('is refused for a mapping without a push section', async () => {
    const conn = await engine.createConnection({ name: 'pull-only', connectorId: 'crm-hub', config: { access_token: 'tok', base_url: api.url } });
    await expect(engine.requestRun({ connection: conn.id, mapping: 'crm-hub-contacts', direction: 'both' })).rejects.toMatchObject({ code: 'SB_BAD_REQUEST' });
  });
});
