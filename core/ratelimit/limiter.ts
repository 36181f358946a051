// One connection's request budget: `requests` per `per_seconds` and `concurrency` in flight,
// counted by rate-limiter-flexible in this process's memory or in Redis (shared by workers).
import { setTimeout as delay } from 'node:timers/promises';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { SwitchboardError } from '../errors';
import { Semaphore } from './semaphore';
import { planSlots, slotAt, type SlotPlan } from './window';

/** The `rate_limit` of a connector definition. */
export interface RateLimitSpec {
  requests?: number;
  per_seconds?: number;
  concurrency?: number;
}

/** Held while one request attempt is in flight. */
export interface Permit {
  /** Frees the concurrency unit; safe to call more than once. */
  release(): void;
}

export interface ConnectionLimiter {
  /** Waits until one more request may start now (budget and concurrency); release the permit when its response is read. */
  acquire(signal?: AbortSignal): Promise<Permit>;
}

/**
 * The Lua script rate-limiter-flexible runs for every change of a Redis counter (its
 * `customIncrTtlLuaScript` option). Unlike the default it renews the expiry on every change and
 * never lets a counter go below zero, so the in-flight counter works as a lease: it only
 * expires once the connection has been idle for the lease, which is also how units held by a
 * killed worker come back. For the slot counters the renewal is harmless (the slot number is
 * in the key). One script for both, because the library registers it on the client under a
 * single command name.
 */
const LEASE_SCRIPT = `local consumed = redis.call('incrby', KEYS[1], ARGV[1])
if consumed < 0 then
  redis.call('set', KEYS[1], 0)
  consumed = 0
end
redis.call('expire', KEYS[1], ARGV[2])
return {consumed, 1000 * ARGV[2]}`;

export interface LimiterStoreOptions {
  /** Redis client dedicated to rate limiting; without it counters live in this process. */
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
  private readonly plan: SlotPlan | undefined;
  private readonly slots: RateLimiterAbstract | undefined;
  private readonly slotKey: string;
  /** Serializes this process's waiters for a slot, so they queue in order instead of polling the store together. */
  private readonly gate = new Semaphore(1);
  private readonly local: Semaphore | undefined;
  private readonly inflight: RateLimiterAbstract | undefined;

  constructor(
    private readonly connectionId: string,
    spec: RateLimitSpec,
    store: LimiterStoreOptions,
    leaseMs: number,
  ) {
    if (spec.requests !== undefined) {
      const plan = planSlots(spec.requests, spec.per_seconds ?? 1, store.marginMs);
      this.plan = plan;
      const duration = Math.ceil(plan.slotMs / 1000) + 1;
      this.slots =
        store.redis === undefined
          ? new RateLimiterMemory({ points: plan.perSlot, duration })
          : new RateLimiterRedis({ storeClient: store.redis, keyPrefix: `${store.keyPrefix}:req`, points: plan.perSlot, duration, customIncrTtlLuaScript: LEASE_SCRIPT });
    }
    // Slot keys name the plan, so definitions with different budgets never share counters.
    this.slotKey = this.plan === undefined ? connectionId : `${connectionId}:${spec.requests}/${spec.per_seconds ?? 1}`;
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

  async acquire(signal?: AbortSignal): Promise<Permit> {
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
    try {
      if (this.local !== undefined) {
        await this.local.acquire(signal);
        localHeld = true;
      }
      if (this.inflight !== undefined) {
        await this.takeShared(this.inflight, signal);
        sharedHeld = true;
      }
      if (this.plan !== undefined && this.slots !== undefined) {
        const plan = this.plan;
        const slots = this.slots;
        await this.gate.run(() => this.takeSlot(plan, slots, signal), signal);
      }
    } catch (err) {
      release();
      throw err;
    }
    return { release };
  }

  private async takeSlot(plan: SlotPlan, slots: RateLimiterAbstract, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const { slot, usable, nextStartMs } = slotAt(plan, Date.now());
      if (usable) {
        try {
          await slots.consume(`${this.slotKey}:${slot}`);
          return;
        } catch (err) {
          // A RateLimiterRes (not an Error) means the slot is full; an Error is a store failure.
          if (err instanceof Error) throw storeFailure(err);
        }
      }
      await delay(Math.max(1, nextStartMs - Date.now()), undefined, { signal });
    }
  }

  /** Takes one unit of the connection's in-flight counter shared through Redis. */
  private async takeShared(inflight: RateLimiterAbstract, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      try {
        await inflight.consume(this.connectionId);
        return;
      } catch (err) {
        if (err instanceof Error) throw storeFailure(err);
      }
      // Full: the failed consume counted us, so give it back, then look again a little later
      // (Redis has no wake-up for us; the jitter keeps workers from polling in step).
      await inflight.reward(this.connectionId).catch(() => undefined);
      await delay(5 + Math.random() * 20, undefined, { signal });
    }
  }
}
