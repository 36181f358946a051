// How a `requests per per_seconds` budget is cut into short fixed slots so that no sliding
// window of `per_seconds` ever holds more than `requests` request starts.
//
// Why slots: rate-limiter-flexible counts in fixed windows, and a fixed window of the full
// length admits up to 2N across a boundary (N at the end of one window, N at the start of
// the next). If instead each slot of length L admits at most p requests, any window of length
// T touches at most k + 1 slots when L = T / k, so it holds at most (k + 1) * p requests. With
// (k + 1) * p <= N the limit holds in every window, at a throughput of k * p / T (N - p per
// window: the price of exactness). Slots are aligned to the epoch (the slot number is part of
// the key), so every process that shares a store agrees on them; the store's expiry only
// cleans up old slots. Redis counts whole seconds only, another reason not to rely on TTLs.

/** The smallest slot worth a store round trip; larger budgets put several requests in one. */
const MIN_SLOT_MS = 10;

export interface SlotPlan {
  /** Slot length in milliseconds. */
  slotMs: number;
  /** Requests admitted per slot. */
  perSlot: number;
  /**
   * Only every other slot admits requests. Needed when the budget is one request per
   * window: two adjacent slots would otherwise let two requests through back to back.
   */
  alternate: boolean;
  /** The window the guarantee is computed for: `per_seconds` plus the safety margin. */
  windowMs: number;
}

/**
 * The default safety margin added to the window: requests leave the client a little after they
 * are admitted, and arrive at the API with varying delays (and clocks of different workers
 * differ slightly), so the API may see admitted requests closer together than they were
 * admitted. 100 ms, or 5% of long windows, up to 2 s.
 */
export function defaultMarginMs(perSeconds: number): number {
  return Math.min(2000, Math.max(100, perSeconds * 1000 * 0.05));
}

/** Plans slots for at most `requests` starts in any window of `perSeconds` (+ `marginMs`). */
export function planSlots(requests: number, perSeconds: number, marginMs = defaultMarginMs(perSeconds)): SlotPlan {
  if (!(requests >= 1) || !(perSeconds > 0)) {
    throw new RangeError(`rate limit needs requests >= 1 and per_seconds > 0 (got ${requests}, ${perSeconds})`);
  }
  const n = Math.floor(requests);
  const windowMs = perSeconds * 1000 + marginMs;
  if (n === 1) {
    // One slot as long as the window, every other one usable: consecutive admitted requests
    // are at least one window apart.
    return { slotMs: windowMs, perSlot: 1, alternate: true, windowMs };
  }
  // Fewest requests per slot that keeps slots at least MIN_SLOT_MS long.
  let perSlot = Math.max(1, Math.ceil((n * MIN_SLOT_MS) / windowMs));
  perSlot = Math.min(perSlot, Math.floor(n / 2));
  const slots = Math.floor(n / perSlot) - 1; // k, with (k + 1) * p <= n
  return { slotMs: windowMs / slots, perSlot, alternate: false, windowMs };
}

/** The slot a time falls in, and when the next usable slot starts. */
export function slotAt(plan: SlotPlan, nowMs: number): { slot: number; usable: boolean; nextStartMs: number } {
  const slot = Math.floor(nowMs / plan.slotMs);
  const usable = !plan.alternate || slot % 2 === 0;
  const step = plan.alternate && usable ? 2 : 1;
  return { slot, usable, nextStartMs: Math.ceil((slot + step) * plan.slotMs) };
}
