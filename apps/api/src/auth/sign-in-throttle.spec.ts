import { describe, expect, it } from 'vitest';
import { FixedWindowLimiter } from '@tlp-broker/queue';
import { SignInThrottle } from './sign-in-throttle';

/** Redis as a map, with the commands the limiter sends; `down` makes every command fail. */
class FakeRedis {
  readonly values = new Map<string, string>();
  status = 'ready';
  down = false;

  async mget(...keys: string[]): Promise<(string | null)[]> {
    if (this.down) throw new Error('connect ECONNREFUSED');
    return keys.map((key) => this.values.get(key) ?? null);
  }

  multi() {
    let key = '';
    const chain = {
      incr: (name: string) => ((key = name), chain),
      pexpire: () => chain,
      exec: async () => {
        if (this.down) throw new Error('connect ECONNREFUSED');
        const next = Number(this.values.get(key) ?? 0) + 1;
        this.values.set(key, String(next));
        return [
          [null, next],
          [null, 1],
        ];
      },
    };
    return chain;
  }
}

const WINDOW = 15 * 60_000;
const NOW = 1_800_000_000_000 - (1_800_000_000_000 % WINDOW) + 60_000;

function throttle(limit = 3, redis = new FakeRedis()) {
  const config = { redis: { prefix: 't' }, signInFailureLimit: { limit, windowMs: WINDOW } };
  return new SignInThrottle(config as never, redis as never, new FixedWindowLimiter(redis as never, 't'));
}

describe('SignInThrottle', () => {
  it('lets a name fail up to the limit from one address, then answers with the seconds left in the 15-minute window', async () => {
    const t = throttle(3);
    for (let i = 0; i < 3; i++) {
      const attempt = { name: 'alice', address: '198.51.100.7' };
      expect(await t.retryAfter(attempt, NOW)).toBeNull();
      await t.failed(attempt, NOW);
    }
    expect(await t.retryAfter({ name: ' ALICE ', address: '198.51.100.7' }, NOW)).toBe(14 * 60);
    expect(await t.retryAfter({ name: 'alice', address: '198.51.100.7' }, NOW + 14 * 60_000)).toBeNull();
  });

  it('does not lock a member out from their own desk for failures against their name from elsewhere, up to ten times the limit', async () => {
    const t = throttle(3);
    for (let i = 0; i < 29; i++) await t.failed({ name: 'alice', address: `198.51.100.${i}` }, NOW);
    expect(await t.retryAfter({ name: 'alice', address: '203.0.113.9' }, NOW)).toBeNull();
    await t.failed({ name: 'alice', address: '198.51.100.99' }, NOW);
    expect(await t.retryAfter({ name: 'alice', address: '203.0.113.9' }, NOW)).toBe(14 * 60);
    expect(await t.retryAfter({ name: 'bob', address: '203.0.113.9' }, NOW)).toBeNull();
  });

  it('counts an address across names, an IPv6 address by its /64', async () => {
    const t = throttle(2);
    await t.failed({ name: 'alice', address: '2001:db8:1:2::a' }, NOW);
    await t.failed({ name: 'bob', address: '2001:db8:1:2::b' }, NOW);
    expect(await t.retryAfter({ name: 'carol', address: '2001:db8:1:2:ffff::1' }, NOW)).toBeGreaterThan(0);
    expect(await t.retryAfter({ name: 'carol', address: '2001:db8:1:3::1' }, NOW)).toBeNull();
  });

  it('keeps names out of Redis (counted by digest)', async () => {
    const redis = new FakeRedis();
    await throttle(3, redis).failed({ name: 'alice', address: '198.51.100.7' }, NOW);
    expect([...redis.values.keys()].join(' ')).not.toContain('alice');
    expect(redis.values.size).toBe(3);
  });

  it('lets sign-in go on when Redis cannot be reached or is not connected: only the limit lapses', async () => {
    const redis = new FakeRedis();
    redis.down = true;
    const t = throttle(1, redis);
    await expect(t.failed({ name: 'alice', address: '198.51.100.7' }, NOW)).resolves.toBeUndefined();
    expect(await t.retryAfter({ name: 'alice', address: '198.51.100.7' }, NOW)).toBeNull();
    redis.down = false;
    redis.status = 'reconnecting';
    expect(await t.retryAfter({ name: 'alice', address: '198.51.100.7' }, NOW)).toBeNull();
  });
});
