import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** One attempt to take a slot: taken, or the time until the oldest slot in the window frees. */
export interface SlotTaking {
  readonly taken: boolean;
  /** Milliseconds until a slot frees (0 when taken). */
  readonly retryAfterMs: number;
}

/** The Redis commands the limiter uses (a stand-in in unit tests). */
export type SlidingLimiterRedis = Pick<Redis, 'eval'>;

/**
 * Keeps a sorted set of the times slots were taken, on Redis's own clock (so processes on several
 * machines agree): times older than the window are dropped, and a slot is taken only while fewer
 * than `limit` remain. Atomic, as one script.
 */
const TAKE_SLOT = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

/**
 * A sliding-window limit in Redis, shared by every process on the same Redis and prefix: in any
 * span of `windowMs`, at most `limit` slots are taken — at a window's edge too, where a fixed
 * window would let twice the limit through. Redis errors reach the caller.
 */
export class SlidingWindowLimiter {
  constructor(
    private readonly redis: SlidingLimiterRedis,
    private readonly prefix: string,
  ) {}

  async take(name: string, limit: number, windowMs: number): Promise<SlotTaking> {
    const member = randomBytes(8).toString('hex');
    const wait = Number(await this.redis.eval(TAKE_SLOT, 1, `${this.prefix}:${name}`, windowMs, limit, member));
    return { taken: wait === 0, retryAfterMs: wait };
  }
}
