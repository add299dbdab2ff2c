import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { redisConnection } from '@tlp-broker/queue';

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
 * than failing it.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(@InjectConfig() private readonly config: AppConfig) {
    this.redis = new Redis({ ...redisConnection(config.redis.url), maxRetriesPerRequest: 3 });
  }

  /** Takes one send for the channel, or throws RateLimited with the time to wait. */
  async acquire(channelId: string, now = Date.now()): Promise<void> {
    const { limit, windowMs } = this.config.rateLimit;
    const window = Math.floor(now / windowMs);
    const key = `${this.config.redis.prefix}:rate:${channelId}:${window}`;
    const [[, count]] = (await this.redis
      .multi()
      .incr(key)
      .pexpire(key, windowMs * 2)
      .exec()) as [[null, number], [null, number]];
    if (count > limit) {
      // Spread the waiting jobs over the next window instead of waking them all at its start.
      const waitMs = (window + 1) * windowMs - now + Math.floor(Math.random() * windowMs * 0.5);
      throw new RateLimited(waitMs);
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
