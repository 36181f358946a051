// When to retry a request and how long to wait: exponential backoff with full jitter,
// `Retry-After` (seconds, fractional seconds or an HTTP date) and rate-limit headers.
import type { IncomingHttpHeaders } from 'node:http';
import type { RateLimitHeaders, Retry } from '../generated/connector';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly onStatus: ReadonlySet<number>;
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  readonly jitter: boolean;
  /** Lower-cased header name. */
  readonly retryAfterHeader: string;
  readonly rateLimitHeaders: RateLimitHeaders | undefined;
}

export const DEFAULT_RETRY_STATUSES: readonly number[] = [429, 500, 502, 503, 504];

/** The policy of a definition's `retry` block, with the schema's defaults. */
export function retryPolicy(spec: Retry | undefined): RetryPolicy {
  const backoff = spec?.backoff;
  return {
    maxAttempts: Math.max(1, Math.floor(spec?.max_attempts ?? 5)),
    onStatus: new Set(spec?.on_status ?? DEFAULT_RETRY_STATUSES),
    initialMs: backoff?.initial_ms ?? 500,
    maxMs: backoff?.max_ms ?? 60_000,
    multiplier: backoff?.multiplier ?? 2,
    jitter: backoff?.jitter ?? true,
    retryAfterHeader: (spec?.retry_after_header ?? 'Retry-After').toLowerCase(),
    rateLimitHeaders: spec?.rate_limit_headers,
  };
}

/**
 * The wait before attempt `attempt + 1` after `attempt` failed (attempt counts from 1):
 * `initial * multiplier^(attempt-1)` capped at `max_ms`, drawn uniformly from [0, that]
 * ("full jitter") so that workers hit by the same outage do not retry in lockstep.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** Math.max(0, attempt - 1));
  return policy.jitter ? Math.floor(random() * ceiling) : ceiling;
}

/**
 * Milliseconds to wait according to a `Retry-After` value: delay-seconds (Shopify sends
 * fractional ones, `2.0`) or an HTTP date. Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A header's single value (first of a repeated header). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** How long a retry must wait per the response's headers, capped at `max_ms`; undefined if they say nothing. */
export function retryAfterMs(policy: RetryPolicy, headers: IncomingHttpHeaders, now: number = Date.now()): number | undefined {
  const fromRetryAfter = parseRetryAfter(headerValue(headers, policy.retryAfterHeader), now);
  const wait = fromRetryAfter ?? rateLimitResetMs(policy.rateLimitHeaders, headers, now, true);
  return wait === undefined ? undefined : Math.min(wait, policy.maxMs);
}

/** Epoch milliseconds are above this (2001-09-09 in ms), epoch seconds above RESET_EPOCH_S. */
const RESET_EPOCH_MS = 1e12;
const RESET_EPOCH_S = 1e9;

/**
 * Milliseconds from `now` until a reset header's time. `auto` tells the forms apart safely: a
 * delay in seconds of more than 10^9 (31 years) or an epoch time in ms below 10^12 (2001) never
 * occur, so the magnitude decides.
 */
export function resetDelayMs(value: number, unit: NonNullable<RateLimitHeaders['reset_unit']>, now: number = Date.now()): number {
  const kind = unit !== 'auto' ? unit : value > RESET_EPOCH_MS ? 'unix_ms' : value > RESET_EPOCH_S ? 'unix' : 'seconds';
  switch (kind) {
    case 'seconds':
      return Math.max(0, Math.ceil(value * 1000));
    case 'milliseconds':
      return Math.max(0, Math.ceil(value));
    case 'unix':
      return Math.max(0, Math.ceil(value * 1000 - now));
    case 'unix_ms':
      return Math.max(0, Math.ceil(value - now));
  }
}

/**
 * When the rate-limit headers say the budget is spent (remaining is 0), the milliseconds until
 * it resets. With `whenever` the reset is read even if `remaining` is missing (after a 429).
 */
export function rateLimitResetMs(spec: RateLimitHeaders | undefined, headers: IncomingHttpHeaders, now: number = Date.now(), whenever = false): number | undefined {
  if (spec?.reset === undefined) return undefined;
  if (!whenever) {
    if (spec.remaining === undefined) return undefined;
    const remaining = headerValue(headers, spec.remaining);
    if (remaining === undefined || Number(remaining) > 0) return undefined;
  }
  const raw = headerValue(headers, spec.reset);
  const reset = raw === undefined ? NaN : Number(raw.trim());
  if (!Number.isFinite(reset)) return undefined;
  return resetDelayMs(reset, spec.reset_unit ?? 'auto', now);
}

/**
 * How long to hold back according to a `used/size` call-limit header (Shopify's
 * `X-Shopify-Shop-Api-Call-Limit: 32/40`): while fewer than `headroom` units are free (the
 * requests that may be in flight, not counted in this answer yet), until enough have leaked out
 * at `leakPerSecond`. Undefined when the header is absent, unreadable or leaves room.
 */
export function callLimitWaitMs(spec: RateLimitHeaders | undefined, headers: IncomingHttpHeaders, leakPerSecond: number, headroom: number): number | undefined {
  if (spec?.call_limit === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(headerValue(headers, spec.call_limit) ?? '');
  if (m === null) return undefined;
  const free = Number(m[2]) - Number(m[1]);
  if (free >= headroom) return undefined;
  return Math.ceil(((headroom - free) / leakPerSecond) * 1000);
}
