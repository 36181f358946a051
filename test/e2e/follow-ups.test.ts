// Follow-up requests end to end, on both databases: HubSpot-style deals enriched by two v4
// associations batch reads per page (contacts, and companies whose primary one is picked by
// its association type, not its position), so each deal gets its contact and company. Exact
// contents after a full run, after source changes read by an incremental run (the search pages
// are enriched too), a follow-up that fails (no deal of that page is written without its
// associations), and a run killed with SIGKILL and resumed at the page it stopped at.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../helpers/db';
import { killCliWhen, runCli } from '../helpers/cli';
import { fixtureArgs } from '../helpers/e2e';
import { hubspotCompanies, hubspotDeals, hubspotPeople, isoNow, startHubSpot, type HubSpotRecord, type LoggedRequest, type MockApi, type MockResponse } from '../../examples/mock-apis';
import * as syncRuns from '../../core/store/tables/sync-runs';

const SECRET = { SWITCHBOARD_SECRET_KEY: 'd'.repeat(64) };
const TOKEN = 'pat-deals';

interface Hub {
  db: TestDatabase;
  api: MockApi;
  companies: HubSpotRecord[];
  people: HubSpotRecord[];
  deals: HubSpotRecord[];
  /** Decides a fault per request (set by a test). */
  fault: ((req: LoggedRequest) => MockResponse | { delayMs: number } | undefined) | undefined;
  dir: string;
  config: string;
  sync(mapping: string, ...extra: string[]): Promise<{ code: number; summary: Record<string, unknown> & { records: Record<string, number> } }>;
  close(): Promise<void>;
}

async function startHub(dialect: (typeof DIALECTS)[number], deals: number): Promise<Hub> {
  const db = await createMigratedDatabase(dialect);
  const companies = hubspotCompanies(12);
  const people = hubspotPeople(40, companies);
  const dealRecords = hubspotDeals(deals, people, Date.UTC(2024, 0, 1), companies);
  // Every fifth deal also has a second company with a smaller id, listed first by the API.
  dealRecords.forEach((d, i) => {
    const primary = d.associations?.['companies']?.[0];
    if (i % 5 === 0 && primary !== undefined && primary !== '1001') d.associations!['companies'] = [primary, '1001'];
  });
  const hub: Partial<Hub> = { db, companies, people, deals: dealRecords, fault: undefined };
  const api = await startHubSpot({ objects: { companies, contacts: people, deals: dealRecords }, token: TOKEN, faults: (_i, req) => hub.fault?.(req) });
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-enrich-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ access_token: TOKEN, base_url: api.url }));
  return Object.assign(hub, {
    api,
    dir,
    config,
    async sync(mapping: string, ...extra: string[]) {
      const res = await runCli(['sync', mapping, ...fixtureArgs(config, db.url), '--json', ...extra], { cwd: dir, env: SECRET });
      if (res.code !== 0 && res.stdout === '') throw new Error(`sync ${mapping} exited ${res.code}: ${res.stderr}`);
      const summary = JSON.parse(res.stdout) as Record<string, unknown>;
      if (res.code !== 0 && process.env['DEBUG_E2E'] !== undefined) process.stderr.write(`${JSON.stringify(summary.error)}\n`);
      return { code: res.code, summary: summary as never };
    },
    async close() {
      await api.close();
      await db.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  }) as Hub;
}

function stageOf(stage: string | null | undefined): string {
  return stage === 'closedwon' ? 'won' : stage === 'closedlost' ? 'lost' : 'open';
}

/** What the CRM must hold for the deals not archived: name, amount, stage, contact and primary company (by HubSpot id). */
function expected(hub: Hub): string[] {
  return hub.deals
    .filter((d) => !d.archived)
    .map((d) => JSON.stringify([d.properties['dealname'], Number(d.properties['amount']), stageOf(d.properties['dealstage']), Math.round(Number(d.properties['amount']) * 100), d.associations?.['contacts']?.[0] ?? null, d.associations?.['companies']?.[0] ?? null]))
    .sort();
}

async function actual(db: TestDatabase): Promise<string[]> {
  const rows = (await db
    .knex('deals')
    .leftJoin('contacts', 'contacts.id', 'deals.contact_id')
    .leftJoin('companies', 'companies.id', 'deals.company_id')
    .whereNull('deals.deleted_at')
    .select('deals.name', 'deals.amount', 'deals.stage', 'deals.custom', 'contacts.custom as contact', 'companies.custom as company')) as Array<Record<string, unknown>>;
  const json = (v: unknown): Record<string, unknown> | null => (v === null || v === undefined ? null : ((typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>));
  return rows.map((r) => JSON.stringify([r['name'], Number(r['amount']), r['stage'], json(r['custom'])?.['amount_cents'], json(r['contact'])?.['hubspot_id'] ?? null, json(r['company'])?.['hubspot_id'] ?? null])).sort();
}

const associationReads = (api: MockApi, from = 0): LoggedRequest[] => api.requests.slice(from).filter((r) => r.path.startsWith('/crm/v4/associations/'));

/** A hub whose companies and contacts are synced already (deals refer to them). */
async function startSyncedHub(dialect: (typeof DIALECTS)[number], deals: number): Promise<Hub> {
  const hub = await startHub(dialect, deals);
  expect((await hub.sync('hub-deals-companies', '--full')).code).toBe(0);
  expect((await hub.sync('hub-deals-contacts', '--full')).code).toBe(0);
  return hub;
}

describe.each(DIALECTS)('follow-up requests (%s)', (dialect) => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startSyncedHub(dialect, 120);
  });
  afterAll(async () => hub.close());

  it('gives every deal its contact and primary company, then follows the changes incrementally', async () => {
    const first = await hub.sync('hub-deals-deals', '--full');
    expect(first.code).toBe(0);
    expect(first.summary).toMatchObject({ status: 'succeeded', records: { read: 120, created: 120, rejected: 0 } });
    expect(await actual(hub.db)).toEqual(expected(hub));
    // Three pages of 50: one batch read of each kind per page, the page's ids in one body.
    const reads = associationReads(hub.api);
    expect(reads).toHaveLength(6);
    expect((JSON.parse(reads[0]!.body) as { inputs: Array<{ id: string }> }).inputs.map((i) => i.id)).toEqual(hub.deals.slice(0, 50).map((d) => d.id));

    // Changes: deal 5003 moves to another contact, deal 5010's amount changes, deal 5020 is archived.
    const touch = (d: HubSpotRecord): void => {
      const now = isoNow();
      d.updatedAt = now;
      d.properties['hs_lastmodifieddate'] = now;
    };
    const d3 = hub.deals.find((d) => d.id === '5003')!;
    d3.associations!['contacts'] = ['39'];
    touch(d3);
    const d10 = hub.deals.find((d) => d.id === '5010')!;
    d10.properties['amount'] = '1234.56';
    touch(d10);
    const d20 = hub.deals.find((d) => d.id === '5020')!;
    d20.archived = true;
    touch(d20);
    const before = hub.api.requests.length;
    const inc = await hub.sync('hub-deals-deals');
    expect(inc.code).toBe(0);
    expect(inc.summary).toMatchObject({ status: 'succeeded', records: { updated: 2, deleted: 1 } });
    expect(associationReads(hub.api, before).length).toBeGreaterThan(0);
    expect(await actual(hub.db)).toEqual(expected(hub));
  });

  it('never writes a deal without its associations: a failed follow-up fails its page, and the next run is exact', async () => {
    // Page 2's company associations fail every attempt.
    const secondPage = new Set(hub.deals.slice(50, 100).map((d) => d.id));
    hub.deals.find((d) => d.id === '5060')!.properties['dealname'] = 'Renamed before the failure';
    hub.deals.find((d) => d.id === '5060')!.associations!['contacts'] = ['38'];
    hub.fault = (req) => {
      if (!req.path.endsWith('/deals/companies/batch/read')) return undefined;
      const ids = (JSON.parse(req.body) as { inputs: Array<{ id: string }> }).inputs.map((i) => i.id);
      return ids.some((id) => secondPage.has(id)) ? { status: 500, body: { status: 'error', message: 'internal error', category: 'INTERNAL_ERROR' } } : undefined;
    };
    const failed = await hub.sync('hub-deals-deals', '--full');
    expect(failed.code).not.toBe(0);
    expect(failed.summary).toMatchObject({ status: 'failed', error: { code: 'SB_HTTP_RETRIES_EXHAUSTED' } });
    // Deal 5060 (page 2) is untouched: its new name and contact were not written without its company.
    const row = (await hub.db.knex('deals').where('name', 'Renamed before the failure').first()) as unknown;
    expect(row).toBeUndefined();
    hub.fault = undefined;
    const again = await hub.sync('hub-deals-deals', '--full');
    expect(again.code).toBe(0);
    expect(await actual(hub.db)).toEqual(expected(hub));
  });
});

describe.each(DIALECTS)('a sync with follow-ups killed mid-run (%s)', (dialect) => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startSyncedHub(dialect, 1000);
    // Every associations read answers after 40 ms, so the run is still going when it is killed.
    hub.fault = (req) => (req.path.startsWith('/crm/v4/') ? { delayMs: 40 } : undefined);
  });
  afterAll(async () => hub.close());

  it('resumes at the page it stopped at and ends exact', async () => {
    const args = ['sync', 'hub-deals-deals', ...fixtureArgs(hub.config, hub.db.url), '--full', '--json'];
    expect(await killCliWhen(args, { cwd: hub.dir, env: SECRET }, () => associationReads(hub.api).length >= 12)).toBe('SIGKILL');
    const [killed] = (await syncRuns.list(hub.db.knex, { limit: 5 })).filter((r) => r.mappingId === 'hub-deals-deals');
    expect(killed?.status).toBe('running');
    const committed = killed!.counts.pages;
    expect(committed).toBeGreaterThanOrEqual(2);
    expect(committed).toBeLessThan(20);

    const before = hub.api.requests.length;
    const again = await hub.sync('hub-deals-deals', '--full');
    expect(again.code).toBe(0);
    expect(again.summary).toMatchObject({ run_id: killed!.id, status: 'succeeded', records: { rejected: 0 } });
    const lists = hub.api.requests.slice(before).filter((r) => r.path === '/crm/v3/objects/deals');
    expect(lists.every((r) => r.query.get('after') !== null)).toBe(true); // never the first page again
    expect(lists).toHaveLength(20 - committed);
    expect(associationReads(hub.api, before)).toHaveLength(2 * (20 - committed));
    expect(await actual(hub.db)).toEqual(expected(hub));
  });
});
