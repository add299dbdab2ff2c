import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { redisConnection, SlidingWindowLimiter } from '@tlp-broker/queue';

/** Raised when a channel has used its share: the job waits `waitMs` and is tried again, with no attempt counted. */
export class RateLimited extends Error {
  constructor(readonly waitMs: number) {
    super(`rate limit reached for this channel; next attempt in ${waitMs} ms`);
    this.name = 'RateLimited';
  }
}

/**
 * Per-channel rate limit for pushed deliveries (e-mail, webhook), shared by every dispatcher
 * process through Redis: in any span of the window, at most the limit of sends per channel, at the
 * window's edge too. Exceeding it delays the job rather than failing it; a Redis error fails the
 * attempt (the job is retried), it never lifts the limit.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly windows: SlidingWindowLimiter;

  constructor(@InjectConfig() private readonly config: AppConfig) {
    // Connected on the first send that needs it (a dispatcher without pushed channels never does).
    this.redis = new Redis({ ...redisConnection(config.redis.url), maxRetriesPerRequest: 3, lazyConnect: true });
    this.windows = new SlidingWindowLimiter(this.redis, config.redis.prefix);
  }

  /** Takes one send for the channel, or throws RateLimited with the time to wait. */
  async acquire(channelId: string): Promise<void> {
    const { limit, windowMs } = this.config.rateLimit;
    const { taken, retryAfterMs } = await this.windows.take(`rate:${channelId}`, limit, windowMs);
    if (!taken) {
      // Spread the waiting jobs over the slots that free next instead of waking them all at once.
      throw new RateLimited(retryAfterMs + Math.floor((Math.random() * windowMs) / limit));
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
