// What a budget promises, and how this process's memory keeps the promise (log-redis.ts keeps
// the same state in Redis for every worker).
//
// The promise: the units of the requests started in any window of `per_seconds` (seconds, any
// positive number: 0.125 is one eighth of a second) never add up to more than `requests`. Two
// rules keep it, both over the window plus a safety margin (T below):
// - Spacing: requests of a budget start evenly, each at least `weight * T / requests` after the
//   one before it, except that up to `burst` units (default 1: none) may start back to back
//   after an idle spell (a generic cell rate algorithm). APIs see a steady pace (concurrent
//   requests arriving together are where delays vary most, see the margin), and a window of T
//   holds exactly `requests` units at full speed, so the whole budget is usable and a
//   fractional window paces at its rate (1 request per 0.125 s is 8 per second, less the margin).
// - A sliding log of the admitted requests (start time, units): a request is admitted only when
//   its units fit beside every entry younger than T. With weight 1 the spacing alone keeps the
//   promise; with mixed weights the log is what makes it exact.
// A token bucket would not do: one of N refilled at N per window lets 2N through in a window
// that starts with a full bucket.
/**
 * The safety margin added to every window: requests reach the API a little after they are
 * admitted, with varying delays (the event loop, the network), so the API may see two requests
 * a window apart closer together than they were admitted. 5% of the window, at least 75 ms
 * but never more than 10% of the window (so sub-second windows keep their pace), at most 2 s.
 * Requests are evenly spaced, so delays vary little between them (bursts are where they vary):
 * 75 ms absorbs the jitter of a busy machine and keeps 93% of a one-second budget usable.
 */
export function defaultMarginMs(perSeconds: number): number {
  const windowMs = perSeconds * 1000;
  return Math.min(2000, Math.max(windowMs * 0.05, Math.min(75, windowMs * 0.1)));
}

/** One budget's part of a request: its log, its limit and window (margin included), and the units the request takes. */
export interface BudgetTake {
  key: string;
  limit: number;
  windowMs: number;
  weight: number;
  /** Units that may start back to back (1: evenly spaced). */
  burst: number;
}

/** 0 when the request was admitted (its units are in every log), else how long to wait and the index of the budget that is full. */
export interface TakeResult {
  waitMs: number;
  /** Index in the takes of the budget that made the request wait; -1 for a pause the API asked for. */
  blocked: number;
}

export interface BudgetStore {
  /** Admits a request into every budget at once, or into none (then says how long to wait). */
  take(takes: readonly BudgetTake[], pauseKey: string): Promise<TakeResult>;
  /** Holds every request of `pauseKey` back for `ms` from now (never shortens a longer pause). */
  pause(pauseKey: string, ms: number): Promise<void>;
}

interface Entry {
  at: number;
  weight: number;
}

interface Log {
  entries: Entry[];
  head: number;
  sum: number;
  /** When the next unit is due at an even pace (the cell rate algorithm's theoretical arrival time). */
  next: number;
}

/** The budgets' logs of this process: exact for one process, and what runs without Redis use. */
export class MemoryBudgetStore implements BudgetStore {
  private readonly logs = new Map<string, Log>();
  private readonly pauses = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async take(takes: readonly BudgetTake[], pauseKey: string): Promise<TakeResult> {
    const now = this.now();
    const paused = this.pauses.get(pauseKey) ?? 0;
    if (paused > now) return { waitMs: paused - now, blocked: -1 };
    let worst: TakeResult = { waitMs: 0, blocked: -1 };
    const logs = takes.map((t, i) => {
      const log = this.logFor(t.key);
      // Entries that started T ago or earlier have left the window.
      while (log.head < log.entries.length && log.entries[log.head]!.at <= now - t.windowMs) {
        log.sum -= log.entries[log.head]!.weight;
        log.head += 1;
      }
      if (log.head > 1024 && log.head * 2 > log.entries.length) {
        log.entries = log.entries.slice(log.head);
        log.head = 0;
      }
      // Early by at most burst - weight units' spacing (a heavier request than the burst just
      // waits for the pace of the one before it, then pushes the next one back by its weight).
      const unit = t.windowMs / t.limit;
      let leaves = Math.max(log.next, now) - (Math.max(t.burst, t.weight) - t.weight) * unit;
      if (log.sum + t.weight > t.limit) {
        const need = log.sum + t.weight - t.limit;
        let freed = 0;
        for (let j = log.head; j < log.entries.length; j++) {
          freed += log.entries[j]!.weight;
          if (freed >= need) {
            leaves = Math.max(leaves, log.entries[j]!.at + t.windowMs);
            break;
          }
        }
      }
      const waitMs = leaves > now ? Math.ceil(leaves - now) : 0;
      if (waitMs > worst.waitMs) worst = { waitMs, blocked: i };
      return log;
    });
    if (worst.waitMs > 0) return worst;
    takes.forEach((t, i) => {
      const log = logs[i]!;
      log.entries.push({ at: now, weight: t.weight });
      log.sum += t.weight;
      log.next = Math.max(log.next, now) + (t.weight * t.windowMs) / t.limit;
    });
    return worst;
  }

  async pause(pauseKey: string, ms: number): Promise<void> {
    const until = this.now() + ms;
    if (until > (this.pauses.get(pauseKey) ?? 0)) this.pauses.set(pauseKey, until);
  }

  private logFor(key: string): Log {
    let log = this.logs.get(key);
    if (log === undefined) this.logs.set(key, (log = { entries: [], head: 0, sum: 0, next: 0 }));
    return log;
  }
}
