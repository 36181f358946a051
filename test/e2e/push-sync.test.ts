// End to end: CRM creates, updates and deletes made through the repository reach a local
// HubSpot-style API with `switchboard push` (batched upserts by email, batched archives), on
// SQLite and PostgreSQL; the records are linked to the API's ids, and a following pull changes
// nothing and pushes nothing.
import { DIALECTS } from '../helpers/db';
import { startHubSpotE2e, type HubSpotE2e } from '../helpers/e2e';
import { jsonBody } from '../../examples/mock-apis';
import * as crm from '../../core/store/crm';
import * as recordLinks from '../../core/store/tables/record-links';

const MAPPING = 'crm-hub-push-contacts';

interface Summary {
  status: string;
  records: Record<string, number>;
  requests: number;
  error?: { code: string; message: string };
}

describe.each(DIALECTS)('push end to end on %s', (dialect) => {
  let e: HubSpotE2e;
  beforeAll(async () => {
    e = await startHubSpotE2e(dialect, { records: 20, token: 'pat-push', secretKey: 'c'.repeat(64) });
  });
  afterAll(async () => e.close());

  const cli = async (command: 'sync' | 'push', ...extra: string[]): Promise<Summary> => {
    const r = await e.cli(command, MAPPING, ...extra);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as Summary;
  };

  /** Live contacts as (email -> first and last name). */
  async function crmContacts(): Promise<Map<string, { first: unknown; last: unknown }>> {
    const page = await crm.list(e.db.knex, 'contacts', { limit: 1000 });
    return new Map(page.items.map((c) => [String(c.email), { first: c.first_name, last: c.last_name }]));
  }
  function apiContacts(): Map<string, { first: unknown; last: unknown }> {
    return new Map(e.source.filter((r) => !r.archived).map((r) => [String(r.properties['email']), { first: r.properties['firstname'] ?? null, last: r.properties['lastname'] ?? null }]));
  }
  /** Inputs the API received per email (upserts) or id (archives), from the request log. */
  function writes(op: 'upsert' | 'archive'): Map<string, number> {
    const out = new Map<string, number>();
    for (const req of e.api.requests.filter((r) => r.path === `/crm/v3/objects/contacts/batch/${op}`)) {
      for (const input of (jsonBody(req) as { inputs: { id: string }[] }).inputs) out.set(input.id, (out.get(input.id) ?? 0) + 1);
    }
    return out;
  }

  it('delivers creates, updates and deletes once each, links the new records, and then has nothing to do either way', async () => {
    expect(await cli('sync', '--full')).toMatchObject({ status: 'succeeded', records: { created: 20 } });
    const byEmail = async (email: string) => (await crm.list(e.db.knex, 'contacts', { filter: { email } })).items[0]!;

    const opts = { origin: 'api' as const };
    const created = [];
    for (let i = 1; i <= 4; i++) created.push(await crm.create(e.db.knex, 'contacts', { email: `new${i}@example.com`, first_name: `New${i}`, last_name: 'Person' }, opts));
    await crm.update(e.db.knex, 'contacts', created[0]!.id, { first_name: 'Renamed' }, opts); // create + update: one create
    for (const n of [3, 5, 7]) await crm.update(e.db.knex, 'contacts', (await byEmail(`contact${n}@example.com`)).id, { first_name: `Changed${n}` }, opts);
    for (const n of [9, 11]) await crm.softDelete(e.db.knex, 'contacts', (await byEmail(`contact${n}@example.com`)).id, opts);
    const temp = await crm.create(e.db.knex, 'contacts', { email: 'temp@example.com', first_name: 'Temp' }, opts);
    await crm.softDelete(e.db.knex, 'contacts', temp.id, opts); // create + delete: nothing to send

    const before = e.api.requests.length;
    const pushed = await cli('push');
    expect(pushed).toMatchObject({ status: 'succeeded', records: { read: 10, created: 4, updated: 3, deleted: 2, unchanged: 1, rejected: 0 } });
    // One batch upsert (7 records) and one batch archive (2).
    expect(e.api.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /crm/v3/objects/contacts/batch/upsert', 'POST /crm/v3/objects/contacts/batch/archive']);

    // The API holds exactly the CRM's contacts, each written once.
    expect(apiContacts()).toEqual(await crmContacts());
    expect(e.source.filter((r) => r.archived).map((r) => r.id).sort()).toEqual(['11', '9']);
    const upserts = writes('upsert');
    expect([...upserts.keys()].sort()).toEqual(['contact3@example.com', 'contact5@example.com', 'contact7@example.com', 'new1@example.com', 'new2@example.com', 'new3@example.com', 'new4@example.com']);
    expect([...upserts.values()].every((n) => n === 1)).toBe(true);
    expect(writes('archive')).toEqual(new Map([['9', 1], ['11', 1]]));
    expect(e.source.find((r) => r.properties['email'] === 'new1@example.com')?.properties['firstname']).toBe('Renamed');

    // The new records are linked to the ids the API gave them; the deleted ones are unlinked.
    const connection = (await e.db.knex('connections').first('id')) as { id: string };
    const links = await recordLinks.findByCrmIds(e.db.knex, connection.id, 'contacts', created.map((c) => c.id));
    for (const c of created) {
      const record = e.source.find((r) => r.properties['email'] === c.email)!;
      expect(links.get(c.id)?.externalId).toBe(record.id);
    }
    expect((await recordLinks.findByExternalIds(e.db.knex, connection.id, 'contacts', ['9', '11'])).size).toBe(0);

    // The API's echo of the push (its records now modified later than the last pull) is
    // recognized: the incremental pull reads them and writes nothing, and nothing is pushed.
    const pulled = await cli('sync');
    expect(pulled).toMatchObject({ status: 'succeeded', records: { created: 0, updated: 0, deleted: 0, rejected: 0 } });
    expect(pulled.records['read']).toBeGreaterThanOrEqual(9);
    expect(await cli('sync', '--full')).toMatchObject({ status: 'succeeded', records: { read: 22, unchanged: 22, created: 0, updated: 0, deleted: 0 } });
    const again = e.api.requests.length;
    expect(await cli('push')).toMatchObject({ status: 'succeeded', records: { read: 0, created: 0, updated: 0, deleted: 0 }, requests: 0 });
    expect(e.api.requests.length).toBe(again);
    expect(apiContacts()).toEqual(await crmContacts());

    // A later CRM change is pushed as an update of the linked record; an update that changes
    // nothing the push sends is not.
    await crm.update(e.db.knex, 'contacts', created[1]!.id, { last_name: 'Later' }, opts);
    await crm.update(e.db.knex, 'contacts', created[2]!.id, { title: 'CTO' }, opts);
    expect(await cli('push')).toMatchObject({ status: 'succeeded', records: { read: 2, created: 0, updated: 1, unchanged: 1 } });
    expect(e.source.find((r) => r.properties['email'] === 'new2@example.com')?.properties['lastname']).toBe('Later');
    expect(apiContacts()).toEqual(await crmContacts());
  });
});
