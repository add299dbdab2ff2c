import { afterEach, describe, expect, it, vi } from 'vitest';
import { SlidingWindowLimiter } from '@tlp-broker/queue';
import { RateLimited, RateLimiter } from './rate-limiter';

// The Redis connection is made lazily, on the first command: with the counter replaced, none is.
const config = { redis: { url: 'redis://127.0.0.1:1', prefix: 't' }, rateLimit: { limit: 2, windowMs: 1_000 } };

function limiter(hit: { taken: boolean; retryAfterMs: number } | Error) {
  const spy = vi
    .spyOn(SlidingWindowLimiter.prototype, 'take')
    .mockImplementation(async () => (hit instanceof Error ? Promise.reject(hit) : hit));
  return { spy, rateLimiter: new RateLimiter(config as never) };
}

describe('RateLimiter', () => {
  afterEach(() => vi.restoreAllMocks());

  it("takes a send from the channel's window", async () => {
    const { spy, rateLimiter } = limiter({ taken: true, retryAfterMs: 0 });
    await expect(rateLimiter.acquire('ch-1')).resolves.toBeUndefined();
    expect(spy).toHaveBeenCalledWith('rate:ch-1', 2, 1_000);
    rateLimiter.onApplicationShutdown();
  });

  it('over the limit, says to wait until a slot frees, spread over one slot more', async () => {
    const { rateLimiter } = limiter({ taken: false, retryAfterMs: 400 });
    const waits: number[] = [];
    for (let i = 0; i < 50; i++) {
      const error = await rateLimiter.acquire('ch-1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimited);
      expect((error as RateLimited).message).toMatch(/^rate limit reached for this channel; next attempt in \d+ ms$/);
      waits.push((error as RateLimited).waitMs);
    }
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(400);
    expect(Math.max(...waits)).toBeLessThan(900); // 400 + at most 1000 / 2
    expect(new Set(waits).size).toBeGreaterThan(1);
    rateLimiter.onApplicationShutdown();
  });

  it('fails the attempt when Redis fails, rather than sending past the limit', async () => {
    const { rateLimiter } = limiter(new Error('connect ECONNREFUSED'));
    const error = await rateLimiter.acquire('ch-1').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(RateLimited);
    expect((error as Error).message).toBe('connect ECONNREFUSED');
    rateLimiter.onApplicationShutdown();
  });
});
