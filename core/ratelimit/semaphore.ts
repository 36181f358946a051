// A FIFO counting semaphore for one process: bounds in-flight requests and serializes waiters.

export class Semaphore {
  private available: number;
  private readonly waiters: Array<{ resolve: () => void; reject: (err: unknown) => void; signal: AbortSignal | undefined; onAbort: () => void }> = [];

  constructor(readonly size: number) {
    if (!(size >= 1)) throw new RangeError(`semaphore size must be >= 1 (got ${size})`);
    this.available = Math.floor(size);
  }

  /** Resolves once a unit is held; rejects with the signal's reason if aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.available > 0 && this.waiters.length === 0) {
      this.available -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next === undefined) {
      this.available = Math.min(this.size, this.available + 1);
      return;
    }
    next.signal?.removeEventListener('abort', next.onAbort);
    next.resolve(); // the unit passes straight to the next waiter
  }

  /** Runs `fn` holding one unit. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
