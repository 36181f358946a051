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
  switch (spec.reset_unit ?? 'seconds') {
    case 'seconds':
      return Math.max(0, Math.ceil(reset * 1000));
    case 'milliseconds':
      return Math.max(0, Math.ceil(reset));
    case 'unix':
      return Math.max(0, Math.ceil(reset * 1000 - now));
    case 'unix_ms':
      return Math.max(0, Math.ceil(reset - now));
  }
}
