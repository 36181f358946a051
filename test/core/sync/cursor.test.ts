// Ordering incremental cursor values: times in any form and offset, epoch numbers, and opaque
// text, as the pull runner keeps the greatest value of a run.
import { CursorMax, applyLookback, compareCursor, maxCursor } from '../../../core/sync/cursor';

describe('cursor values', () => {
  it('orders times by instant whatever their offset, numbers by value, other text as text', () => {
    expect(compareCursor('2024-01-01T10:00:00+02:00', '2024-01-01T09:00:00Z')).toBeLessThan(0);
    expect(compareCursor('2024-01-01 09:00:01', '2024-01-01T09:00:00Z')).toBeGreaterThan(0); // zone-less is UTC
    expect(compareCursor(1700000000, 1700000000000)).toBe(0); // seconds and milliseconds
    expect(compareCursor('abc', 'abd')).toBeLessThan(0);
    expect(maxCursor(undefined, '2024-01-01T00:00:00Z')).toBe('2024-01-01T00:00:00Z');
  });

  it('keeps the greatest of a stream of values, as maxCursor would, reading each once', () => {
    const values = ['2024-03-01T00:00:00Z', '2024-03-01T02:00:00+03:00', undefined, '2024-02-28T23:59:59.999Z', '2024-03-01T00:00:00.001Z', '2024-03-01 00:00:00'];
    const max = new CursorMax('2024-02-01T00:00:00Z');
    let expected: string | number | undefined = '2024-02-01T00:00:00Z';
    for (const v of values) {
      max.offer(v);
      expected = maxCursor(expected, v);
      expect(max.value).toBe(expected);
    }
    expect(max.value).toBe('2024-03-01T00:00:00.001Z');
    const empty = new CursorMax(undefined);
    empty.offer(undefined);
    expect(empty.value).toBeUndefined();
    empty.offer(42);
    empty.offer(41);
    expect(empty.value).toBe(42);
  });

  it('steps back by the lookback in the value’s own form', () => {
    expect(applyLookback('2024-01-01T00:01:00Z', 60)).toBe('2024-01-01T00:00:00.000Z');
    expect(applyLookback(1700000060, 60)).toBe(1700000000);
    expect(applyLookback('token-7', 60)).toBe('token-7');
  });
});
