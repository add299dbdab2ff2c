import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@tlp-broker/config';
import { jobOptions, QueueName } from './queues';

/** Redis connection options for BullMQ from REDIS_URL. */
export function redisConnection(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    // Required by BullMQ workers: blocking commands must not be cut short by retries.
    maxRetriesPerRequest: null,
  };
}

@Module({})
export class QueueModule {
  /** The BullMQ connection and the broker's queues, with their default job options. */
  static forRoot(): DynamicModule {
    return {
      module: QueueModule,
      imports: [
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            connection: redisConnection(config.redis.url),
            prefix: config.redis.prefix,
            defaultJobOptions: jobOptions(config.dispatch.attempts, config.dispatch.backoffMs),
          }),
        }),
        BullModule.registerQueue(
          { name: QueueName.Routing },
          { name: QueueName.Delivery },
          { name: QueueName.FeedDeliveries },
          { name: QueueName.SubmissionMessages },
        ),
      ],
      exports: [BullModule],
    };
  }
}
