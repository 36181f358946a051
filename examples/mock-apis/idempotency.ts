// Idempotency keys as Stripe keeps them (Stripe API reference, "Idempotent requests"): on POST
// the first answer to a key is saved and replayed to every later request with that key (a
// different request with the same key is a 400), so a request sent again after a lost answer is
// applied once. Keys on GET and DELETE have no effect ("these requests are idempotent by
// definition"): a second DELETE of a deleted customer answers 404 `resource_missing`. Counts
// how often each key was applied.
import type { LoggedRequest, MockResponse } from './server';

export class IdempotencyKeys {
  private readonly saved = new Map<string, { request: string; answer: MockResponse }>();
  /** Times each key was applied (not replayed): 1 per key means nothing was applied twice. */
  readonly applied = new Map<string, number>();
  /** Requests answered from a saved answer. */
  replays = 0;
  /** Keys sent with methods Stripe ignores them for (GET, DELETE): a client that sends them proves nothing by them. */
  ignored = 0;

  constructor(private readonly header = 'idempotency-key') {}

  /**
   * Answers `req` with `apply()` the first time its key is seen, with the saved answer after
   * that. Requests without a key, and requests other than POST, are applied every time. As Stripe does, answers that refused
   * the request before it ran (4xx) are not saved, so the same key may be tried again.
   */
  handle(req: LoggedRequest, apply: () => MockResponse): MockResponse {
    const value = req.headers[this.header];
    const key = Array.isArray(value) ? value[0] : value;
    if (key !== undefined && key !== '' && req.method !== 'POST') this.ignored += 1;
    if (key === undefined || key === '' || req.method !== 'POST') return apply();
    const fingerprint = `${req.method} ${req.path}\n${req.body}`;
    const prior = this.saved.get(key);
    if (prior !== undefined) {
      if (prior.request !== fingerprint) {
        return { status: 400, body: { error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}'.` } } };
      }
      this.replays += 1;
      return { ...prior.answer, headers: { ...prior.answer.headers, 'idempotent-replayed': 'true' } };
    }
    const answer = apply();
    const status = answer.status ?? 200;
    if (status < 400 || status >= 500) {
      this.saved.set(key, { request: fingerprint, answer });
      this.applied.set(key, (this.applied.get(key) ?? 0) + 1);
    }
    return answer;
  }
}
