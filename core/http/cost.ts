// What a client's requests cost, per endpoint (requests, retries) and per budget (requests that
// took from it, time spent waiting on it), so a run can tell which limit it is bound by.

export interface EndpointCost {
  requests: number;
  retries: number;
}

export interface BudgetCost {
  /** Requests that took units from the budget (for `concurrency` and `api`: that waited on them). */
  requests: number;
  waitMs: number;
}

/** A cost since some moment: what a run records with its pages. */
export interface CostDelta {
  endpoints: Record<string, EndpointCost>;
  budgets: Record<string, BudgetCost>;
}

export function isEmptyCost(delta: CostDelta): boolean {
  return Object.keys(delta.endpoints).length === 0 && Object.keys(delta.budgets).length === 0;
}

/** Accumulates costs; `drain()` hands over what accumulated since the last drain. */
export class CostLedger {
  private endpoints = new Map<string, EndpointCost>();
  private budgets = new Map<string, BudgetCost>();

  /** One attempt at `endpoint`; `retry` when it repeats a failed one. */
  request(endpoint: string, retry: boolean): void {
    let e = this.endpoints.get(endpoint);
    if (e === undefined) this.endpoints.set(endpoint, (e = { requests: 0, retries: 0 }));
    e.requests += 1;
    if (retry) e.retries += 1;
  }

  /** A request took units from `budgets` after waiting `waits` (ms by what it waited on). */
  admitted(budgets: readonly string[], waits: ReadonlyMap<string, number>): void {
    for (const name of budgets) this.budget(name).requests += 1;
    for (const [name, ms] of waits) {
      const b = this.budget(name);
      if (!budgets.includes(name)) b.requests += 1;
      b.waitMs += ms;
    }
  }

  /** Time a request waited on something that is not a budget it took from (a 429's `Retry-After`). */
  waited(name: string, ms: number): void {
    if (!(ms > 0)) return;
    const b = this.budget(name);
    b.requests += 1;
    b.waitMs += ms;
  }

  drain(): CostDelta {
    const out: CostDelta = { endpoints: Object.fromEntries(this.endpoints), budgets: Object.fromEntries(this.budgets) };
    this.endpoints = new Map();
    this.budgets = new Map();
    return out;
  }

  private budget(name: string): BudgetCost {
    let b = this.budgets.get(name);
    if (b === undefined) this.budgets.set(name, (b = { requests: 0, waitMs: 0 }));
    return b;
  }
}
