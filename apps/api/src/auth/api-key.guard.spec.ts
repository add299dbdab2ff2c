import { HttpException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { ApiKeyGuard } from './api-key.guard';

/** The per-credential rate limit alone, with Redis replaced by a stand-in. */
describe('ApiKeyGuard rate limit', () => {
  const config = { redis: { prefix: 't' }, partnerRateLimit: { limit: 2, windowMs: 60_000 } };
  const redisAnswering = (count: number | Error) => ({
    multi: () => {
      const chain = {
        incr: () => chain,
        pexpire: () => chain,
        exec: async () =>
          count instanceof Error
            ? Promise.reject(count)
            : [
                [null, count],
                [null, 1],
              ],
      };
      return chain;
    },
  });
  const guard = (redis: unknown) =>
    new ApiKeyGuard(
      config as never,
      redis as never,
      null as never,
      null as never,
      null as never,
      null as never,
      null as never,
      null as never,
      null as never,
    );
  const throttle = (g: ApiKeyGuard, headers: Record<string, string>) =>
    (
      g as unknown as {
        throttle(id: string, response: { setHeader(name: string, value: string): void }): Promise<void>;
      }
    ).throttle('key-1', {
      setHeader: (name, value) => (headers[name] = value),
    });

  it('lets a request through within the limit', async () => {
    await expect(throttle(guard(redisAnswering(2)), {})).resolves.toBeUndefined();
  });

  it('answers 429 with Retry-After over the limit', async () => {
    const headers: Record<string, string> = {};
    const error = await throttle(guard(redisAnswering(3)), headers).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpException);
    expect((error as HttpException).getStatus()).toBe(429);
    expect(Number(headers['Retry-After'])).toBeGreaterThan(0);
  });

  it('lets partners pull when Redis cannot be reached: only the limit lapses', async () => {
    await expect(throttle(guard(redisAnswering(new Error('connect ECONNREFUSED'))), {})).resolves.toBeUndefined();
  });
});
