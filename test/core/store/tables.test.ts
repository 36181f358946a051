import { randomBytes } from 'node:crypto';
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import { SecretBox } from '../../../core/secrets';
import * as crm from '../../../core/store/crm';
import * as connections from '../../../core/store/tables/connections';
import * as syncRuns from '../../../core/store/tables/sync-runs';
import * as syncState from '../../../core/store/tables/sync-state';
import * as recordLinks from '../../../core/store/tables/record-links';
import * as pendingRefs from '../../../core/store/tables/pending-refs';
import * as rejected from '../../../core/store/tables/rejected-records';
import * as schedules from '../../../core/store/tables/schedules';
import * as apiClients from '../../../core/store/tables/api-clients';
import { isSwitchboardError } from '../../../core/errors';

const box = new SecretBox(randomBytes(32));

describe.each(DIALECTS)('engine tables on %s', (dialect) => {
  let db: TestDatabase;
  let connectionId: string;
  beforeAll(async () => {
    db = await createMigratedDatabase(dialect);
    const c = await connections.create(db.knex, box, { name: 'main', connectorId: 'hubspot', config: { region: 'eu', access_token: 'pat-SECRET-123' }, secretKeys: ['access_token'] });
    connectionId = c.id;
  });
  afterAll(async () => db.cleanup());

  describe('connections', () => {
    it('seals secret settings: the row never holds them in clear, and reads show only their names', async () => {
      const raw = (await db.knex('connections').where('id', connectionId).first()) as Record<string, unknown>;
      expect(JSON.stringify(raw)).not.toContain('pat-SECRET-123');
      const shown = await connections.get(db.knex, box, 'main');
      expect(shown).toMatchObject({ name: 'main', connectorId: 'hubspot', config: { region: 'eu' }, secretsSet: ['access_token'] });
      expect(JSON.stringify(shown)).not.toContain('pat-SECRET-123');
      expect(await connections.loadConfig(db.knex, box, connectionId)).toEqual({ region: 'eu', access_token: 'pat-SECRET-123' });
    });

    it('updates settings by merge and refuses to open secrets with another key', async () => {
      await connections.update(db.knex, box, connectionId, { config: { region: 'us', access_token: 'pat-NEW' }, secretKeys: ['access_token'] });
      expect(await connections.loadConfig(db.knex, box, connectionId)).toEqual({ region: 'us', access_token: 'pat-NEW' });
      await expect(connections.loadConfig(db.knex, new SecretBox(randomBytes(32)), connectionId)).rejects.toMatchObject({ code: 'SB_SECRET_DECRYPT_FAILED' });
      await expect(connections.get(db.knex, box, 'nope')).rejects.toMatchObject({ code: 'SB_CONNECTION_NOT_FOUND' });
    });

    it('rotates tokens by compare-and-set: of two writers with the same version, one wins', async () => {
      const first = await connections.loadTokens<{ refresh: string }>(db.knex, box, connectionId);
      expect(first).toEqual({ tokens: undefined, version: 0 });
      const results = await Promise.all([
        connections.saveTokens(db.knex, box, connectionId, { refresh: 'a' }, 0),
        connections.saveTokens(db.knex, box, connectionId, { refresh: 'b' }, 0),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const after = await connections.loadTokens<{ refresh: string }>(db.knex, box, connectionId);
      expect(after.version).toBe(1);
      expect(after.tokens?.refresh).toBe(results[0] ? 'a' : 'b');
    });
  });

  describe('sync runs', () => {
    it('keeps one queued-or-running run per connection and mapping, even when asked concurrently', async () => {
      const asks = await Promise.all(Array.from({ length: 8 }, () => syncRuns.requestRun(db.knex, { connectionId, mappingId: 'm-concurrent', trigger: 'api' })));
      expect(asks.filter((a) => a.created)).toHaveLength(1);
      expect(new Set(asks.map((a) => a.run.id)).size).toBe(1);
      const run = asks[0]!.run;
      expect(run).toMatchObject({ status: 'queued', direction: 'pull', mode: 'incremental', trigger: 'api' });
      await syncRuns.transition(db.knex, run.id, 'running', { worker: 'w1' });
      expect((await syncRuns.requestRun(db.knex, { connectionId, mappingId: 'm-concurrent' })).run.id).toBe(run.id);
      await syncRuns.transition(db.knex, run.id, 'succeeded');
      const next = await syncRuns.requestRun(db.knex, { connectionId, mappingId: 'm-concurrent' });
      expect(next.created).toBe(true);
      expect(next.run.id).not.toBe(run.id);
    });

    it('asks for a run by connection id or name in one statement, and says when it cannot', async () => {
      const ask = { mappingId: 'm-by-name', mode: 'full' as const, trigger: 'api' as const };
      const byName = await syncRuns.tryRequestRunByName(db.knex, { ...ask, connection: 'main', connectorId: 'hubspot' });
      expect(byName).toMatchObject({ connectionId, mappingId: 'm-by-name', status: 'queued', mode: 'full', trigger: 'api' });
      // A run is already active for this connection and mapping.
      expect(await syncRuns.tryRequestRunByName(db.knex, { ...ask, connection: connectionId, connectorId: 'hubspot' })).toBeUndefined();
      await syncRuns.transition(db.knex, byName!.id, 'running');
      await syncRuns.transition(db.knex, byName!.id, 'succeeded');
      expect(await syncRuns.tryRequestRunByName(db.knex, { ...ask, connection: connectionId, connectorId: 'hubspot' })).toMatchObject({ connectionId, status: 'queued' });
      // Another connector's connection, or none.
      expect(await syncRuns.tryRequestRunByName(db.knex, { ...ask, mappingId: 'm-other', connection: 'main', connectorId: 'salesforce' })).toBeUndefined();
      expect(await syncRuns.tryRequestRunByName(db.knex, { ...ask, mappingId: 'm-other', connection: 'nope', connectorId: 'hubspot' })).toBeUndefined();
      expect(await syncRuns.list(db.knex, { mappingId: 'm-other' })).toEqual([]);
    });

    it('moves only along allowed transitions, compare-and-set', async () => {
      const { run } = await syncRuns.requestRun(db.knex, { connectionId, mappingId: 'm-transitions' });
      const both = await Promise.all([syncRuns.tryTransition(db.knex, run.id, 'running'), syncRuns.tryTransition(db.knex, run.id, 'running')]);
      expect(both.filter(Boolean)).toHaveLength(1);
      await syncRuns.addCounts(db.knex, run.id, { records_read: 100, records_created: 90, pages: 1 }, { page: 1 });
      await syncRuns.addCounts(db.knex, run.id, { records_read: 50, records_updated: 5, pages: 1 });
      const done = await syncRuns.transition(db.knex, run.id, 'failed', { error: { code: 'SB_HTTP_TIMEOUT', message: 'slow' } });
      expect(done).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'SB_HTTP_TIMEOUT' }, progress: { page: 1 } });
      expect(done.counts).toMatchObject({ records_read: 150, records_created: 90, records_updated: 5, pages: 2 });
      expect(done.finishedAt).not.toBeNull();
      const err = await syncRuns.transition(db.knex, run.id, 'running').catch((e: unknown) => e);
      expect(isSwitchboardError(err, 'SB_RUN_INVALID_TRANSITION')).toBe(true);
    });

    it('cancels a queued run at once and flags a running one', async () => {
      const queued = (await syncRuns.requestRun(db.knex, { connectionId, mappingId: 'm-cancel-q' })).run;
      expect((await syncRuns.requestCancel(db.knex, queued.id)).status).toBe('canceled');
      const running = (await syncRuns.requestRun(db.knex, { connectionId, mappingId: 'm-cancel-r' })).run;
      await syncRuns.transition(db.knex, running.id, 'running');
      expect(await syncRuns.isCancelRequested(db.knex, running.id)).toBe(false);
      expect((await syncRuns.requestCancel(db.knex, running.id)).status).toBe('running');
      expect(await syncRuns.isCancelRequested(db.knex, running.id)).toBe(true);
      await syncRuns.transition(db.knex, running.id, 'canceled');
      await expect(syncRuns.requestCancel(db.knex, running.id)).resolves.toMatchObject({ status: 'canceled' });
      const finished = (await syncRuns.requestRun(db.knex, { connectionId, mappingId: 'm-cancel-f' })).run;
      await syncRuns.transition(db.knex, finished.id, 'running');
      await syncRuns.transition(db.knex, finished.id, 'succeeded');
      await expect(syncRuns.requestCancel(db.knex, finished.id)).rejects.toMatchObject({ code: 'SB_RUN_INVALID_TRANSITION' });
    });

    it('finds running runs whose heartbeat went stale', async () => {
      const run = (await syncRuns.requestRun(db.knex, { connectionId, mappingId: 'm-stale' })).run;
      await syncRuns.transition(db.knex, run.id, 'running');
      expect((await syncRuns.listStale(db.knex, new Date(Date.now() - 60_000).toISOString())).map((r) => r.id)).not.toContain(run.id);
      expect((await syncRuns.listStale(db.knex, new Date(Date.now() + 60_000).toISOString())).map((r) => r.id)).toContain(run.id);
      expect((await syncRuns.list(db.knex, { connectionId, status: 'running' })).map((r) => r.id)).toContain(run.id);
    });
  });

  it('saves and loads sync state with its checkpoint', async () => {
    const key = { connectionId, mappingId: 'contacts' };
    expect(await syncState.load(db.knex, key)).toEqual({ state: {}, checkpoint: null, checkpointRunId: null });
    await syncState.save(db.knex, key, { state: { cursor: '2024-01-01T00:00:00Z' }, checkpoint: { after: 'abc' }, checkpointRunId: 'run-1' });
    await syncState.save(db.knex, key, { state: { cursor: '2024-02-01T00:00:00Z' }, checkpoint: null, checkpointRunId: null });
    expect(await syncState.load(db.knex, key)).toEqual({ state: { cursor: '2024-02-01T00:00:00Z' }, checkpoint: null, checkpointRunId: null });
  });

  it('upserts record links and finds them both ways, and lists the unseen for a sweep', async () => {
    await recordLinks.upsert(db.knex, connectionId, 'contacts', [
      { crmId: 'crm-1', externalId: 'ext-1', hash: 'h1', seenRunId: 'r1' },
      { crmId: 'crm-2', externalId: 'ext-2', hash: 'h2', seenRunId: 'r1' },
    ]);
    await recordLinks.upsert(db.knex, connectionId, 'contacts', [{ crmId: 'crm-1', externalId: 'ext-1', hash: 'h1b', seenRunId: 'r2' }]);
    const byExt = await recordLinks.findByExternalIds(db.knex, connectionId, 'contacts', ['ext-1', 'ext-2', 'ext-3']);
    expect([...byExt.keys()].sort()).toEqual(['ext-1', 'ext-2']);
    expect(byExt.get('ext-1')).toMatchObject({ crmId: 'crm-1', hash: 'h1b', seenRunId: 'r2' });
    await recordLinks.upsert(db.knex, connectionId, 'contacts', [{ crmId: 'crm-2', externalId: 'ext-2', pushedHash: 'p2' }]);
    expect((await recordLinks.findByCrmIds(db.knex, connectionId, 'contacts', ['crm-2'])).get('crm-2')).toMatchObject({ hash: 'h2', pushedHash: 'p2', seenRunId: 'r1' });
    expect((await recordLinks.listUnseen(db.knex, connectionId, 'contacts', 'r2')).map((l) => l.externalId)).toEqual(['ext-2']);
    await recordLinks.removeByExternalIds(db.knex, connectionId, 'contacts', ['ext-2']);
    expect((await recordLinks.findByExternalIds(db.knex, connectionId, 'contacts', ['ext-2'])).size).toBe(0);
  });

  it('binds the fields links share once and keeps per-link values apart, in one upsert', async () => {
    // seenRunId differs between links (an incremental run keeps each link's last full run), hash is shared.
    await recordLinks.upsert(db.knex, connectionId, 'companies', [
      { crmId: 'co-1', externalId: 'x-1', hash: 'same', seenRunId: 'run-a' },
      { crmId: 'co-2', externalId: 'x-2', hash: 'same', seenRunId: null },
      { crmId: 'co-3', externalId: 'x-3', hash: 'same', seenRunId: 'run-b' },
    ]);
    const links = await recordLinks.findByExternalIds(db.knex, connectionId, 'companies', ['x-1', 'x-2', 'x-3']);
    expect([...links.values()].map((l) => [l.externalId, l.crmId, l.hash, l.seenRunId]).sort()).toEqual([
      ['x-1', 'co-1', 'same', 'run-a'],
      ['x-2', 'co-2', 'same', null],
      ['x-3', 'co-3', 'same', 'run-b'],
    ]);
    const rows = (await db.knex('record_links').where({ connection_id: connectionId, entity: 'companies' }).select('connection_id', 'entity', 'synced_at')) as { connection_id: string; entity: string; synced_at: unknown }[];
    expect(rows.every((r) => r.connection_id === connectionId && r.entity === 'companies' && r.synced_at !== null)).toBe(true);
  });

  it('resolves pending references when their target arrives', async () => {
    const deal = await crm.create(db.knex, 'deals', { name: 'Waiting' }, { origin: 'sync' });
    await pendingRefs.add(db.knex, connectionId, [{ entity: 'deals', crmId: deal.id, field: 'contact_id', targetEntity: 'contacts', externalId: 'late-1' }]);
    expect(await pendingRefs.count(db.knex, connectionId)).toBe(1);
    expect(await pendingRefs.resolve(db.knex, connectionId, 'contacts', new Map([['other', 'x']]))).toBe(0);
    const contact = await crm.create(db.knex, 'contacts', { email: 'late@x.test' }, { origin: 'sync' });
    expect(await pendingRefs.resolve(db.knex, connectionId, 'contacts', new Map([['late-1', contact.id]]))).toBe(1);
    expect((await crm.get(db.knex, 'deals', deal.id)).contact_id).toBe(contact.id);
    expect(await pendingRefs.count(db.knex, connectionId)).toBe(0);
  });

  it('keeps rejected records with their reasons, by run', async () => {
    const run = (await syncRuns.requestRun(db.knex, { connectionId, mappingId: 'm-rejects' })).run;
    await rejected.add(db.knex, [
      { runId: run.id, connectionId, mappingId: 'm-rejects', externalId: '7', record: { id: 7, email: null }, code: 'SB_MAPPING_FAILED', field: 'email', reason: 'email is required' },
      { runId: run.id, connectionId, mappingId: 'm-rejects', externalId: '8', record: { id: 8 }, code: 'SB_DB_INVALID_VALUE', field: 'amount', reason: 'bad' },
    ]);
    const first = await rejected.listByRun(db.knex, run.id, { limit: 1 });
    expect(first).toMatchObject([{ externalId: '7', record: { id: 7, email: null }, field: 'email', reason: 'email is required' }]);
    expect(await rejected.listByRun(db.knex, run.id, { after: first[0]!.id })).toMatchObject([{ externalId: '8' }]);
  });

  it('keeps exactly one schedule per key', async () => {
    await schedules.put(db.knex, { connectionId, mappingId: 'contacts', cron: '*/5 * * * *' });
    const s = await schedules.put(db.knex, { connectionId, mappingId: 'contacts', cron: '0 * * * *', timezone: 'Europe/Paris' });
    expect(s).toMatchObject({ key: `${connectionId}:contacts:pull`, cron: '0 * * * *', timezone: 'Europe/Paris', enabled: true });
    expect(await schedules.list(db.knex, { connectionId })).toHaveLength(1);
    expect(await schedules.remove(db.knex, s.key)).toBe(true);
    expect(await schedules.list(db.knex, { connectionId })).toHaveLength(0);
  });

  it('stores API client secrets hashed and authenticates them', async () => {
    const { client, clientSecret } = await apiClients.create(db.knex, { name: 'ci', scopes: ['crm:read'] });
    const raw = (await db.knex('api_clients').where('id', client.id).first()) as Record<string, unknown>;
    expect(JSON.stringify(raw)).not.toContain(clientSecret);
    expect(await apiClients.authenticate(db.knex, client.clientId, clientSecret)).toMatchObject({ name: 'ci', scopes: ['crm:read'] });
    expect(await apiClients.authenticate(db.knex, client.clientId, `${clientSecret}x`)).toBeUndefined();
    await apiClients.disable(db.knex, client.clientId);
    expect(await apiClients.authenticate(db.knex, client.clientId, clientSecret)).toBeUndefined();
  });
});
