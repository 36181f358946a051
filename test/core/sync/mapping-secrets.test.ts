// Mapping templates cannot read connection secrets: `{{config.access_token}}` in a field
// template copied the secret into a CRM field any crm:read token could read. `validate` refuses
// such mappings (see the invalid corpus); a mapping that gets past it anyway still renders with a
// config that holds no secret settings, in pulls and in push payloads alike.
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRegistry, loadRegistry, type MappingDefinition } from '../../../core/definitions';
import { Engine } from '../../../core/engine';
import { silentLogger } from '../../../core/logger';
import { SecretBox } from '../../../core/secrets';
import * as crm from '../../../core/store/crm';
import * as syncRuns from '../../../core/store/tables/sync-runs';
import { buildPushPlan } from '../../../core/sync/push-plan';
import { hubspotContacts, startHubSpot } from '../../../examples/mock-apis';
import { createMigratedDatabase } from '../../helpers/db';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'e2e');
const SECRET = 'pat-mapping-secret-0123';

const leaking = {
  id: 'leaking-contacts',
  connector: 'crm-hub',
  stream: 'contacts',
  entity: 'contacts',
  fields: {
    email: { path: 'properties.email', transform: ['trim', 'lowercase'] },
    'custom.token': { template: '{{config.access_token}}' },
    'custom.everything': { template: '{{json config}}' },
    'custom.base': { template: '{{config.base_url}}' },
  },
} as unknown as MappingDefinition;

describe('mapping templates at run time', () => {
  it('see a config without the secret settings: the CRM never holds them', async () => {
    const db = await createMigratedDatabase('sqlite');
    const api = await startHubSpot({ objects: { contacts: hubspotContacts(3) }, token: SECRET });
    const fixtures = await loadRegistry({ connectorsDir: join(FIXTURES, 'connectors'), mappingsDir: join(FIXTURES, 'mappings') });
    const engine = await Engine.open({ knex: db.knex, registry: createRegistry(fixtures.connectors, new Map([[leaking.id, leaking]])), box: new SecretBox(randomBytes(32)), logger: silentLogger(), queue: 'memory', concurrency: 0 });
    try {
      const conn = await engine.createConnection({ name: 'leak', connectorId: 'crm-hub', config: { access_token: SECRET, base_url: api.url } });
      const { run } = await engine.requestRun({ connection: conn.id, mapping: leaking.id, mode: 'full' });
      await engine.executeRun(run.id, {});
      expect((await syncRuns.get(db.knex, run.id)).status).toBe('succeeded');
      const { items } = await crm.list(db.knex, 'contacts', { limit: 10 });
      expect(items).toHaveLength(3);
      expect(JSON.stringify(items)).not.toContain(SECRET);
      expect(items[0]!.custom).toMatchObject({ base: api.url, everything: JSON.stringify({ base_url: api.url }) });
      expect(items[0]!.custom).not.toHaveProperty('token');

      const push = buildPushPlan({ runId: run.id, connectionId: conn.id, mapping: { ...leaking, push: { update: 'x', fields: {} } } as unknown as MappingDefinition, connector: { ...fixtures.connector('crm-hub'), actions: { x: { request: { method: 'POST', path: '/x', body: { note: '{{record.email}}' } } } } }, config: { access_token: SECRET, base_url: api.url } });
      expect(push.config).toEqual({ base_url: api.url });
    } finally {
      await engine.close();
      await api.close();
      await db.cleanup();
    }
  });
});
