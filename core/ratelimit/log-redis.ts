// The budgets of window.ts in Redis, shared by every worker: one Lua script admits a request into
// all of its budgets at once (or into none), on Redis's clock, so workers on different machines
// agree on every window whatever their own clocks say.
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { BudgetStore, BudgetTake, TakeResult } from './window';

/**
 * KEYS[1]: the connection's pause key (epoch ms on Redis's clock); then three keys per budget:
 * its log (a sorted set of `weight:id` members scored by start time), the log's running total,
 * and when its next unit is due at an even pace (spacing).
 * ARGV[1]: a member id unique to this request; then limit, window (ms), weight and burst per budget.
 * Returns {0, 0} when admitted, else {ms to wait, 1-based index of the full budget} ({ms, 0}
 * for a pause).
 */
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
if paused > now then return {paused - now, 0} end
local n = (#KEYS - 1) / 3
local worst, worstAt = 0, 0
for i = 1, n do
  local log, total = KEYS[3 * i - 1], KEYS[3 * i]
  local limit, window, weight, burst = tonumber(ARGV[4 * i - 2]), tonumber(ARGV[4 * i - 1]), tonumber(ARGV[4 * i]), tonumber(ARGV[4 * i + 1])
  local sum = tonumber(redis.call('GET', total) or '-1')
  if sum < 0 then
    sum = 0
    for _, m in ipairs(redis.call('ZRANGE', log, 0, -1)) do sum = sum + tonumber(string.match(m, '^(%d+):')) end
  end
  local gone = redis.call('ZRANGEBYSCORE', log, '-inf', now - window)
  if #gone > 0 then
    for _, m in ipairs(gone) do sum = sum - tonumber(string.match(m, '^(%d+):')) end
    redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
    if sum < 0 then sum = 0 end
    redis.call('SET', total, sum, 'PX', math.ceil(window) + 1000)
  end
  local leaves = math.max(tonumber(redis.call('GET', KEYS[3 * i + 1]) or '0'), now) - (math.max(burst, weight) - weight) * window / limit
  if sum + weight > limit then
    local need = sum + weight - limit
    local entries = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
    local freed = 0
    for j = 1, #entries, 2 do
      freed = freed + tonumber(string.match(entries[j], '^(%d+):'))
      if freed >= need then
        leaves = math.max(leaves, tonumber(entries[j + 1]) + window)
        break
      end
    end
  end
  if leaves > now then
    local wait = math.ceil(leaves - now)
    if wait > worst then
      worst = wait
      worstAt = i
    end
  end
end
if worst > 0 then return {worst, worstAt} end
for i = 1, n do
  local log, total = KEYS[3 * i - 1], KEYS[3 * i]
  local limit, window, weight = tonumber(ARGV[4 * i - 2]), tonumber(ARGV[4 * i - 1]), tonumber(ARGV[4 * i])
  local ttl = math.ceil(window) + 1000
  local due = math.max(tonumber(redis.call('GET', KEYS[3 * i + 1]) or '0'), now)
  redis.call('ZADD', log, now, weight .. ':' .. ARGV[1])
  redis.call('INCRBY', total, weight)
  redis.call('PEXPIRE', log, ttl)
  redis.call('PEXPIRE', total, ttl)
  redis.call('SET', KEYS[3 * i + 1], tostring(due + weight * window / limit), 'PX', ttl)
end
return {0, 0}`;

/** KEYS[1]: the pause key; ARGV[1]: ms from now. Keeps the later of the two pauses. */
const PAUSE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
if untilMs > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]) + 1000)
end
return 0`;

type Scripted = Redis & {
  sbTakeBudgets(...args: (string | number)[]): Promise<[number, number]>;
  sbPauseBudgets(key: string, ms: number): Promise<number>;
};

export class RedisBudgetStore implements BudgetStore {
  private readonly redis: Scripted;
  private readonly process = randomBytes(6).toString('hex');
  private sequence = 0;

  constructor(redis: Redis) {
    redis.defineCommand('sbTakeBudgets', { lua: TAKE_SCRIPT });
    redis.defineCommand('sbPauseBudgets', { lua: PAUSE_SCRIPT, numberOfKeys: 1 });
    this.redis = redis as Scripted;
  }

  async take(takes: readonly BudgetTake[], pauseKey: string): Promise<TakeResult> {
    const keys = [pauseKey, ...takes.flatMap((t) => [t.key, `${t.key}:sum`, `${t.key}:next`])];
    const args = [`${this.process}.${(this.sequence += 1)}`, ...takes.flatMap((t) => [t.limit, t.windowMs, t.weight, t.burst])];
    const [waitMs, index] = await this.redis.sbTakeBudgets(keys.length, ...keys, ...args);
    return { waitMs: Number(waitMs), blocked: Number(index) - 1 };
  }

  async pause(pauseKey: string, ms: number): Promise<void> {
    await this.redis.sbPauseBudgets(pauseKey, Math.ceil(ms));
  }
}
