// The store behind the API's rate limits: counters in Redis when it is configured (one limit
// shared by every server process), and counters in this process whenever Redis cannot answer,
// so an outage never turns the limits off.
//
// Why not @fastify/rate-limit's own Redis store: when its `incr` fails, the plugin either throws
// (a 500 for every request) or, with `skipOnError`, counts the request as the first of a fresh
// window, so with Redis down nothing is ever limited (index.js `applyRateLimit`: `current` stays
// 0 in the catch). Here the same counting is done by the plugin's LocalStore instead, with the
// same window and maximum; each process then enforces the limit on its own until Redis is back.
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type Redis from 'ioredis';
import type { Logger } from '../core/logger';

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

interface Store {
  incr(key: string, callback: Callback, timeWindow: number, max: number): void;
  read?(key: string, callback: Callback, timeWindow: number, max: number): void;
  child(routeOptions: unknown): Store;
}

type LocalStoreCtor = new (continueExceeding: boolean, exponentialBackoff: boolean, cache?: number) => Store;
type RedisStoreCtor = new (continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key?: string) => Store;

/* eslint-disable @typescript-eslint/no-require-imports -- the plugin's stores are CommonJS files without typings of their own */
const LocalStore = require('@fastify/rate-limit/store/LocalStore') as LocalStoreCtor;
const RedisStore = require('@fastify/rate-limit/store/RedisStore') as RedisStoreCtor;
/* eslint-enable @typescript-eslint/no-require-imports */

interface Params {
  continueExceeding?: boolean;
  exponentialBackoff?: boolean;
}

/** Whether a command sent now would be answered without waiting for a reconnection. */
function usable(redis: Redis): boolean {
  // 'wait': a lazy client not connected yet (the command connects it). Any other state but
  // 'ready' means a connection is being retried: counting locally at once beats queueing.
  return redis.status === 'ready' || redis.status === 'wait';
}

class FallbackStore implements Store {
  constructor(
    private readonly redis: Redis,
    private readonly shared: Store,
    private readonly local: Store,
    private readonly onFallback: (err: Error) => void,
  ) {}

  incr(key: string, callback: Callback, timeWindow: number, max: number): void {
    if (!usable(this.redis)) {
      this.local.incr(key, callback, timeWindow, max);
      return;
    }
    this.shared.incr(
      key,
      (err, result) => {
        if (err === null) return callback(null, result);
        this.onFallback(err);
        this.local.incr(key, callback, timeWindow, max);
      },
      timeWindow,
      max,
    );
  }

  read(key: string, callback: Callback, timeWindow: number, max: number): void {
    const local = (): void => (this.local.read === undefined ? callback(null, { current: 0, ttl: 0 }) : this.local.read(key, callback, timeWindow, max));
    if (!usable(this.redis) || this.shared.read === undefined) return local();
    this.shared.read(key, (err, result) => (err === null ? callback(null, result) : local()), timeWindow, max);
  }

  child(routeOptions: unknown): Store {
    return new FallbackStore(this.redis, this.shared.child(routeOptions), this.local.child(routeOptions), this.onFallback);
  }
}

export interface RateLimitStoreOptions {
  redis: Redis;
  /** Key prefix in Redis, e.g. `switchboard:api-rate:`. */
  prefix: string;
  logger: Logger;
}

/** A store class for @fastify/rate-limit's `store` option. */
export function fallbackRateLimitStore(options: RateLimitStoreOptions): FastifyRateLimitStoreCtor {
  let degraded = false;
  const onFallback = (err: Error): void => {
    if (degraded) return;
    degraded = true;
    options.logger.warn({ err: err.message }, 'Redis is unreachable: rate limits are counted in this process until it is back');
  };
  options.redis.on('ready', () => {
    if (degraded) options.logger.info('Redis is reachable again: rate limits are shared again');
    degraded = false;
  });
  // ioredis reports every failed reconnection as an 'error' event: without a listener each one is
  // printed to stderr. The first is logged once by onFallback.
  options.redis.on('error', (err: Error) => {
    if (!degraded) onFallback(err);
  });
  return class {
    constructor(params: Params) {
      const continueExceeding = params.continueExceeding ?? false;
      const exponentialBackoff = params.exponentialBackoff ?? false;
      return new FallbackStore(options.redis, new RedisStore(continueExceeding, exponentialBackoff, options.redis, options.prefix), new LocalStore(continueExceeding, exponentialBackoff), onFallback);
    }
  } as unknown as FastifyRateLimitStoreCtor;
}

