import type { Redis } from 'ioredis';

/** One hit counted in a window. */
export interface WindowHit {
  /** Hits in the current window, this one included. */
  readonly count: number;
  /** `count` went over the limit: the caller refuses or delays the work. */
  readonly limited: boolean;
  /** Milliseconds until the current window ends and counting starts afresh. */
  readonly retryAfterMs: number;
}

/** The current windows of several counters, read without counting a hit. */
export interface WindowReading {
  readonly counts: number[];
  /** The plain keys asked for alongside, read in the same round trip (null: not set). */
  readonly alongside: (string | null)[];
  readonly retryAfterMs: number;
}

/** The Redis commands the limiter uses (a stand-in in unit tests). */
export type LimiterRedis = Pick<Redis, 'multi' | 'mget'>;

/**
 * Fixed-window counters in Redis, shared by every process on the same Redis and prefix: one key
 * per name and window (`<prefix>:<name>:<window number>`), kept for two windows. Redis errors
 * reach the caller, which decides whether its limit lapses (fails open) or its work waits.
 */
export class FixedWindowLimiter {
  constructor(
    private readonly redis: LimiterRedis,
    private readonly prefix: string,
  ) {}

  /** Counts one hit for `name` in the current window of `windowMs`; over `limit`, `limited` is set. */
  async hit(name: string, limit: number, windowMs: number, now = Date.now()): Promise<WindowHit> {
    const window = Math.floor(now / windowMs);
    const key = this.windowKey(name, window);
    const results = await this.redis
      .multi()
      .incr(key)
      .pexpire(key, windowMs * 2)
      .exec();
    const [error, count] = results?.[0] ?? [new Error('the Redis transaction was discarded'), null];
    if (error) throw error;
    return { count: Number(count), limited: Number(count) > limit, retryAfterMs: (window + 1) * windowMs - now };
  }

  /**
   * The counts of `names` in the current window, and the plain keys `alongside` (under the same
   * prefix, no window), in one round trip.
   */
  async read(
    names: readonly string[],
    windowMs: number,
    now = Date.now(),
    alongside: readonly string[] = [],
  ): Promise<WindowReading> {
    const window = Math.floor(now / windowMs);
    const values = await this.redis.mget(
      ...names.map((name) => this.windowKey(name, window)),
      ...alongside.map((name) => `${this.prefix}:${name}`),
    );
    return {
      counts: values.slice(0, names.length).map((value) => Number(value ?? 0)),
      alongside: values.slice(names.length),
      retryAfterMs: (window + 1) * windowMs - now,
    };
  }

  private windowKey(name: string, window: number): string {
    return `${this.prefix}:${name}:${window}`;
  }
}
