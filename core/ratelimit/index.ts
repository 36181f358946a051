// Rate limiters by connection: one per (connection, budget), in memory, or in Redis when a
// client is given or REDIS_URL is set, so every worker of a connection shares its budget.
import Redis from 'ioredis';
import { ConnectionRateLimiter, type ConnectionLimiter, type RateLimitSpec } from './limiter';

export type { ConnectionLimiter, Permit, RateLimitSpec } from './limiter';
export { planSlots, slotAt, defaultMarginMs, type SlotPlan } from './window';
export { Semaphore } from './semaphore';

export interface RateLimitersOptions {
  /**
   * Redis shared by every worker. The registry uses its own duplicate of it (the limiter
   * library registers a script on the client it is given), closed by `close()`.
   */
  redis?: Redis;
  /** A Redis URL to connect to when no client is given (e.g. REDIS_URL). */
  redisUrl?: string;
  /** Prefix of every Redis key. Default `sb:rl`. */
  keyPrefix?: string;
  /** Safety margin added to every window, in ms (window.ts explains why). */
  marginMs?: number;
}

export class RateLimiters {
  private readonly limiters = new Map<string, ConnectionRateLimiter>();
  private readonly redis: Redis | undefined;
  private readonly keyPrefix: string;
  private readonly marginMs: number | undefined;

  constructor(options: RateLimitersOptions = {}) {
    this.redis =
      options.redis?.duplicate() ??
      (options.redisUrl === undefined || options.redisUrl === '' ? undefined : new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 }));
    this.keyPrefix = options.keyPrefix ?? 'sb:rl';
    this.marginMs = options.marginMs;
  }

  /** Whether limits are shared through Redis. */
  get shared(): boolean {
    return this.redis !== undefined;
  }

  /**
   * The limiter of one connection, or undefined when its definition sets no limit.
   * `leaseMs` bounds how long a killed worker's in-flight units stay counted (Redis only).
   */
  forConnection(connectionId: string, spec: RateLimitSpec | undefined, leaseMs = 120_000): ConnectionLimiter | undefined {
    if (spec === undefined || (spec.requests === undefined && spec.concurrency === undefined)) return undefined;
    const key = `${connectionId}\u0000${spec.requests}/${spec.per_seconds}/${spec.concurrency}`;
    let limiter = this.limiters.get(key);
    if (limiter === undefined) {
      limiter = new ConnectionRateLimiter(connectionId, spec, { redis: this.redis, keyPrefix: this.keyPrefix, marginMs: this.marginMs }, leaseMs);
      this.limiters.set(key, limiter);
    }
    return limiter;
  }

  async close(): Promise<void> {
    this.limiters.clear();
    if (this.redis !== undefined) await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

let shared: RateLimiters | undefined;

/**
 * The process-wide registry, so that every client of a connection in this process shares one
 * budget: in Redis when REDIS_URL is set, else in memory.
 */
export function sharedRateLimiters(env: NodeJS.ProcessEnv = process.env): RateLimiters {
  const url = env['REDIS_URL'];
  shared ??= new RateLimiters(url === undefined ? {} : { redisUrl: url });
  return shared;
}

/** Closes the process-wide registry's Redis connection (for CLI commands and shutdown). */
export async function closeSharedRateLimiters(): Promise<void> {
  const current = shared;
  shared = undefined;
  await current?.close();
}
