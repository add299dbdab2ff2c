import { Injectable } from '@nestjs/common';
import { checkReadiness, postgresCheck, ReadinessReport, redisCheck } from '@tlp-broker/observability';
import { DatabaseHealth } from '@tlp-broker/persistence';
import { ApiRedis } from '../redis/api-redis';

/**
 * What the API needs to serve: PostgreSQL and Redis, each within 2 s. Not the mail relay: the API
 * sends no mail (the dispatcher does, and its own readiness asks the relay), and an API taken out
 * of a load balancer because the relay is down would stop partners pulling their feeds.
 */
@Injectable()
export class ApiReadiness {
  constructor(
    private readonly database: DatabaseHealth,
    private readonly redis: ApiRedis,
  ) {}

  check(): Promise<ReadinessReport> {
    return checkReadiness([postgresCheck(this.database), redisCheck(this.redis)]);
  }
}
