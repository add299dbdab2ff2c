import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators';
import { ApiView } from '../common/api-view';
import { ApiRedis } from '../redis/api-redis';
import { ApiReadiness } from './api-readiness';
import { HealthView } from './health-view';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    private readonly redis: ApiRedis,
    private readonly readiness: ApiReadiness,
  ) {}

  /** PostgreSQL and Redis reachable: 200, otherwise 503 with the failing part. */
  @Get()
  @Public()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.db.pingCheck('postgres', { timeout: 2000 }), () => this.pingRedis()]);
  }

  /** The process answers (a liveness probe): 200 without asking PostgreSQL, Redis or anything else. */
  @Get('live')
  @Public()
  @ApiView('HealthView', { description: 'the process answers' })
  live(): HealthView {
    return { status: 'ok' };
  }

  /** Ready to serve (a readiness probe): PostgreSQL and Redis answer within 2 s each; otherwise 503 naming the part. */
  @Get('ready')
  @Public()
  @ApiView('HealthView', { description: 'PostgreSQL and Redis answer' })
  @ApiView('HealthView', { status: 503, description: 'a part did not answer: `error` names it and says why' })
  async ready(): Promise<HealthView> {
    const report = await this.readiness.check();
    if (report.status !== 'ok') throw new ServiceUnavailableException(report);
    return report;
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
