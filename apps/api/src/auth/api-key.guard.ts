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
import { timingSafeEqual } from 'node:crypto';
import type { LiveSession } from '@tlp-broker/persistence';
import { Access, ACCESS_KEY } from './auth.decorators';
import { AuthenticationService } from './authentication.service';
import { authorise } from './authorisation';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { PartnerRateLimit } from './partner-rate-limit';
import { Principal, StaffPrincipal } from './principal';
import { sessionCookieValue } from './session-cookie';
import { SessionService } from './sessions.service';

interface GuardedRequest {
  method?: string;
  headers: Record<string, string | undefined>;
  ip?: string;
  socket?: { remoteAddress?: string };
  principal?: Principal;
  staffSession?: LiveSession;
}

interface GuardedResponse {
  setHeader(name: string, value: string): void;
}

/** Requests that change something: made with the session cookie, each must carry the session's CSRF token. */
const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every route is closed unless it declares who may call it (@Public, @Roles, @Partner, @SignedIn).
 * Credentials are bearer API keys (scripts, partners' tools): a source that failed too often is
 * answered 429 before any lookup, a key is authenticated, the route's rule authorises it, and a
 * partner credential is held to its rate. A request without an Authorization header may instead
 * carry the console's session cookie: the session acts as its member (the same principal as the
 * member's API key, so @Roles routes admit it alike), once it has enrolled an authenticator.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authentication: AuthenticationService,
    private readonly failures: AuthFailureThrottle,
    private readonly rateLimit: PartnerRateLimit,
    private readonly sessions: SessionService,
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
    const cookie = request.headers.authorization === undefined ? sessionCookieValue(request.headers.cookie) : null;
    if (cookie !== null) {
      request.principal = await this.signedIn(request, cookie, access);
      return true;
    }
    if (access.kind === 'session') throw notSignedIn();
    const principal = await this.identify(request, response);
    authorise(access, principal);
    if (principal.kind === 'partner') {
      const refusal = await this.rateLimit.take(principal.apiKeyId);
      if (refusal) throw tooManyRequests(response, refusal.retryAfter, refusal.message);
    }
    request.principal = principal;
    return true;
  }

  /**
   * The member a console session acts as: 401 for a session that is not live; 403 for a request
   * that changes something without the session's CSRF token, and for a session still enrolling its
   * authenticator on any route but the session's own (@SignedIn).
   */
  private async signedIn(
    request: GuardedRequest,
    token: string,
    access: Exclude<Access, { kind: 'public' }>,
  ): Promise<StaffPrincipal> {
    const session = await this.sessions.authenticate(token);
    if (!session) throw notSignedIn();
    if (UNSAFE_METHODS.has(request.method ?? '') && !sameSecret(request.headers['x-csrf-token'], session.csrfToken))
      throw new ForbiddenException('the X-CSRF-Token header is missing or wrong');
    const principal = this.sessions.principal(session);
    if (access.kind !== 'session') {
      if (session.stage !== 'full')
        throw new ForbiddenException(
          'enrol an authenticator first (POST /auth/totp/enrolment): until then this session may only manage itself',
        );
      authorise(access, principal);
    }
    request.staffSession = session;
    return principal;
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

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const [a, b] = [Buffer.from(given, 'utf8'), Buffer.from(expected, 'utf8')];
  return a.length === b.length && timingSafeEqual(a, b);
}

function notSignedIn(): UnauthorizedException {
  return new UnauthorizedException('not signed in, or the session has ended: sign in again (POST /auth/sign-in)');
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
