// Recording what a run's requests cost (per endpoint, per budget) from its client's ledger into
// the run's sync_run_costs rows: after each committed page of a pull (push commits carry theirs
// in their own transaction), and when an attempt ends, failed requests included.
import type { Db } from '../store/db';
import type { ConnectorClient } from '../http/client';
import { isEmptyCost } from '../http/cost';
import * as runCosts from '../store/tables/run-costs';

export async function recordCost(db: Db, runId: string, client: Pick<ConnectorClient, 'cost'>): Promise<void> {
  const delta = client.cost.drain();
  if (!isEmptyCost(delta)) await runCosts.add(db, runId, delta);
}
