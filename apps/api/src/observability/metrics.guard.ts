import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { bearerTokenMatches } from '@tlp-broker/observability';
import { AdminSessions } from './admin-sessions';

/**
 * GET /metrics: Prometheus with `Authorization: Bearer <METRICS_TOKEN>` (compared in constant
 * time), or an administrator signed in to the console. Without METRICS_TOKEN, administrators only.
 * A request with an Authorization header is judged by it alone, as everywhere in the API.
 */
@Injectable()
export class MetricsGuard implements CanActivate {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly admins: AdminSessions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const token = this.config.observability.metricsToken;
    if (request.headers.authorization !== undefined) {
      if (token !== null && bearerTokenMatches(request.headers.authorization, token)) return true;
      throw this.unauthorised(http.getResponse<Response>(), 'the bearer token is not the metrics token');
    }
    const verdict = await this.admins.verdict(request.headers.cookie);
    if (verdict === 'admin') return true;
    if (verdict === 'not-admin') throw new ForbiddenException('the metrics are for administrators and Prometheus');
    throw this.unauthorised(
      http.getResponse<Response>(),
      token === null
        ? "an administrator's console session is required (no METRICS_TOKEN is set)"
        : "Authorization: Bearer <METRICS_TOKEN> is required, or an administrator's console session",
    );
  }

  private unauthorised(response: Response, message: string): UnauthorizedException {
    response.setHeader('WWW-Authenticate', 'Bearer realm="tlp-broker metrics"');
    return new UnauthorizedException(message);
  }
}
