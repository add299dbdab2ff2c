import { Controller, Get, Inject, OnModuleDestroy } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { Public } from '../auth/auth.decorators';

export const HEALTH_REDIS = Symbol('HEALTH_REDIS');

@ApiTags('health')
@Controller('health')
export class HealthController implements OnModuleDestroy {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    @Inject(HEALTH_REDIS) private readonly redis: Redis,
  ) {}

  /** PostgreSQL and Redis reachable: 200, otherwise 503 with the failing part. */
  @Get()
  @Public()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.db.pingCheck('postgres', { timeout: 2000 }),
      async () => {
        const check = this.indicator.check('redis');
        try {
          await this.redis.ping();
          return check.up();
        } catch (error) {
          return check.down({ message: error instanceof Error ? error.message : String(error) });
        }
      },
    ]);
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
