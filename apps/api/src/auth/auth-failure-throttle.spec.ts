import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FixedWindowLimiter } from '@tlp-broker/queue';
import { AuthFailureThrottle, isApiKeyShaped, sourceOf } from './auth-failure-throttle';

/** Redis replaced by a map with the commands the throttle uses; `down` makes every command fail. */
class FakeRedis {
  readonly values = new Map<string, string>();
  readonly commands: string[] = [];
  status = 'ready';
  down = false;

  async mget(...keys: string[]): Promise<(string | null)[]> {
    this.commands.push('mget');
    if (this.down) throw new Error('connect ECONNREFUSED');
    return keys.map((key) => this.values.get(key) ?? null);
  }

  async set(key: string, value: string): Promise<'OK'> {
    this.commands.push('set');
    if (this.down) throw new Error('connect ECONNREFUSED');
    this.values.set(key, value);
    return 'OK';
  }

  multi() {
    const queued: (() => [null, number])[] = [];
    const chain = {
      incr: (key: string) => {
        queued.push(() => {
          const next = Number(this.values.get(key) ?? 0) + 1;
          this.values.set(key, String(next));
          return [null, next];
        });
        return chain;
      },
      pexpire: () => {
        queued.push(() => [null, 1]);
        return chain;
      },
      exec: async () => {
        this.commands.push('multi');
        if (this.down) throw new Error('connect ECONNREFUSED');
        return queued.map((run) => run());
      },
    };
    return chain;
  }
}

const KEY = `tlpb_p_${'A'.repeat(43)}`;
const OTHER_KEY_SAME_PREFIX = `tlpb_p_AAAAA${'B'.repeat(38)}`;
const NOW = 1_800_000_000_000;

function throttle(limit = 3, redis = new FakeRedis()) {
  const config = { redis: { prefix: 't' }, authFailureLimit: { limit, windowMs: 60_000 } };
  return {
    redis,
    throttle: new AuthFailureThrottle(config as never, redis as never, new FixedWindowLimiter(redis as never, 't')),
  };
}

describe('AuthFailureThrottle', () => {
  it('lets a source fail up to the limit, then answers with the seconds left in the window', async () => {
    const { throttle: t } = throttle(3);
    const attempt = { address: '198.51.100.7', token: 'tlpb_p_wrong' };
    for (let i = 0; i < 3; i++) {
      expect((await t.check(attempt, NOW)).retryAfter).toBeNull();
      await t.failed(attempt, NOW);
    }
    const { retryAfter } = await t.check(attempt, NOW);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another source is not affected, and the next window starts afresh.
    expect((await t.check({ ...attempt, address: '198.51.100.8' }, NOW)).retryAfter).toBeNull();
    expect((await t.check(attempt, NOW + 60_000)).retryAfter).toBeNull();
  });

  it('counts per key prefix across source addresses', async () => {
    const { throttle: t } = throttle(2);
    await t.failed({ address: '198.51.100.1', token: KEY }, NOW);
    await t.failed({ address: '198.51.100.2', token: OTHER_KEY_SAME_PREFIX }, NOW);
    expect((await t.check({ address: '198.51.100.3', token: OTHER_KEY_SAME_PREFIX }, NOW)).retryAfter).toBeGreaterThan(
      0,
    );
    expect(
      (await t.check({ address: '198.51.100.3', token: `tlpb_p_ZZZZZ${'B'.repeat(38)}` }, NOW)).retryAfter,
    ).toBeNull();
  });

  it('lets a credential that authenticated before through a throttled source', async () => {
    const { throttle: t, redis } = throttle(1);
    const good = { address: '198.51.100.9', token: KEY };
    const first = await t.check(good, NOW);
    expect(first).toEqual({ retryAfter: null, knownGood: false });
    t.succeeded(good, first.knownGood);
    await new Promise((resolve) => setImmediate(resolve));
    await t.failed({ address: '198.51.100.9', token: OTHER_KEY_SAME_PREFIX }, NOW);
    expect((await t.check({ address: '198.51.100.9', token: OTHER_KEY_SAME_PREFIX }, NOW)).retryAfter).toBeGreaterThan(
      0,
    );
    expect(await t.check(good, NOW)).toEqual({ retryAfter: null, knownGood: true });
    // The marker is not the stored hash of the key: Redis never holds what the database looks keys up by.
    expect([...redis.values.keys()].join(' ')).not.toContain(createHash('sha256').update(KEY).digest('hex'));
  });

  it('costs a successful request one Redis read, and a write only the first time', async () => {
    const { throttle: t, redis } = throttle(3);
    const good = { address: '198.51.100.9', token: KEY };
    for (let i = 0; i < 3; i++) t.succeeded(good, (await t.check(good, NOW)).knownGood);
    await new Promise((resolve) => setImmediate(resolve));
    expect(redis.commands).toEqual(['mget', 'set', 'mget', 'mget']);
  });

  it('fails open when Redis cannot be reached, does not answer, or is not connected', async () => {
    const down = new FakeRedis();
    down.down = true;
    const { throttle: t } = throttle(1, down);
    const attempt = { address: '198.51.100.7', token: KEY };
    await expect(t.failed(attempt, NOW)).resolves.toBeUndefined();
    expect((await t.check(attempt, NOW)).retryAfter).toBeNull();
    const silent = new FakeRedis();
    silent.mget = () => new Promise(() => undefined);
    const started = Date.now();
    expect((await throttle(1, silent).throttle.check(attempt, NOW)).retryAfter).toBeNull();
    expect(Date.now() - started).toBeLessThan(1_000);
    const connecting = new FakeRedis();
    connecting.status = 'reconnecting';
    const { throttle: u } = throttle(1, connecting);
    expect((await u.check(attempt, NOW)).retryAfter).toBeNull();
    expect(connecting.commands).toEqual([]);
  });
});

describe('sourceOf', () => {
  it('counts IPv4 by address, IPv4-mapped IPv6 as IPv4, and IPv6 by /64', () => {
    expect(sourceOf('198.51.100.7')).toBe('198.51.100.7');
    expect(sourceOf('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(sourceOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceOf('::1')).toBe('0:0:0:0::/64');
  });
});

describe('isApiKeyShaped', () => {
  it('knows the shape of the keys the broker issues', () => {
    expect(isApiKeyShaped(KEY)).toBe(true);
    expect(isApiKeyShaped('tlpb_s_' + 'x'.repeat(43))).toBe(true);
    expect(isApiKeyShaped('tlpb_p_not-a-real-key')).toBe(false);
    expect(isApiKeyShaped('password123')).toBe(false);
  });
});
