// End to end: `switchboard sync` against a local HubSpot-style API, full then incremental, on
// SQLite and PostgreSQL: the CRM tables equal the source exactly.
import { DIALECTS } from '../helpers/db';
import { startHubSpotE2e, type HubSpotE2e } from '../helpers/e2e';
import * as crm from '../../core/store/crm';

describe.each(DIALECTS)('pull sync end to end on %s', (dialect) => {
  let e: HubSpotE2e;
  beforeAll(async () => {
    e = await startHubSpotE2e(dialect, { records: 250, token: 'pat-test-token', secretKey: 'a'.repeat(64) });
  });
  afterAll(async () => e.close());

  const sync = async (...extra: string[]) => {
    const r = await e.cli('sync', 'crm-hub-contacts', ...extra);
    expect(r.stderr).toBe('');
    return { ...r, summary: JSON.parse(r.stdout) as { status: string; records: Record<string, number>; pages: number; requests: number } };
  };

  /** The CRM's live contacts, as (hubspot id -> fields), to compare with the source. */
  async function crmState(): Promise<Map<string, { email: unknown; first_name: unknown; last_name: unknown }>> {
    const out = new Map<string, { email: unknown; first_name: unknown; last_name: unknown }>();
    let cursor: string | undefined;
    do {
      const page = await crm.list(e.db.knex, 'contacts', { limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const c of page.items) out.set(String(c.custom['hubspot_id']), { email: c.email, first_name: c.first_name, last_name: c.last_name });
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return out;
  }

  function sourceState(): Map<string, { email: unknown; first_name: unknown; last_name: unknown }> {
    return new Map(
      e.source.filter((r) => !r.archived).map((r) => [r.id, { email: r.properties['email']!.trim().toLowerCase(), first_name: r.properties['firstname'] ?? null, last_name: r.properties['lastname'] ?? null }]),
    );
  }

  it('copies the source exactly with a full run, then follows changes with an incremental run', async () => {
    const full = await sync('--full');
    expect(full.code).toBe(0);
    expect(full.summary).toMatchObject({ status: 'succeeded', records: { read: 250, created: 250, updated: 0, rejected: 0 }, pages: 3 });
    expect(await crmState()).toEqual(sourceState());

    // Changes at the source, all stamped after the last sync: 3 updates, 2 inserts, 1 deletion,
    // and two records sharing the newest modification time.
    const later = (s: number) => new Date(Date.UTC(2025, 0, 1) + s * 1000).toISOString();
    for (const id of ['5', '17', '230']) {
      const r = e.source.find((x) => x.id === id)!;
      r.properties['firstname'] = `Changed${id}`;
      r.properties['lastmodifieddate'] = r.updatedAt = later(1);
    }
    for (const id of ['251', '252']) {
      e.source.push({ id, properties: { email: `NEW${id}@example.com `, firstname: `New${id}`, lastname: 'Person', lastmodifieddate: later(2) }, createdAt: later(2), updatedAt: later(2), archived: false });
    }
    const gone = e.source.find((x) => x.id === '42')!;
    gone.archived = true;
    gone.properties['lastmodifieddate'] = gone.updatedAt = later(2);

    const before = e.api.requests.length;
    const inc = await sync();
    expect(inc.code).toBe(0);
    // The search is inclusive (GTE): the newest record of the last run is read again, unchanged.
    expect(inc.summary).toMatchObject({ status: 'succeeded', records: { read: 7, created: 2, updated: 3, deleted: 1, unchanged: 1, rejected: 0 } });
    // Incremental reads only what changed: one search page, not the 250-record list.
    expect(e.api.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /crm/v3/objects/contacts/search']);
    expect(await crmState()).toEqual(sourceState());

    // A record changed later with the same timestamp as the newest seen is not skipped.
    const tie = e.source.find((x) => x.id === '100')!;
    tie.properties['lastname'] = 'Tied';
    tie.properties['lastmodifieddate'] = tie.updatedAt = later(2);
    const again = await sync();
    expect(again.summary.records).toMatchObject({ updated: 1, created: 0 });
    expect(await crmState()).toEqual(sourceState());

    // A record removed from the source entirely is swept by the next full run.
    e.source.splice(e.source.findIndex((x) => x.id === '7'), 1);
    const sweep = await sync('--full');
    expect(sweep.summary.records).toMatchObject({ deleted: 1, created: 0, updated: 0 });
    expect(await crmState()).toEqual(sourceState());
  });
});
