import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../../../test/support/databases';
import { redisConnection } from './queue.module';
import { deleteKeysUnder } from './redis-keys';
import { SlidingWindowLimiter } from './sliding-window-limiter';

/** The sliding window on a real Redis, on Redis's clock. */
describe('SlidingWindowLimiter on Redis', () => {
  const prefix = `tlpb-test-sliding-${randomBytes(4).toString('hex')}`;
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis({ ...redisConnection(TEST_REDIS_URL), maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    redis?.disconnect();
    await deleteKeysUnder(TEST_REDIS_URL, prefix);
  });

  it('takes at most the limit in the window, shared by every limiter, and says when the oldest slot frees', async () => {
    const first = new SlidingWindowLimiter(redis, prefix);
    const second = new SlidingWindowLimiter(redis, prefix);
    expect(await first.take('shared', 2, 60_000)).toEqual({ taken: true, retryAfterMs: 0 });
    expect(await second.take('shared', 2, 60_000)).toEqual({ taken: true, retryAfterMs: 0 });
    const refused = await first.take('shared', 2, 60_000);
    expect(refused.taken).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(59_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(await redis.zcard(`${prefix}:shared`)).toBe(2);
    expect(await redis.pttl(`${prefix}:shared`)).toBeLessThanOrEqual(60_000);
  });

  it('frees a slot once its time has left the window, never two at a window edge', async () => {
    const limiter = new SlidingWindowLimiter(redis, prefix);
    const taken: number[] = [];
    const until = Date.now() + 700;
    while (Date.now() < until) {
      const attempt = await limiter.take('edge', 2, 200);
      if (attempt.taken) taken.push(performance.now());
      else await new Promise((resolve) => setTimeout(resolve, attempt.retryAfterMs));
    }
    // Any three slots span at least the window (a fixed window lets four through across its edge).
    for (let i = 2; i < taken.length; i++) expect(taken[i] - taken[i - 2]).toBeGreaterThanOrEqual(180);
    expect(taken.length).toBeGreaterThanOrEqual(6);
  });
});
