// Regression: a `restart_after_records` restart asked for the committed cursor while the writer
// was still behind the reader, so it started again from an older cursor (HubSpot's search read
// 3,000 records twice past its 10,000-result cap), or, with nothing committed yet, refused to
// move. The cursor a restart gets now covers every page read before it.
import { randomBytes } from 'node:crypto';
import { createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import { SecretBox } from '../../../core/secrets';
import * as connections from '../../../core/store/tables/connections';
import * as syncRuns from '../../../core/store/tables/sync-runs';
import { compilePullMapping } from '../../../core/mapping/compile-pull';
import { runPull } from '../../../core/sync/pull';
import type { ReadOptions, SourcePage, StreamSource } from '../../../core/sync/source';

const at = (i: number): string => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();

/** Pages of 1,000 people; after the second page it restarts, as the HTTP reader does, from the committed cursor. */
class RestartingSource implements StreamSource {
  restartedFrom: unknown = 'not asked';
  async *read(options: ReadOptions): AsyncIterable<SourcePage> {
    for (let p = 0; p < 3; p++) {
      const records = Array.from({ length: 1000 }, (_, i) => ({ id: p * 1000 + i, email: `p${p * 1000 + i}@x.test`, at: at(p * 1000 + i) }));
      yield { records, checkpoint: p === 2 ? null : { page: p + 1 }, requests: 1, retries: 0 };
      if (p === 1) this.restartedFrom = await options.committedCursor?.();
    }
  }
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createMigratedDatabase('sqlite');
});
afterAll(async () => db.cleanup());

it('a restart after 2,000 records starts from the cursor of the 2,000th record, committed', async () => {
  const conn = await connections.create(db.knex, new SecretBox(randomBytes(32)), { name: 'restart', connectorId: 'src', config: {}, secretKeys: [] });
  const { run } = await syncRuns.requestRun(db.knex, { connectionId: conn.id, mappingId: 'people', mode: 'incremental' });
  await syncRuns.transition(db.knex, run.id, 'running');
  const mapping = compilePullMapping({ id: 'people', connector: 'src', stream: 'people', entity: 'contacts', fields: { email: 'email' } });
  const source = new RestartingSource();
  const plan = { runId: run.id, connectionId: conn.id, mappingId: 'people', mode: 'incremental' as const, mapping, config: {}, primaryKey: 'id', cursorField: 'at', deleted: undefined, deletes: 'soft' as const, conflict: 'source_wins' as const, matchOn: [] };
  const result = await runPull(db.knex, plan, source, { batchRecords: 1000 });
  expect(result.counts.records_created).toBe(3000);
  expect(source.restartedFrom).toBe(at(1999));
});
