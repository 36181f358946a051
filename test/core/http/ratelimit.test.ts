// The per-connection rate limit: never more than `requests` in any window of `per_seconds` as
// the API sees it (sliding check over the server's timestamps), in one process and across two
// processes sharing Redis; `concurrency` bounds requests in flight.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { planSlots, RateLimiters, slotAt } from '../../../core/ratelimit';
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

describe('slot plans', () => {
  const placements: Record<string, (start: number, end: number) => number> = {
    'first instant': (start) => start,
    'last instant': (_start, end) => end - 0.001,
    random: (start, end) => start + Math.random() * (end - start - 0.001),
  };
  it.each([
    [1, 1],
    [2, 1],
    [5, 2],
    [20, 1],
    [100, 10],
    [1000, 1],
  ])('%i per %is: no window ever holds more, wherever in their slots requests are admitted', (requests, perSeconds) => {
    const plan = planSlots(requests, perSeconds, 0);
    for (const place of Object.values(placements)) {
      const admitted: number[] = [];
      for (let slot = 0; slot * plan.slotMs < plan.windowMs * 10; slot++) {
        const start = slot * plan.slotMs;
        if (!slotAt(plan, start + plan.slotMs / 2).usable) continue;
        for (let i = 0; i < plan.perSlot; i++) admitted.push(place(start, start + plan.slotMs));
      }
      expect(maxInWindow(admitted, perSeconds * 1000)).toBeLessThanOrEqual(requests);
      // Most of the budget is usable: all but `perSlot` per window (half of it for one request).
      expect(admitted.length / 10).toBeGreaterThanOrEqual(requests === 1 ? 0.5 : requests - plan.perSlot - 1);
    }
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
