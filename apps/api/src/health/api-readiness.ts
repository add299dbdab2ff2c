import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { checkReadiness, postgresCheck, ReadinessReport, redisCheck } from '@tlp-broker/observability';
import { ApiRedis } from '../redis/api-redis';

/**
 * What the API needs to serve: PostgreSQL and Redis, each within 2 s. Not the mail relay: the API
 * sends no mail (the dispatcher does, and its own readiness asks the relay), and an API taken out
 * of a load balancer because the relay is down would stop partners pulling their feeds.
 */
@Injectable()
export class ApiReadiness {
  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: ApiRedis,
  ) {}

  check(): Promise<ReadinessReport> {
    return checkReadiness([postgresCheck(this.dataSource), redisCheck(this.redis)]);
  }
}
