import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators';
import { ApiRedis } from '../redis/api-redis';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    private readonly redis: ApiRedis,
  ) {}

  /** PostgreSQL and Redis reachable: 200, otherwise 503 with the failing part. */
  @Get()
  @Public()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.db.pingCheck('postgres', { timeout: 2000 }), () => this.pingRedis()]);
  }

  private async pingRedis() {
    const check = this.indicator.check('redis');
    try {
      await this.redis.ping();
      return check.up();
    } catch (error) {
      return check.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
