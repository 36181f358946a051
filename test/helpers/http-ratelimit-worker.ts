// A second process for the shared rate limit test: sends requests to a mock API through a
// client limited by Redis, after the parent writes "go". Usage:
//   tsx http-ratelimit-worker.ts <mock url> <redis url> <key prefix> <requests> <parallel>
import Redis from 'ioredis';
import { ConnectorClient } from '../../core/http';
import { RateLimiters } from '../../core/ratelimit';
import { limitedDefinition } from './http-ratelimit';

async function main(): Promise<void> {
  const [url, redisUrl, prefix, count, parallel] = process.argv.slice(2);
  if (url === undefined || redisUrl === undefined || prefix === undefined) throw new Error('usage: <mock url> <redis url> <key prefix> <requests> <parallel>');
  const redis = new Redis(redisUrl);
  const limiters = new RateLimiters({ redis, keyPrefix: prefix });
  const client = new ConnectorClient({ connector: limitedDefinition(), config: { base_url: url }, connectionId: 'conn-shared', rateLimiters: limiters });
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  let left = Number(count);
  const lane = async (): Promise<void> => {
    while (left > 0) {
      left -= 1;
      await client.send(client.connector.check!, client.context());
    }
  };
  await Promise.all(Array.from({ length: Number(parallel) }, lane));
  await limiters.close();
  await redis.quit();
  process.stdout.write(`${JSON.stringify(client.stats)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  },
);
