import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { FixedWindowLimiter, redisConnection } from '@tlp-broker/queue';

/** Raised when a channel has used its share: the job waits `waitMs` and is tried again, with no attempt counted. */
export class RateLimited extends Error {
  constructor(readonly waitMs: number) {
    super(`rate limit reached for this channel; next attempt in ${waitMs} ms`);
    this.name = 'RateLimited';
  }
}

/**
 * Per-channel rate limit for pushed deliveries (e-mail, webhook), shared by every dispatcher
 * process through Redis: a fixed window counter per channel. Exceeding it delays the job rather
 * than failing it; a Redis error fails the attempt (the job is retried), it never lifts the limit.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly windows: FixedWindowLimiter;

  constructor(@InjectConfig() private readonly config: AppConfig) {
    // Connected on the first send that needs it (a dispatcher without pushed channels never does).
    this.redis = new Redis({ ...redisConnection(config.redis.url), maxRetriesPerRequest: 3, lazyConnect: true });
    this.windows = new FixedWindowLimiter(this.redis, config.redis.prefix);
  }

  /** Takes one send for the channel, or throws RateLimited with the time to wait. */
  async acquire(channelId: string, now = Date.now()): Promise<void> {
    const { limit, windowMs } = this.config.rateLimit;
    const { limited, retryAfterMs } = await this.windows.hit(`rate:${channelId}`, limit, windowMs, now);
    if (limited) {
      // Spread the waiting jobs over the next window instead of waking them all at its start.
      throw new RateLimited(retryAfterMs + Math.floor(Math.random() * windowMs * 0.5));
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
