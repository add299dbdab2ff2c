import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../../../test/support/databases';
import { FixedWindowLimiter } from './fixed-window-limiter';
import { redisConnection } from './queue.module';
import { deleteKeysUnder } from './redis-keys';

/** The limiter on a real Redis: what MULTI, INCR, PEXPIRE and MGET really answer. */
describe('FixedWindowLimiter on Redis', () => {
  const prefix = `tlpb-test-limiter-${randomBytes(4).toString('hex')}`;
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis({ ...redisConnection(TEST_REDIS_URL), maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    redis?.disconnect();
    await deleteKeysUnder(TEST_REDIS_URL, prefix);
  });

  it('counts hits shared by every limiter on the same prefix, and expires the window after two', async () => {
    const windowMs = 60_000;
    const now = Date.now();
    const first = new FixedWindowLimiter(redis, prefix);
    const second = new FixedWindowLimiter(redis, prefix);
    expect(await first.hit('shared', 2, windowMs, now)).toMatchObject({ count: 1, limited: false });
    expect(await second.hit('shared', 2, windowMs, now)).toMatchObject({ count: 2, limited: false });
    const over = await first.hit('shared', 2, windowMs, now);
    expect(over).toMatchObject({ count: 3, limited: true });
    expect(over.retryAfterMs).toBeGreaterThan(0);
    expect(over.retryAfterMs).toBeLessThanOrEqual(windowMs);
    const key = `${prefix}:shared:${Math.floor(now / windowMs)}`;
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(windowMs);
    expect(ttl).toBeLessThanOrEqual(2 * windowMs);
  });

  it('reads counts and plain keys without counting', async () => {
    const limiter = new FixedWindowLimiter(redis, prefix);
    const now = Date.now();
    await limiter.hit('read', 5, 60_000, now);
    await redis.set(`${prefix}:flag`, '1');
    const reading = await limiter.read(['read', 'never'], 60_000, now, ['flag', 'unset']);
    expect(reading.counts).toEqual([1, 0]);
    expect(reading.alongside).toEqual(['1', null]);
    expect((await limiter.read(['read'], 60_000, now)).counts).toEqual([1]);
  });

  it('starts afresh in the next window', async () => {
    const limiter = new FixedWindowLimiter(redis, prefix);
    const windowMs = 1_000;
    const now = Date.now();
    await limiter.hit('short', 1, windowMs, now);
    expect((await limiter.hit('short', 1, windowMs, now)).limited).toBe(true);
    expect((await limiter.hit('short', 1, windowMs, now + windowMs)).limited).toBe(false);
  });
});
