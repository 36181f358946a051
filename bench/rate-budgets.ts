// How close runs get to a declared rate budget across workers: two `switchboard worker`
// processes run two search-bound runs of one connection (search budget 5 per second inside 100
// per 10 seconds, test/fixtures/e2e/connectors/hub-budgets.json) against a local HubSpot-style
// API that refuses anything over either budget. Prints the search rate against the budget (the
// baseline, measured as the budget itself: 5 per second) and the windows over either budget.
// Usage: npx tsx bench/rate-budgets.ts [--records N] [--with-list]
import { parseArgs } from 'node:util';
import { MAPPINGS, runBudgetScenario } from '../test/helpers/budget-scenario';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { records: { type: 'string', default: '400' }, 'with-list': { type: 'boolean', default: false } } });
  const records = Number(values.records);
  // Without the list run only the search budget binds; with it, the general one binds too.
  const mappings = values['with-list'] === true ? MAPPINGS : MAPPINGS.slice(0, 2);
  const started = Date.now();
  const r = await runBudgetScenario({ records, mappings });
  const seconds = (Date.now() - started) / 1000;
  const statuses = r.runs.map((x) => x.status).join(', ');
  process.stdout.write(
    [
      `runs: ${statuses} (${seconds.toFixed(1)} s in all, workers included)`,
      `search requests: ${r.searches.length} at ${(r.searchRateRatio * 5).toFixed(2)}/s = ${(r.searchRateRatio * 100).toFixed(1)}% of the 5/s budget (target: at least 90%)`,
      `all requests: ${r.all.length}; windows over the search budget: ${r.overSearch}, over the general budget: ${r.overGeneral}; retries: ${r.runs.reduce((n, x) => n + x.counts.retries, 0)}`,
      `bound by: ${r.costs.map((c) => c.bound_by ?? 'nothing').join(', ')}`,
    ].join('\n') + '\n',
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  },
);
