// sync_run_costs: what a run's requests cost, per endpoint (requests, retries) and per rate
// budget (requests that took from it, milliseconds spent waiting on it), added to as it goes.
import { guard } from '../db-errors';
import type { Db } from '../db';

export const RUN_COSTS_TABLE = 'sync_run_costs';

/** What a run's client spent since the last record (core/http/cost.ts). */
export interface CostIncrement {
  endpoints: Record<string, { requests: number; retries: number }>;
  budgets: Record<string, { requests: number; waitMs: number }>;
}

export interface RunCost {
  /** Requests per endpoint (the method and the path as the connector writes it), most first. */
  endpoints: { endpoint: string; requests: number; retries: number }[];
  /** Requests and waiting time per budget (`rate_limit`, a budget's name, `concurrency`, `api`), most waiting first. */
  budgets: { budget: string; requests: number; wait_ms: number }[];
  /** The budget the run waited on most, or null when it never waited: the limit it is bound by. */
  bound_by: string | null;
}

interface Row {
  run_id: string;
  kind: string;
  name: string;
  requests: number | string;
  retries: number | string;
  wait_ms: number | string;
}

/** Adds a client's costs to a run's (one statement; several runs' workers may add at once). */
export async function add(db: Db, runId: string, cost: CostIncrement): Promise<void> {
  const rows = [
    ...Object.entries(cost.endpoints).map(([name, e]) => ({ run_id: runId, kind: 'endpoint', name, requests: e.requests, retries: e.retries, wait_ms: 0 })),
    ...Object.entries(cost.budgets).map(([name, b]) => ({ run_id: runId, kind: 'budget', name, requests: b.requests, retries: 0, wait_ms: Math.round(b.waitMs) })),
  ];
  if (rows.length === 0) return;
  const sum = (column: string) => db.raw('??.?? + excluded.??', [RUN_COSTS_TABLE, column, column]);
  await guard('recording run costs', async () =>
    db(RUN_COSTS_TABLE)
      .insert(rows)
      .onConflict(['run_id', 'kind', 'name'])
      .merge({ requests: sum('requests'), retries: sum('retries'), wait_ms: sum('wait_ms') }),
  );
}

export async function get(db: Db, runId: string): Promise<RunCost> {
  const rows = (await guard('reading run costs', async () => db(RUN_COSTS_TABLE).where('run_id', runId))) as Row[];
  const endpoints = rows
    .filter((r) => r.kind === 'endpoint')
    .map((r) => ({ endpoint: r.name, requests: Number(r.requests), retries: Number(r.retries) }))
    .sort((a, b) => b.requests - a.requests || a.endpoint.localeCompare(b.endpoint));
  const budgets = rows
    .filter((r) => r.kind === 'budget')
    .map((r) => ({ budget: r.name, requests: Number(r.requests), wait_ms: Number(r.wait_ms) }))
    .sort((a, b) => b.wait_ms - a.wait_ms || b.requests - a.requests || a.budget.localeCompare(b.budget));
  const top = budgets[0];
  return { endpoints, budgets, bound_by: top !== undefined && top.wait_ms > 0 ? top.budget : null };
}
