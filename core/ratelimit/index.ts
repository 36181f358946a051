// Rate limiters by connection: one per (connection, definition of its limits), in memory, or in
// Redis when the registry is given a client or a URL, so every worker of a connection shares its
// budgets. The engine owns one registry (made from its own Redis option) and closes it.
import Redis from 'ioredis';
import type { RateLimit } from '../generated/connector';
import { ConnectionRateLimiter, type ConnectionLimiter } from './limiter';
import { RedisBudgetStore } from './log-redis';
import { MemoryBudgetStore, type BudgetStore } from './window';

export type { ConnectionLimiter, Permit } from './limiter';
export { API_WAIT, CONCURRENCY_WAIT } from './limiter';
export { CONNECTION_BUDGET, compileBudgets, pathPattern, type BudgetTarget, type CompiledBudget } from './budget';
export { defaultMarginMs, MemoryBudgetStore } from './window';
export { Semaphore } from './semaphore';

export interface RateLimitersOptions {
  /**
   * Redis shared by every worker. The registry uses its own duplicate of it (scripts are
   * registered on the client), closed by `close()`.
   */
  redis?: Redis;
  /** A Redis URL to connect to when no client is given; without either, limits hold in this process only. */
  redisUrl?: string;
  /** Prefix of every Redis key. Default `sb:rl`. */
  keyPrefix?: string;
  /** Safety margin added to every window, in ms (window.ts explains why). */
  marginMs?: number;
}

export interface LimiterOptions {
  /** How long a killed worker's in-flight units stay counted (Redis only). Default 120 s. */
  leaseMs?: number;
  /** The connector reads rate-limit headers, so the API may pause the connection. */
  paced?: boolean;
}

export class RateLimiters {
  private readonly limiters = new Map<string, ConnectionRateLimiter>();
  private readonly redis: Redis | undefined;
  private readonly store: BudgetStore;
  private readonly keyPrefix: string;
  private readonly marginMs: number | undefined;

  constructor(options: RateLimitersOptions = {}) {
    this.redis =
      options.redis?.duplicate() ??
      (options.redisUrl === undefined || options.redisUrl === '' ? undefined : new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 }));
    this.store = this.redis === undefined ? new MemoryBudgetStore() : new RedisBudgetStore(this.redis);
    this.keyPrefix = options.keyPrefix ?? 'sb:rl';
    this.marginMs = options.marginMs;
  }

  /** Whether limits are shared through Redis. */
  get shared(): boolean {
    return this.redis !== undefined;
  }

  /** The limiter of one connection, or undefined when its definition sets no limit and reads no headers. */
  forConnection(connectionId: string, spec: RateLimit | undefined, options: LimiterOptions = {}): ConnectionLimiter | undefined {
    const paced = options.paced === true;
    if (!paced && (spec === undefined || (spec.requests === undefined && spec.concurrency === undefined && (spec.budgets ?? []).length === 0))) return undefined;
    const key = `${connectionId}\u0000${JSON.stringify(spec ?? {})}\u0000${paced}`;
    let limiter = this.limiters.get(key);
    if (limiter === undefined) {
      const store = { budgets: this.store, redis: this.redis, keyPrefix: this.keyPrefix, marginMs: this.marginMs };
      limiter = new ConnectionRateLimiter(connectionId, spec ?? {}, store, options.leaseMs ?? 120_000, paced);
      this.limiters.set(key, limiter);
    }
    return limiter;
  }

  async close(): Promise<void> {
    this.limiters.clear();
    if (this.redis !== undefined) await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}
