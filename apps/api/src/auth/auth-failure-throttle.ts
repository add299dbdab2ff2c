import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { FixedWindowLimiter, WindowReading } from '@tlp-broker/queue';
import { ApiRedis } from '../redis/api-redis';
import { RedisLapses } from './redis-lapses';

/** Who is trying: the source address, and the bearer token presented (when one was). */
export interface AuthAttempt {
  readonly address: string;
  readonly token: string | null;
}

/** How long a known-good credential is let through a throttled source (a shared NAT, a targeted prefix). */
const KNOWN_GOOD_MS = 24 * 60 * 60 * 1000;
/** The prefix API keys are shown and stored by (`tlpb_p_` and five characters; see newApiKey). */
const PREFIX_LENGTH = 12;
/** A Redis that accepts connections but does not answer must not hold every request up either. */
const REDIS_WAIT_MS = 250;

/**
 * Failed authentications, counted per source address and per API-key prefix in fixed windows in
 * Redis (shared by every API process). Over the limit, a source is answered 429 before its
 * credential is looked up: guessing costs the database nothing. A credential that has
 * authenticated before is still let through a throttled source, so that neither a neighbour behind
 * the same address nor someone sending wrong keys with a victim's (visible) prefix locks its
 * owner out; its marker is a digest of the key, not the stored hash. If Redis cannot be reached
 * the limit lapses, with a warning, rather than the API.
 */
@Injectable()
export class AuthFailureThrottle {
  private readonly logger = new Logger('AuthFailureThrottle');
  private readonly lapses: RedisLapses;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly redis: ApiRedis,
    private readonly windows: FixedWindowLimiter,
  ) {
    this.lapses = new RedisLapses(redis, this.logger, 'failed authentications');
  }

  /**
   * `retryAfter`: seconds until the source may try again, or null when it may try now; `knownGood`:
   * the credential presented has authenticated before. One Redis round trip.
   */
  async check(attempt: AuthAttempt, now = Date.now()): Promise<{ retryAfter: number | null; knownGood: boolean }> {
    const { limit, windowMs } = this.config.authFailureLimit;
    const names = this.names(attempt);
    const open = { retryAfter: null, knownGood: true };
    if (!this.lapses.ready()) return open;
    let reading: WindowReading;
    try {
      const marker = names.knownGood === null ? [] : [names.knownGood];
      reading = await withinRedisWait(this.windows.read(names.counted, windowMs, now, marker));
    } catch (error) {
      this.lapses.unavailable(error);
      return open;
    }
    const knownGood = names.knownGood !== null && reading.alongside[0] !== null;
    const over = reading.counts.some((count) => count >= limit);
    return { retryAfter: over && !knownGood ? Math.max(1, Math.ceil(reading.retryAfterMs / 1000)) : null, knownGood };
  }

  /** Counts a failure against the source address and the key prefix; a log line for each until the limit, then one. */
  async failed(attempt: AuthAttempt, now = Date.now()): Promise<void> {
    const { limit, windowMs } = this.config.authFailureLimit;
    const names = this.names(attempt);
    if (!this.lapses.ready()) return;
    let counts: number[];
    try {
      const hits = await Promise.all(names.counted.map((name) => this.windows.hit(name, limit, windowMs, now)));
      counts = hits.map((hit) => hit.count);
    } catch (error) {
      this.lapses.unavailable(error);
      return;
    }
    const worst = Math.max(...counts);
    const who = `${names.source}${names.visiblePrefix ? ` with a key starting ${names.visiblePrefix}` : ''}`;
    if (worst < limit) this.logger.warn(`authentication failed from ${who}`);
    else if (worst === limit)
      this.logger.warn(
        `authentication failed ${limit} times in ${windowMs / 1000} s from ${who}: further attempts are answered 429 until the window ends`,
      );
  }

  /**
   * Remembers a credential that authenticated (once: `knownGood` says it already is), without
   * waiting for Redis: a successful request is not slowed.
   */
  succeeded(attempt: AuthAttempt, knownGood: boolean): void {
    if (knownGood) return;
    const { knownGood: marker } = this.names(attempt);
    if (marker === null || !this.lapses.ready()) return;
    this.redis
      .set(`${this.config.redis.prefix}:${marker}`, '1', 'PX', KNOWN_GOOD_MS)
      .catch((error: unknown) => this.lapses.unavailable(error));
  }

  /**
   * The counters a failure goes to (the source, and the key prefix for something shaped like our
   * keys) and the known-good marker's name, all under REDIS_PREFIX.
   */
  private names(attempt: AuthAttempt) {
    const source = sourceOf(attempt.address);
    const prefix = attempt.token !== null && isApiKeyShaped(attempt.token) ? visiblePrefix(attempt.token) : null;
    return {
      source,
      // Only for something shaped like our keys: a password pasted as a token is never logged, even in part.
      visiblePrefix: prefix,
      counted: prefix === null ? [`auth-fail:addr:${source}`] : [`auth-fail:addr:${source}`, `auth-fail:key:${prefix}`],
      knownGood:
        prefix === null
          ? null
          : `auth-ok:${createHash('sha256').update(`tlpb-auth-ok\0${attempt.token}`).digest('hex')}`,
    };
  }
}

/** `work`, or an error when Redis has not answered within REDIS_WAIT_MS. */
export async function withinRedisWait<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${REDIS_WAIT_MS} ms`)), REDIS_WAIT_MS);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `tlpb_s_` or `tlpb_p_` and 43 base64url characters: anything else is no key of ours, refused without a lookup. */
export function isApiKeyShaped(token: string): boolean {
  return /^tlpb_[sp]_[A-Za-z0-9_-]{43}$/.test(token);
}

function visiblePrefix(token: string): string {
  return token.slice(0, PREFIX_LENGTH);
}

/**
 * The source a failure is counted against: an IPv4 address, or an IPv6 /64 (one subscriber's
 * network: rotating addresses inside it would otherwise reset the count).
 */
export function sourceOf(address: string): string {
  const bare = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (!isIPv6(bare)) return bare || 'unknown';
  const [head, tail = ''] = bare.toLowerCase().replace(/%.*$/, '').split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = bare.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
