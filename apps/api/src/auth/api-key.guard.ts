import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Access, ACCESS_KEY } from './auth.decorators';
import { AuthenticationService } from './authentication.service';
import { authorise } from './authorisation';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { PartnerRateLimit } from './partner-rate-limit';
import { Principal } from './principal';

interface GuardedRequest {
  headers: Record<string, string | undefined>;
  ip?: string;
  socket?: { remoteAddress?: string };
  principal?: Principal;
}

interface GuardedResponse {
  setHeader(name: string, value: string): void;
}

/**
 * Every route is closed unless it declares who may call it (@Public, @Roles, @Partner).
 * Credentials are bearer API keys: a source that failed too often is answered 429 before any
 * lookup, a key is authenticated, the route's rule authorises it, and a partner credential is held
 * to its rate.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authentication: AuthenticationService,
    private readonly failures: AuthFailureThrottle,
    private readonly rateLimit: PartnerRateLimit,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!access) throw new ForbiddenException('this route declares no access rule');
    if (access.kind === 'public') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<GuardedRequest>();
    const response = http.getResponse<GuardedResponse>();
    const principal = await this.identify(request, response);
    authorise(access, principal);
    if (principal.kind === 'partner') {
      const refusal = await this.rateLimit.take(principal.apiKeyId);
      if (refusal) throw tooManyRequests(response, refusal.retryAfter, refusal.message);
    }
    request.principal = principal;
    return true;
  }

  /** The caller's principal, or 401; 429 for a source that failed too often, before its key is looked up. */
  private async identify(request: GuardedRequest, response: GuardedResponse): Promise<Principal> {
    const token = bearerToken(request.headers.authorization);
    if (token === null) throw unauthorised();
    const attempt = { address: request.ip ?? request.socket?.remoteAddress ?? '', token };
    const { retryAfter, knownGood } = await this.failures.check(attempt);
    if (retryAfter !== null)
      throw tooManyRequests(
        response,
        retryAfter,
        `too many failed authentications from this address or with this key; retry in ${retryAfter} s`,
      );
    const principal = await this.authentication.authenticate(token);
    if (!principal) {
      await this.failures.failed(attempt);
      throw unauthorised();
    }
    this.failures.succeeded(attempt, knownGood);
    return principal;
  }
}

function bearerToken(header: string | undefined): string | null {
  return (header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null)?.[1] ?? null;
}

function unauthorised(): UnauthorizedException {
  return new UnauthorizedException('a valid API key is required: Authorization: Bearer <key>');
}

function tooManyRequests(response: GuardedResponse, retryAfter: number, message: string): HttpException {
  response.setHeader('Retry-After', String(retryAfter));
  return new HttpException(
    { statusCode: 429, error: 'Too Many Requests', message, retryAfter },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}
