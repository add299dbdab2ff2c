import { describe, expect, it } from 'vitest';
import { FixedWindowLimiter } from './fixed-window-limiter';

/** Redis as a map, recording each key's time to live. */
class MapRedis {
  readonly values = new Map<string, number>();
  readonly ttl = new Map<string, number>();
  failing: Error | null = null;

  multi() {
    const queued: (() => [Error | null, number])[] = [];
    const chain = {
      incr: (key: string) => {
        queued.push(() => {
          this.values.set(key, (this.values.get(key) ?? 0) + 1);
          return [null, this.values.get(key)!];
        });
        return chain;
      },
      pexpire: (key: string, ms: number) => {
        queued.push(() => (this.ttl.set(key, ms), [null, 1]));
        return chain;
      },
      exec: async () => {
        if (this.failing) throw this.failing;
        return queued.map((run) => run());
      },
    };
    return chain;
  }

  async mget(...keys: string[]): Promise<(string | null)[]> {
    if (this.failing) throw this.failing;
    return keys.map((key) => (this.values.has(key) ? String(this.values.get(key)) : null));
  }
}

const WINDOW = 60_000;
const START = 1_800_000_000_000 - (1_800_000_000_000 % WINDOW);

describe('FixedWindowLimiter', () => {
  it('counts hits per name in fixed windows, limited past the limit, with the time left in the window', async () => {
    const redis = new MapRedis();
    const limiter = new FixedWindowLimiter(redis as never, 'p');
    expect(await limiter.hit('a', 2, WINDOW, START + 15_000)).toEqual({
      count: 1,
      limited: false,
      retryAfterMs: 45_000,
    });
    expect(await limiter.hit('a', 2, WINDOW, START + 20_000)).toMatchObject({ count: 2, limited: false });
    expect(await limiter.hit('a', 2, WINDOW, START + 59_999)).toEqual({ count: 3, limited: true, retryAfterMs: 1 });
    expect(await limiter.hit('b', 2, WINDOW, START + 59_999)).toMatchObject({ count: 1, limited: false });
    expect(await limiter.hit('a', 2, WINDOW, START + WINDOW)).toEqual({
      count: 1,
      limited: false,
      retryAfterMs: WINDOW,
    });
  });

  it('keeps each window under the prefix for two windows', async () => {
    const redis = new MapRedis();
    await new FixedWindowLimiter(redis as never, 'tlpb').hit('rate:ch-1', 5, WINDOW, START);
    const key = `tlpb:rate:ch-1:${START / WINDOW}`;
    expect([...redis.values.keys()]).toEqual([key]);
    expect(redis.ttl.get(key)).toBe(2 * WINDOW);
  });

  it('reads several windows and plain keys in one round trip, without counting', async () => {
    const redis = new MapRedis();
    const limiter = new FixedWindowLimiter(redis as never, 'p');
    await limiter.hit('a', 9, WINDOW, START);
    await limiter.hit('a', 9, WINDOW, START);
    redis.values.set('p:marker', 1);
    const reading = await limiter.read(['a', 'b'], WINDOW, START + 10_000, ['marker', 'absent']);
    expect(reading).toEqual({ counts: [2, 0], alongside: ['1', null], retryAfterMs: 50_000 });
    expect((await limiter.read(['a'], WINDOW, START + 10_000)).counts).toEqual([2]);
  });

  it('leaves Redis errors to the caller', async () => {
    const redis = new MapRedis();
    redis.failing = new Error('connect ECONNREFUSED');
    const limiter = new FixedWindowLimiter(redis as never, 'p');
    await expect(limiter.hit('a', 1, WINDOW)).rejects.toThrow('ECONNREFUSED');
    await expect(limiter.read(['a'], WINDOW)).rejects.toThrow('ECONNREFUSED');
  });
});
