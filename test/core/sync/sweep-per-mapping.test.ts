// Regression: a full run of one mapping swept (soft-deleted) the records that another mapping of
// the same connection had written into the same entity (HubSpot calls and notes both become
// activities; so do Salesforce tasks and events). The sweep now only considers the records its
// own mapping wrote.
import { randomBytes } from 'node:crypto';
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import { SecretBox } from '../../../core/secrets';
import * as connections from '../../../core/store/tables/connections';
import * as syncRuns from '../../../core/store/tables/sync-runs';
import * as crm from '../../../core/store/crm';
import { compilePullMapping } from '../../../core/mapping/compile-pull';
import type { MappingDefinition } from '../../../core/generated/mapping';
import { runPull } from '../../../core/sync/pull';
import type { ReadOptions, SourcePage, StreamSource } from '../../../core/sync/source';

class Records implements StreamSource {
  constructor(public records: Record<string, unknown>[]) {}
  async *read(options: ReadOptions): AsyncIterable<SourcePage> {
    const rows = options.mode === 'incremental' && options.cursor !== undefined ? this.records.filter((r) => String(r['at']) >= String(options.cursor)) : this.records;
    yield { records: rows, checkpoint: null, requests: 1, retries: 0 };
  }
}

const activity = (id: string, type: string): MappingDefinition => ({ id, connector: 'crm', stream: id, entity: 'activities', fields: { type: { value: type }, subject: 'subject', occurred_at: 'at' } });

describe.each(DIALECTS)('mark-and-sweep with two mappings into one entity on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase(dialect);
  });
  afterAll(async () => db.cleanup());

  it("a full run of one mapping does not delete the other mapping's records", async () => {
    const conn = await connections.create(db.knex, new SecretBox(randomBytes(32)), { name: 'both', connectorId: 'crm', config: {}, secretKeys: [] });
    const run = async (def: MappingDefinition, source: StreamSource, mode: 'full' | 'incremental') => {
      const { run } = await syncRuns.requestRun(db.knex, { connectionId: conn.id, mappingId: def.id, mode });
      await syncRuns.transition(db.knex, run.id, 'running');
      const plan = { runId: run.id, connectionId: conn.id, mappingId: def.id, mode, mapping: compilePullMapping(def), config: {}, primaryKey: 'id', cursorField: 'at', deleted: undefined, deletes: 'soft' as const, conflict: 'source_wins' as const, matchOn: [] };
      const result = await runPull(db.knex, plan, source, {});
      await syncRuns.transition(db.knex, run.id, 'succeeded');
      return result.counts;
    };
    const live = async () => (await crm.list(db.knex, 'activities', { limit: 100 })).items.map((a) => `${a.type}:${a.subject}`).sort();
    const notes = new Records([{ id: 'n1', subject: 'a', at: '2026-01-01T00:00:01Z' }, { id: 'n2', subject: 'b', at: '2026-01-01T00:00:02Z' }]);
    const calls = new Records([{ id: 'c1', subject: 'c', at: '2026-01-01T00:00:03Z' }]);
    await run(activity('notes', 'note'), notes, 'full');
    // A note that arrives with an incremental run is the notes mapping's too.
    notes.records.push({ id: 'n3', subject: 'd', at: '2026-01-01T00:00:04Z' });
    await run(activity('notes', 'note'), notes, 'incremental');
    expect(await run(activity('calls', 'call'), calls, 'full')).toMatchObject({ records_created: 1, records_deleted: 0 });
    expect(await live()).toEqual(['call:c', 'note:a', 'note:b', 'note:d']);
    // Each mapping still sweeps its own records.
    notes.records.splice(0, 1);
    expect(await run(activity('notes', 'note'), notes, 'full')).toMatchObject({ records_deleted: 1 });
    expect(await live()).toEqual(['call:c', 'note:b', 'note:d']);
  });
});
