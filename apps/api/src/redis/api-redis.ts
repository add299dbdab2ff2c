import { OnModuleDestroy, Provider } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '@tlp-broker/config';
import { FixedWindowLimiter, redisConnection } from '@tlp-broker/queue';

/**
 * The API's own Redis connection (BullMQ keeps its own): the partner rate limit, the
 * failed-authentication throttle and the health check. Commands give up fast (one retry, 2 s), so
 * a Redis outage holds no request up: the limits lapse and the health check says why.
 */
export class ApiRedis extends Redis implements OnModuleDestroy {
  onModuleDestroy(): void {
    this.disconnect();
  }
}

/** ApiRedis, and the fixed-window counters the API keeps in it under REDIS_PREFIX. */
export const API_REDIS_PROVIDERS: Provider[] = [
  {
    provide: ApiRedis,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) =>
      new ApiRedis({ ...redisConnection(config.redis.url), maxRetriesPerRequest: 1, commandTimeout: 2_000 }),
  },
  {
    provide: FixedWindowLimiter,
    inject: [ApiRedis, APP_CONFIG],
    useFactory: (redis: ApiRedis, config: AppConfig) => new FixedWindowLimiter(redis, config.redis.prefix),
  },
];
