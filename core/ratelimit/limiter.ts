// One connection's limiter: its budgets (window.ts, budget.ts), its `concurrency` in flight, and
// the pauses the API asks for in its headers, kept in this process's memory or in Redis (shared
// by every worker). Says how long each request waited, and for which budget.
import { setTimeout as delay } from 'node:timers/promises';
import type Redis from 'ioredis';
import { RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { SwitchboardError } from '../errors';
import type { RateLimit } from '../generated/connector';
import { compileBudgets, type BudgetTarget, type CompiledBudget } from './budget';
import { Semaphore } from './semaphore';
import type { BudgetStore, BudgetTake } from './window';

/** The name waits for `concurrency` are reported under. */
export const CONCURRENCY_WAIT = 'concurrency';
/** The name waits the API asked for (rate-limit headers, a 429's reset) are reported under. */
export const API_WAIT = 'api';

/** Held while one request attempt is in flight. */
export interface Permit {
  /** Frees the concurrency unit; safe to call more than once. */
  release(): void;
  /** The budgets the request took units from. */
  readonly budgets: readonly string[];
  /** Milliseconds waited before it could start, by what made it wait (a budget's name, `concurrency` or `api`). */
  readonly waits: ReadonlyMap<string, number>;
}

export interface ConnectionLimiter {
  /** Waits until the request may start (every budget it matches, concurrency, pauses); release the permit when its response is read. */
  acquire(target: BudgetTarget, signal?: AbortSignal): Promise<Permit>;
  /** Holds every request of the connection back for `ms` (every worker, when shared). */
  pause(ms: number): Promise<void>;
}

/**
 * The Lua script rate-limiter-flexible runs for every change of the in-flight counter (its
 * `customIncrTtlLuaScript` option). Unlike the default it renews the expiry on every change and
 * never lets the counter go below zero, so it works as a lease: it only expires once the
 * connection has been idle for the lease, which is also how units held by a killed worker come back.
 */
const LEASE_SCRIPT = `local consumed = redis.call('incrby', KEYS[1], ARGV[1])
if consumed < 0 then
  redis.call('set', KEYS[1], 0)
  consumed = 0
end
redis.call('expire', KEYS[1], ARGV[2])
return {consumed, 1000 * ARGV[2]}`;

export interface LimiterStoreOptions {
  /** Where the budgets' logs live. */
  budgets: BudgetStore;
  /** Redis client dedicated to rate limiting, for the shared in-flight counter; without it concurrency is counted in this process. */
  redis: Redis | undefined;
  /** Prefix of every Redis key. */
  keyPrefix: string;
  /** Safety margin added to each window (see window.ts); default `defaultMarginMs`. */
  marginMs: number | undefined;
}

function storeFailure(err: unknown): SwitchboardError {
  return new SwitchboardError('SB_QUEUE_UNAVAILABLE', `rate limiter store unavailable: ${(err as Error).message}`, { cause: err });
}

export class ConnectionRateLimiter implements ConnectionLimiter {
  private readonly budgets: readonly CompiledBudget[];
  private readonly keys: readonly string[];
  private readonly pauseKey: string;
  /**
   * Serializes this process's waiters for one set of budgets, so they queue in order instead of
   * polling the store together; requests for other endpoints do not queue behind them.
   */
  private readonly gates = new Map<string, Semaphore>();
  private readonly local: Semaphore | undefined;
  private readonly inflight: RateLimiterAbstract | undefined;
  private readonly store: BudgetStore;

  constructor(
    private readonly connectionId: string,
    spec: RateLimit,
    store: LimiterStoreOptions,
    leaseMs: number,
    /** Whether the API's headers may pause the connection: then every request looks at the shared pause. */
    private readonly paced: boolean,
  ) {
    this.store = store.budgets;
    this.budgets = compileBudgets(spec, store.marginMs);
    // Keys name each budget's definition, so definitions with different budgets never share logs.
    this.keys = this.budgets.map((b) => `${store.keyPrefix}:log:${connectionId}:${b.name}:${b.limit}/${b.perMs}`);
    this.pauseKey = `${store.keyPrefix}:pause:${connectionId}`;
    if (spec.concurrency !== undefined) {
      this.local = new Semaphore(spec.concurrency);
      if (store.redis !== undefined) {
        this.inflight = new RateLimiterRedis({
          storeClient: store.redis,
          keyPrefix: `${store.keyPrefix}:inflight`,
          points: Math.floor(spec.concurrency),
          duration: Math.max(1, Math.ceil(leaseMs / 1000)),
          customIncrTtlLuaScript: LEASE_SCRIPT,
        });
      }
    }
  }

  /** The budgets a request takes units from, with their weights. */
  budgetsOf(target: BudgetTarget): { budget: CompiledBudget; take: BudgetTake }[] {
    const out: { budget: CompiledBudget; take: BudgetTake }[] = [];
    this.budgets.forEach((budget, i) => {
      const weight = budget.weightOf(target);
      if (weight > 0) out.push({ budget, take: { key: this.keys[i]!, limit: budget.limit, windowMs: budget.windowMs, weight, burst: budget.burst } });
    });
    return out;
  }

  async acquire(target: BudgetTarget, signal?: AbortSignal): Promise<Permit> {
    const waits = new Map<string, number>();
    const waited = (name: string, since: number): void => {
      const ms = Date.now() - since;
      if (ms > 0) waits.set(name, (waits.get(name) ?? 0) + ms);
    };
    let localHeld = false;
    let sharedHeld = false;
    const release = (): void => {
      if (sharedHeld) {
        sharedHeld = false;
        this.inflight?.reward(this.connectionId).catch(() => undefined);
      }
      if (localHeld) {
        localHeld = false;
        this.local?.release();
      }
    };
    const matched = this.budgetsOf(target);
    try {
      const started = Date.now();
      if (this.local !== undefined) {
        await this.local.acquire(signal);
        localHeld = true;
      }
      if (this.inflight !== undefined) {
        await this.takeShared(this.inflight, signal);
        sharedHeld = true;
      }
      waited(CONCURRENCY_WAIT, started);
      if (matched.length === 0 && !this.paced) return { release, budgets: [], waits };
      const names = matched.map((m) => m.budget.name).join('\u0000');
      let gate = this.gates.get(names);
      if (gate === undefined) this.gates.set(names, (gate = new Semaphore(1)));
      await gate.run(() => this.admit(matched, waited, signal), signal);
    } catch (err) {
      release();
      throw err;
    }
    return { release, budgets: matched.map((m) => m.budget.name), waits };
  }

  /** Takes the request's units from all its budgets at once, waiting while any is full or the connection is paused. */
  private async admit(matched: readonly { budget: CompiledBudget; take: BudgetTake }[], waited: (name: string, since: number) => void, signal: AbortSignal | undefined): Promise<void> {
    const takes = matched.map((m) => m.take);
    for (;;) {
      let result;
      try {
        result = await this.store.take(takes, this.pauseKey);
      } catch (err) {
        throw storeFailure(err);
      }
      if (result.waitMs <= 0) return;
      const since = Date.now();
      await delay(result.waitMs, undefined, { signal });
      waited(result.blocked < 0 ? API_WAIT : matched[result.blocked]!.budget.name, since);
    }
  }

  async pause(ms: number): Promise<void> {
    if (!(ms > 0)) return;
    try {
      await this.store.pause(this.pauseKey, ms);
    } catch (err) {
      throw storeFailure(err);
    }
  }

  /** Takes one unit of the connection's in-flight counter shared through Redis. */
  private async takeShared(inflight: RateLimiterAbstract, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      try {
        await inflight.consume(this.connectionId);
        return;
      } catch (err) {
        // A RateLimiterRes (not an Error) means the counter is full; an Error is a store failure.
        if (err instanceof Error) throw storeFailure(err);
      }
      // Full: the failed consume counted us, so give it back, then look again a little later
      // (Redis has no wake-up for us; the jitter keeps workers from polling in step).
      await inflight.reward(this.connectionId).catch(() => undefined);
      await delay(5 + Math.random() * 20, undefined, { signal });
    }
  }
}
