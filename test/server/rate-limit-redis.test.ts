// Rate limits with Redis: shared by every server process while Redis answers, and counted in
// each process when it does not. Regression: with Redis unreachable, 40 wrong client secrets to
// POST /oauth/token all got 401 and none 429 (the limit failed open). Redis is made unreachable
// without touching the shared server: a closed port, or a local TCP relay that is cut.
import { randomBytes } from 'node:crypto';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { deleteRedisKeys } from '../helpers/redis';
import { REDIS_URL, waitFor } from '../helpers/wait';
import { createTestServer, type TestServer } from './helpers';

const TOKEN_LIMIT = 10;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP relay to the real Redis that can be cut: every connection through it dies at once. */
async function relay(): Promise<{ url: string; cut(): Promise<void> }> {
  const target = new URL(REDIS_URL);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    async cut() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

const wrongSecret = (s: TestServer, clientId: string) => s.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: 'guess' } });

describe('rate limits when Redis is unreachable (sqlite)', () => {
  it('brute force on POST /oauth/token still gets 429s: the limit is counted in the process', async () => {
    const s = await createTestServer('sqlite', { redisUrl: `redis://127.0.0.1:${await closedPort()}`, tokenRequestsPerMinute: TOKEN_LIMIT });
    try {
      const { clientId } = await s.client(['crm:read']);
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await wrongSecret(s, clientId)).statusCode);
      expect(statuses.slice(0, TOKEN_LIMIT)).toEqual(Array(TOKEN_LIMIT).fill(401));
      expect(statuses.slice(TOKEN_LIMIT)).toEqual(Array(40 - TOKEN_LIMIT).fill(429));
      const limited = await wrongSecret(s, clientId);
      expect(limited.json()).toMatchObject({ statusCode: 429, code: 'SB_RATE_LIMITED' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(s.logs()).toContain('Redis is unreachable: rate limits are counted in this process');
    } finally {
      await s.close();
    }
  });

  it('keeps limiting per client on the other routes too', async () => {
    const s = await createTestServer('sqlite', { redisUrl: `redis://127.0.0.1:${await closedPort()}`, rateLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      const token = await s.token(['crm:read']);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await s.call(token, { method: 'GET', url: '/crm/contacts' })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await s.close();
    }
  });

  it('goes on limiting when Redis goes away after answering', async () => {
    const cut = await relay();
    const prefix = `sbtest:${randomBytes(4).toString('hex')}:api-rate:`;
    const s = await createTestServer('sqlite', { redisUrl: cut.url, rateLimitPrefix: prefix, tokenRequestsPerMinute: TOKEN_LIMIT });
    try {
      const { clientId } = await s.client(['crm:read']);
      for (let i = 0; i < 3; i++) expect((await wrongSecret(s, clientId)).statusCode).toBe(401);
      await cut.cut();
      // Counted afresh in the process from here on: the first TOKEN_LIMIT pass, then 429s.
      const statuses: number[] = [];
      for (let i = 0; i < TOKEN_LIMIT + 5; i++) statuses.push((await wrongSecret(s, clientId)).statusCode);
      expect(statuses.filter((c) => c === 429).length).toBeGreaterThanOrEqual(5);
      expect(statuses.slice(-5)).toEqual([429, 429, 429, 429, 429]);
    } finally {
      await s.close();
      await deleteRedisKeys([prefix]);
    }
  });
});

describe('rate limits with Redis up (sqlite)', () => {
  it('share one limit across two app instances', async () => {
    const prefix = `sbtest:${randomBytes(4).toString('hex')}:api-rate:`;
    const options = { redisUrl: REDIS_URL, rateLimitPrefix: prefix, tokenRequestsPerMinute: TOKEN_LIMIT };
    const a = await createTestServer('sqlite', options);
    const b = await a.twin(options);
    try {
      const { clientId } = await a.client(['crm:read']);
      const statuses: number[] = [];
      for (let i = 0; i < 2 * TOKEN_LIMIT; i++) statuses.push((await wrongSecret(i % 2 === 0 ? a : b, clientId)).statusCode);
      // One budget for both: TOKEN_LIMIT answers in all, not TOKEN_LIMIT each.
      expect(statuses.slice(0, TOKEN_LIMIT)).toEqual(Array(TOKEN_LIMIT).fill(401));
      expect(statuses.slice(TOKEN_LIMIT)).toEqual(Array(TOKEN_LIMIT).fill(429));
      const redis = new Redis(REDIS_URL);
      try {
        expect(await waitFor('the shared counter', async () => (await redis.keys(`${prefix}*`)).length > 0)).toBe(true);
      } finally {
        redis.disconnect();
      }
    } finally {
      await b.close();
      await a.close();
      await deleteRedisKeys([prefix]);
    }
  });
});
