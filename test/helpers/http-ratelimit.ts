// Shared parts of the rate limit tests: a connector limited to 20 requests per second, and the
// sliding-window count over a server's request timestamps.
import type { ConnectorDefinition, RateLimit } from '../../core/generated/connector';

export function limitedDefinition(rateLimit: RateLimit = { requests: 20, per_seconds: 1 }): ConnectorDefinition {
  return {
    id: 'limited',
    name: 'limited',
    base_url: '{{config.base_url}}',
    rate_limit: rateLimit,
    retry: { max_attempts: 3, backoff: { initial_ms: 5, max_ms: 50 } },
    check: { request: { path: '/ping' } },
    streams: {},
  };
}

/** The most timestamps (ms) that fall in any half-open window of `windowMs`. */
export function maxInWindow(timestamps: readonly number[], windowMs: number): number {
  const sorted = [...timestamps].sort((a, b) => a - b);
  let max = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
    max = Math.max(max, end - start + 1);
  }
  return max;
}
