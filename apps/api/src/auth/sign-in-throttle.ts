import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { FixedWindowLimiter } from '@tlp-broker/queue';
import { ApiRedis } from '../redis/api-redis';
import { RedisLapses } from './redis-lapses';
import { sourceOf, withinRedisWait } from './auth-failure-throttle';

/** Who is trying to sign in: the name given, and the source address. */
export interface SignInAttempt {
  readonly name: string;
  readonly address: string;
}

/**
 * Failed sign-ins, counted in fixed windows of 15 minutes in Redis, shared by every API process:
 * per name from one source address (an IPv6 /64), per source address, and per name from anywhere
 * with ten times the room. Over SIGN_IN_FAILURE_LIMIT, sign-in is answered 429 before any password
 * is checked, so guessing is slow whichever an attacker varies, while someone failing against a
 * member's name from elsewhere does not lock the member out of their own desk (that takes ten
 * times as many failures, from many addresses). Names are counted by digest (Redis never holds
 * them). If Redis cannot be reached the limit lapses, with a warning, rather than sign-in.
 */
@Injectable()
export class SignInThrottle {
  private readonly logger = new Logger('SignInThrottle');
  private readonly lapses: RedisLapses;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    redis: ApiRedis,
    private readonly windows: FixedWindowLimiter,
  ) {
    this.lapses = new RedisLapses(redis, this.logger, 'failed sign-ins');
  }

  /** Seconds until `attempt` may be made, or null when it may be made now. */
  async retryAfter(attempt: SignInAttempt, now = Date.now()): Promise<number | null> {
    const { limit, windowMs } = this.config.signInFailureLimit;
    if (!this.lapses.ready()) return null;
    try {
      const limits = counters(attempt, limit);
      const reading = await withinRedisWait(
        this.windows.read(
          limits.map((counter) => counter.key),
          windowMs,
          now,
        ),
      );
      if (!reading.counts.some((count, i) => count >= limits[i].limit)) return null;
      return Math.max(1, Math.ceil(reading.retryAfterMs / 1000));
    } catch (error) {
      this.lapses.unavailable(error);
      return null;
    }
  }

  /** Counts a failed sign-in against the name and the address; says so in the log when either reaches the limit. */
  async failed(attempt: SignInAttempt, now = Date.now()): Promise<void> {
    const { limit, windowMs } = this.config.signInFailureLimit;
    if (!this.lapses.ready()) return;
    try {
      const limits = counters(attempt, limit);
      const hits = await Promise.all(
        limits.map((counter) => withinRedisWait(this.windows.hit(counter.key, counter.limit, windowMs, now))),
      );
      if (hits.some((hit, i) => hit.count === limits[i].limit))
        this.logger.warn(
          `sign-in failed ${limit} times in ${windowMs / 60_000} min for a name or from ${sourceOf(attempt.address)}: further attempts are answered 429 until the window ends`,
        );
    } catch (error) {
      this.lapses.unavailable(error);
    }
  }
}

/** How many failures of one kind sign-in takes in a window. */
interface Counter {
  readonly key: string;
  readonly limit: number;
}

/** The counters a failed sign-in goes to: the name (by digest, in any case) from the source, the source, the name. */
function counters(attempt: SignInAttempt, limit: number): Counter[] {
  const name = createHash('sha256').update(attempt.name.trim().toLowerCase(), 'utf8').digest('hex');
  const source = sourceOf(attempt.address);
  return [
    { key: `sign-in-fail:name-addr:${name}:${source}`, limit },
    { key: `sign-in-fail:addr:${source}`, limit },
    { key: `sign-in-fail:name:${name}`, limit: limit * NAME_FROM_ANYWHERE_FACTOR },
  ];
}

/** A name's failures from every address together may reach this many times the limit. */
const NAME_FROM_ANYWHERE_FACTOR = 10;
