// The per-connection rate limit: never more than `requests` in any window of `per_seconds` as
// the API sees it (sliding check over the server's timestamps), in one process and across two
// processes sharing Redis; `concurrency` bounds requests in flight.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { defaultMarginMs, MemoryBudgetStore, pathPattern, RateLimiters } from '../../../core/ratelimit';
import { startMockServer, type MockApi } from '../../../examples/mock-apis/server';
import { client } from '../../helpers/http-connectors';
import { limitedDefinition, maxInWindow } from '../../helpers/http-ratelimit';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

let api: MockApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** Sends `count` requests over `parallel` lanes. */
async function hammer(c: ReturnType<typeof client>, count: number, parallel: number): Promise<void> {
  let left = count;
  const lane = async (): Promise<void> => {
    while (left > 0) {
      left -= 1;
      await c.send(c.connector.check!, c.context());
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
}

describe('sliding logs', () => {
  /** Admits `count` requests into `store` as fast as it allows on a simulated clock; returns their start times. */
  async function admitAll(requests: number, perSeconds: number, count: number, weight = 1): Promise<number[]> {
    let now = 1_000_000;
    const store = new MemoryBudgetStore(() => now);
    const take = [{ key: 'k', limit: requests, windowMs: perSeconds * 1000, weight, burst: 1 }];
    const starts: number[] = [];
    while (starts.length < count) {
      const { waitMs } = await store.take(take, 'pause');
      if (waitMs === 0) starts.push(now);
      else now += waitMs;
    }
    return starts;
  }

  it.each([
    [1, 1],
    [2, 1],
    [5, 1],
    [5, 2],
    [20, 1],
    [100, 10],
    [1, 0.125],
  ])('%s per %ss: never more in any window, evenly spaced, and the whole budget is used', async (requests, perSeconds) => {
    const starts = await admitAll(requests, perSeconds, requests * 10);
    expect(maxInWindow(starts, perSeconds * 1000)).toBe(requests);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(new Set(gaps)).toEqual(new Set([(perSeconds * 1000) / requests]));
  });

  it('a burst lets that many start back to back after an idle spell, and the log still holds every window', async () => {
    let now = 0;
    const store = new MemoryBudgetStore(() => now);
    const starts: number[] = [];
    while (starts.length < 25) {
      const { waitMs } = await store.take([{ key: 'k', limit: 10, windowMs: 60_000, weight: 1, burst: 10 }], 'p');
      if (waitMs === 0) starts.push(now);
      else now += waitMs;
    }
    expect(starts.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(maxInWindow(starts, 60_000)).toBe(10);
  });

  it('a fractional window paces at its rate: 1 request per 0.125 s is 8 per second', async () => {
    const starts = await admitAll(1, 0.125, 17);
    expect(starts.at(-1)! - starts[0]!).toBe(2000);
  });

  it('weights: a request of weight 3 takes three units, and spaces the next by three', async () => {
    const starts = await admitAll(10, 1, 5, 3);
    // 300 ms apart, until the log is full: the fourth (12 units in a window of 10) waits for the first to leave.
    expect(starts.map((t) => t - starts[0]!)).toEqual([0, 300, 600, 1000, 1300]);
  });

  it('mixed weights: the log keeps any window within the budget', async () => {
    let now = 0;
    const store = new MemoryBudgetStore(() => now);
    const starts: { at: number; weight: number }[] = [];
    const weights = [1, 1, 1, 1, 1, 1, 1, 1, 1, 5, 1, 5, 2, 1, 1, 5];
    for (const weight of weights) {
      for (;;) {
        const { waitMs } = await store.take([{ key: 'k', limit: 10, windowMs: 1000, weight, burst: 1 }], 'p');
        if (waitMs === 0) break;
        now += waitMs;
      }
      starts.push({ at: now, weight });
    }
    for (const s of starts) expect(starts.filter((o) => o.at >= s.at && o.at < s.at + 1000).reduce((n, o) => n + o.weight, 0)).toBeLessThanOrEqual(10);
  });

  it('all budgets of a request or none: a full budget takes nothing from the others', async () => {
    let now = 0;
    const store = new MemoryBudgetStore(() => now);
    const general = { key: 'general', limit: 3, windowMs: 1000, weight: 1, burst: 1 };
    const search = { key: 'search', limit: 1, windowMs: 1000, weight: 1, burst: 1 };
    expect(await store.take([general, search], 'p')).toEqual({ waitMs: 0, blocked: -1 });
    expect(await store.take([general, search], 'p')).toEqual({ waitMs: 1000, blocked: 1 });
    // The refused search took no unit of the general budget: two more plain requests fit (spaced by a third of a second).
    now = 334;
    expect((await store.take([general], 'p')).waitMs).toBe(0);
    now = 668;
    expect((await store.take([general], 'p')).waitMs).toBe(0);
    expect((await store.take([general], 'p')).blocked).toBe(0);
    now = 1002;
    expect((await store.take([general, search], 'p')).waitMs).toBe(0);
  });

  it('a pause holds every request back until it ends, and a shorter one does not shorten it', async () => {
    let now = 0;
    const store = new MemoryBudgetStore(() => now);
    await store.pause('p', 500);
    await store.pause('p', 100);
    expect(await store.take([], 'p')).toEqual({ waitMs: 500, blocked: -1 });
    now = 500;
    expect((await store.take([], 'p')).waitMs).toBe(0);
  });

  it('margins: 75 ms on second-long windows, a tenth of sub-second ones, 5% of long ones up to 2 s', () => {
    expect(defaultMarginMs(1)).toBe(75);
    expect(defaultMarginMs(0.125)).toBe(12.5);
    expect(defaultMarginMs(10)).toBe(500);
    expect(defaultMarginMs(60)).toBe(2000);
  });

  it('path patterns: * is one segment, ** any number', () => {
    expect(pathPattern('/crm/v3/objects/*/search').test('/crm/v3/objects/contacts/search')).toBe(true);
    expect(pathPattern('/crm/v3/objects/*/search').test('/crm/v3/objects/a/b/search')).toBe(false);
    expect(pathPattern('/incremental/**').test('/incremental/users/cursor.json')).toBe(true);
    expect(pathPattern('/users.json').test('/usersXjson')).toBe(false);
  });
});

describe('rate limit as the API sees it', () => {
  it('one process: 20 per second, never more than 20 in any one-second window', async () => {
    api = await startMockServer(() => ({ body: { ok: true } }));
    const c = client(limitedDefinition(), { base_url: api.url });
    await hammer(c, 45, 8);
    expect(api.requests).toHaveLength(45);
    expect(maxInWindow(api.requests.map((r) => r.at), 1000)).toBeLessThanOrEqual(20);
  }, 20_000);

  it('two clients of one connection in one process share the budget', async () => {
    api = await startMockServer(() => ({ body: { ok: true } }));
    const limiters = new RateLimiters();
    const def = limitedDefinition({ requests: 10, per_seconds: 1 });
    const a = client(def, { base_url: api.url }, { rateLimiters: limiters, connectionId: 'c1' });
    const b = client(def, { base_url: api.url }, { rateLimiters: limiters, connectionId: 'c1' });
    await Promise.all([hammer(a, 12, 4), hammer(b, 12, 4)]);
    expect(maxInWindow(api.requests.map((r) => r.at), 1000)).toBeLessThanOrEqual(10);
  }, 20_000);

  it('two processes sharing Redis: never more than 20 in any one-second window', async () => {
    api = await startMockServer(() => ({ body: { ok: true } }));
    const prefix = `sbtest:rl:${process.pid}:${Date.now()}`;
    const redis = new Redis(REDIS_URL);
    const limiters = new RateLimiters({ redis, keyPrefix: prefix });
    try {
      const worker = spawn(process.execPath, [join(__dirname, '..', '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(__dirname, '..', '..', 'helpers', 'http-ratelimit-worker.ts'), api.url, REDIS_URL, prefix, '30', '6'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      worker.stdout.on('data', (d: Buffer) => (out += d.toString()));
      worker.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number>((resolve) => worker.on('exit', (code) => resolve(code ?? 1)));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker not ready: ${err}`)), 20_000);
        worker.stdout.on('data', () => {
          if (out.includes('ready')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      worker.stdin.write('go\n');
      const c = client(limitedDefinition(), { base_url: api.url }, { rateLimiters: limiters, connectionId: 'conn-shared' });
      await hammer(c, 30, 6);
      expect(await exited).toBe(0);
      expect(JSON.parse(out.trim().split('\n').at(-1)!)).toMatchObject({ requests: 30 });
      expect(api.requests).toHaveLength(60);
      expect(maxInWindow(api.requests.map((r) => r.at), 1000)).toBeLessThanOrEqual(20);
      // Both processes used the budget: together they were limited, not each on its own.
      const seconds = (api.requests.at(-1)!.at - api.requests[0]!.at) / 1000;
      expect(seconds).toBeGreaterThan(2);
    } finally {
      await limiters.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  }, 45_000);
});

describe('concurrency', () => {
  /** A server that answers after `ms` and records the most requests it held at once. */
  async function slowServer(ms: number) {
    let inFlight = 0;
    const peak = { value: 0 };
    const server = await startMockServer(async () => {
      inFlight += 1;
      peak.value = Math.max(peak.value, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight -= 1;
      return { body: { ok: true } };
    });
    return { server, peak };
  }

  it('in one process, at most `concurrency` requests in flight', async () => {
    const { server, peak } = await slowServer(30);
    api = server;
    const c = client(limitedDefinition({ concurrency: 3 }), { base_url: api.url });
    await hammer(c, 24, 12);
    expect(peak.value).toBe(3);
  });

  it('shared through Redis by limiters of two workers', async () => {
    const { server, peak } = await slowServer(30);
    api = server;
    const prefix = `sbtest:cc:${process.pid}:${Date.now()}`;
    const redis = new Redis(REDIS_URL);
    const workers = [new RateLimiters({ redis, keyPrefix: prefix }), new RateLimiters({ redis, keyPrefix: prefix })];
    try {
      const def = limitedDefinition({ concurrency: 4 });
      const clients = workers.map((rateLimiters) => client(def, { base_url: server.url }, { rateLimiters, connectionId: 'conn-cc' }));
      await Promise.all(clients.map((c) => hammer(c, 20, 8)));
      expect(peak.value).toBeLessThanOrEqual(4);
      expect(peak.value).toBeGreaterThanOrEqual(3);
      // Every unit was given back.
      expect(Number(await redis.get(`${prefix}:inflight:conn-cc`))).toBe(0);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });
});

describe('the Redis store (every worker)', () => {
  it('admits into every budget at once or none, spaces requests, and keeps pauses, on Redis time', async () => {
    const prefix = `sbtest:rls:${process.pid}:${Date.now()}`;
    const redis = new Redis(REDIS_URL);
    const limiters = new RateLimiters({ redis, keyPrefix: prefix, marginMs: 0 });
    try {
      const limiter = limiters.forConnection('c', { requests: 3, per_seconds: 1, budgets: [{ name: 'search', requests: 1, per_seconds: 1, match: [{ method: 'POST', path: '/search' }] }] });
      const search = { method: 'POST', path: '/search' };
      const first = await limiter!.acquire(search);
      expect(first.budgets).toEqual(['rate_limit', 'search']);
      first.release();
      // A plain request right after the search waits only for the general budget's spacing.
      const plainAt = Date.now();
      const plain = await limiter!.acquire({ method: 'GET', path: '/contacts' });
      plain.release();
      expect(Date.now() - plainAt).toBeLessThan(900);
      expect(plain.budgets).toEqual(['rate_limit']);
      const second = await limiter!.acquire(search);
      second.release();
      // The second search waited for the search budget (a window after the first).
      expect(Date.now() - plainAt).toBeGreaterThanOrEqual(900);
      expect([...second.waits.keys()]).toContain('search');
      await limiter!.pause(300);
      const paused = Date.now();
      const third = await limiter!.acquire({ method: 'GET', path: '/contacts' });
      expect(Date.now() - paused).toBeGreaterThanOrEqual(250);
      expect(third.budgets).toEqual(['rate_limit']);
      expect([...third.waits.keys()]).toContain('api');
    } finally {
      await limiters.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  }, 20_000);
});
