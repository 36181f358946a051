// Rate budgets across workers: two `switchboard worker` processes run three runs of one
// connection whose connector declares a search budget (5 per second) inside a general one
// (100 per 10 seconds). The API counts every sliding window: none holds more than either
// budget, no request was refused, and each run's cost names the budgets it waited on. The
// request rate against the tighter budget is printed here and measured in bench/rate-budgets.ts.
import { MAPPINGS, runBudgetScenario } from '../helpers/budget-scenario';

describe('rate budgets shared by two worker processes', () => {
  it('never goes over either budget in any window, and each run tells which budget bound it', async () => {
    const r = await runBudgetScenario({ records: 300, mappings: MAPPINGS });
    expect(r.runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(r.runs.map((run) => run.counts.records_read)).toEqual([300, 300, 300]);
    // 30 search pages per search run (plus the empty last page's request), 60 list pages.
    expect(r.searches.length).toBeGreaterThanOrEqual(60);
    expect(r.overSearch).toBe(0);
    expect(r.overGeneral).toBe(0);
    // The API refused nothing (it answers 429 over either budget).
    expect(r.runs.reduce((n, run) => n + run.counts.retries, 0)).toBe(0);
    // Every request the API saw is in the runs' costs, by endpoint.
    const costed = r.costs.reduce((n, c) => n + c.endpoints.reduce((m, e) => m + e.requests, 0), 0);
    expect(costed).toBe(r.requests.length);
    // Costs: the search runs' requests went through both budgets and waited on search.
    const [contactsSearch, , contactsList] = r.costs;
    expect(contactsSearch!.endpoints).toEqual([{ endpoint: 'POST /crm/v3/objects/contacts/search', requests: r.requests.filter((q) => q.path === '/crm/v3/objects/contacts/search').length, retries: 0 }]);
    expect(contactsSearch!.budgets.map((b) => b.budget).sort()).toEqual(expect.arrayContaining(['rate_limit', 'search']));
    expect(contactsSearch!.bound_by).toBe('search');
    expect(contactsList!.budgets.find((b) => b.budget === 'search')).toBeUndefined();
    console.log(`search requests: ${r.searches.length}, ${(r.searchRateRatio * 100).toFixed(1)}% of the 5/s budget; all requests: ${r.all.length}`);
  }, 180_000);
});
