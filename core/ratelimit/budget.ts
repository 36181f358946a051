// A connection's request budgets, compiled from its `rate_limit`: the connection-wide one and the
// per-endpoint ones (`rate_limit.budgets`), each with the requests it matches (method and path
// pattern) and the units a matching request takes from it.
import type { RateLimit } from '../generated/connector';
import { defaultMarginMs } from './window';

/** The name under which the connection-wide budget (`rate_limit.requests` per `per_seconds`) is reported. */
export const CONNECTION_BUDGET = 'rate_limit';

/** One request, as budgets see it: its method and its path relative to the connector's base URL. */
export interface BudgetTarget {
  method: string;
  path: string;
}

export interface CompiledBudget {
  readonly name: string;
  /** Units admitted in any window. */
  readonly limit: number;
  /** The declared window, in ms. */
  readonly perMs: number;
  /** The window the limiter keeps: the declared one plus the safety margin (window.ts). */
  readonly windowMs: number;
  /** Units that may start back to back. */
  readonly burst: number;
  /** Units a request takes from this budget: 0 when the budget does not apply to it. */
  weightOf(target: BudgetTarget): number;
}

/**
 * A path pattern as a regular expression: `*` stands for one path segment (or part of one), `**`
 * for any number of segments, anything else for itself; the whole path must match.
 */
export function pathPattern(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i += 1;
    } else if (c === '*') source += '[^/]*';
    else source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The budgets of a `rate_limit`, the connection-wide one first; `marginMs` overrides the default margin. */
export function compileBudgets(spec: RateLimit | undefined, marginMs?: number): CompiledBudget[] {
  const out: CompiledBudget[] = [];
  if (spec === undefined) return out;
  const window = (perSeconds: number): { perMs: number; windowMs: number } => ({ perMs: perSeconds * 1000, windowMs: perSeconds * 1000 + (marginMs ?? defaultMarginMs(perSeconds)) });
  if (spec.requests !== undefined) {
    out.push({ name: CONNECTION_BUDGET, limit: spec.requests, burst: Math.min(spec.burst ?? 1, spec.requests), ...window(spec.per_seconds ?? 1), weightOf: () => 1 });
  }
  for (const b of spec.budgets ?? []) {
    const rules = (b.match ?? []).map((m) => ({
      methods: m.method === undefined ? undefined : new Set((Array.isArray(m.method) ? m.method : [m.method]).map((x) => x.toUpperCase())),
      path: m.path === undefined ? undefined : pathPattern(m.path),
      weight: m.weight ?? 1,
    }));
    out.push({
      name: b.name,
      limit: b.requests,
      burst: Math.min(b.burst ?? 1, b.requests),
      ...window(b.per_seconds),
      // The first rule that matches gives the weight; a budget without rules counts every request once.
      weightOf: (t) => {
        if (rules.length === 0) return 1;
        for (const r of rules) {
          if (r.methods !== undefined && !r.methods.has(t.method.toUpperCase())) continue;
          if (r.path !== undefined && !r.path.test(t.path)) continue;
          return r.weight;
        }
        return 0;
      },
    });
  }
  return out;
}
