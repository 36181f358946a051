// sync_run_costs on both databases: costs added by several writers (workers of one run) sum up
// per endpoint and per budget, and the run's cost names the budget it waited on most.
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../../helpers/db';
import { SecretBox } from '../../../core/secrets';
import { randomBytes } from 'node:crypto';
import * as connections from '../../../core/store/tables/connections';
import * as runCosts from '../../../core/store/tables/run-costs';
import * as syncRuns from '../../../core/store/tables/sync-runs';

describe.each(DIALECTS)('run costs on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase(dialect);
  });
  afterAll(async () => db.cleanup());

  it('adds up what concurrent writers record, and tells the budget the run is bound by', async () => {
    const c = await connections.create(db.knex, new SecretBox(randomBytes(32)), { name: `costs-${dialect}`, connectorId: 'hubspot', config: {}, secretKeys: [] });
    const { run } = await syncRuns.requestRun(db.knex, { connectionId: c.id, mappingId: 'hubspot-contacts' });
    const search = 'POST /crm/v3/objects/contacts/search';
    await Promise.all([
      runCosts.add(db.knex, run.id, { endpoints: { [search]: { requests: 10, retries: 1 } }, budgets: { search: { requests: 10, waitMs: 1800 }, rate_limit: { requests: 10, waitMs: 0 } } }),
      runCosts.add(db.knex, run.id, { endpoints: { [search]: { requests: 5, retries: 0 }, 'GET /crm/v3/objects/contacts': { requests: 2, retries: 0 } }, budgets: { search: { requests: 5, waitMs: 900.4 }, rate_limit: { requests: 7, waitMs: 20 } } }),
    ]);
    expect(await runCosts.get(db.knex, run.id)).toEqual({
      endpoints: [
        { endpoint: search, requests: 15, retries: 1 },
        { endpoint: 'GET /crm/v3/objects/contacts', requests: 2, retries: 0 },
      ],
      budgets: [
        { budget: 'search', requests: 15, wait_ms: 2700 },
        { budget: 'rate_limit', requests: 17, wait_ms: 20 },
      ],
      bound_by: 'search',
    });
    expect(await runCosts.get(db.knex, 'no-such-run')).toEqual({ endpoints: [], budgets: [], bound_by: null });
  });
});
