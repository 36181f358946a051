// The one retry policy: what a failure means (an unreachable store or queue is waited for, a
// lost run is left to its new holder, retryable errors cost an attempt, the rest end the run),
// and its waits (exponential, capped).
import { SwitchboardError } from '../../../core/errors';
import { RetryPolicy } from '../../../core/runs';

describe('the run retry policy', () => {
  const policy = new RetryPolicy({ attempts: 3, backoffMs: 100, maxBackoffMs: 350, storeWaitMs: 10, maxStoreWaitMs: 25 });

  it('tells an unreachable store or queue from failures of the run itself', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(policy.classify(refused)).toMatchObject({ unreachable: true, error: { code: 'SB_DB_UNAVAILABLE' } });
    expect(policy.classify(new Error('Connection terminated unexpectedly'))).toMatchObject({ unreachable: true });
    const wrapped = new SwitchboardError('SB_DB_QUERY_FAILED', 'writing a page: terminating connection due to administrator command', { cause: Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }) });
    expect(policy.classify(wrapped)).toMatchObject({ unreachable: true });
    expect(policy.classify(new SwitchboardError('SB_QUEUE_UNAVAILABLE', 'no Redis'))).toMatchObject({ unreachable: true, error: { code: 'SB_QUEUE_UNAVAILABLE' } });
    expect(policy.classify(new SwitchboardError('SB_RUN_LOST', 'taken over'))).toMatchObject({ lost: true, retryable: false, unreachable: false });
    expect(policy.classify(new SwitchboardError('SB_HTTP_TIMEOUT', 'slow'))).toMatchObject({ retryable: true, unreachable: false });
    expect(policy.classify(new SwitchboardError('SB_AUTH_FAILED', 'bad token'))).toMatchObject({ retryable: false, unreachable: false });
    expect(policy.classify(new TypeError('x is undefined'))).toMatchObject({ retryable: true, error: { code: 'SB_INTERNAL', message: 'x is undefined' } });
  });

  it('spends its attempts on failures, waiting longer after each, within bounds', () => {
    expect([1, 2, 3].map((f) => policy.spent(f))).toEqual([false, false, true]);
    expect([1, 2, 3, 4].map((f) => policy.backoff(f))).toEqual([100, 200, 350, 350]);
    expect([1, 2, 3, 9].map((n) => policy.storeWait(n))).toEqual([10, 20, 25, 25]);
    expect(new RetryPolicy().attempts).toBe(5);
  });
});
