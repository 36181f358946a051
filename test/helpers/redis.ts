// The shared test Redis: removing what a suite wrote under its own key prefixes.
import Redis from 'ioredis';
import { REDIS_URL } from './wait';

export async function deleteRedisKeys(prefixes: readonly string[]): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
}
