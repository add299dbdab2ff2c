import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { DatabaseHealth } from '@tlp-broker/persistence';
import {
  checkReadiness,
  postgresCheck,
  READINESS_TIMEOUT_MS,
  ReadinessCheck,
  ReadinessReport,
  redisCheck,
  smtpCheck,
} from '@tlp-broker/observability';
import { redisConnection } from '@tlp-broker/queue';

/**
 * What the dispatcher needs to do its work: PostgreSQL, Redis, and the mail relay when e-mail is
 * delivered (SMTP_URL), each within 2 s. Redis is asked over a connection of its own that gives
 * up fast, not over the workers' (which wait for Redis as long as it takes).
 */
@Injectable()
export class DispatcherReadiness implements OnModuleDestroy {
  private readonly redis: Redis;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly database: DatabaseHealth,
  ) {
    this.redis = new Redis({
      ...redisConnection(config.redis.url),
      maxRetriesPerRequest: 1,
      commandTimeout: READINESS_TIMEOUT_MS,
      lazyConnect: true,
    });
  }

  check(): Promise<ReadinessReport> {
    const checks: ReadinessCheck[] = [postgresCheck(this.database), redisCheck(this.redis)];
    if (this.config.smtp) checks.push(smtpCheck(this.config.smtp));
    return checkReadiness(checks);
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
