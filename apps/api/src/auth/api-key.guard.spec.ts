import { ExecutionContext, ForbiddenException, HttpException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it, vi } from 'vitest';
import type { LiveSession } from '@tlp-broker/persistence';
import { FixedWindowLimiter } from '@tlp-broker/queue';
import { rejection } from '../../../../test/support/errors';
import { partnerPrincipal, staffPrincipal } from '../../../../test/support/mocks';
import { ApiKeyGuard } from './api-key.guard';
import { Access } from './auth.decorators';
import { AuthenticationService } from './authentication.service';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { PartnerRateLimit } from './partner-rate-limit';
import { Principal } from './principal';
import { SessionService } from './sessions.service';

const PARTNER_KEY = `tlpb_p_${'P'.repeat(43)}`;
const partner = partnerPrincipal();
const staff = staffPrincipal(['analyst']);

/** A request as Express hands it over, with the route's access rule and a response recording headers. */
function call(access: Access | undefined, authorization?: string, ip = '198.51.100.7') {
  const request: { headers: Record<string, string | undefined>; ip: string; principal?: Principal } = {
    headers: { authorization },
    ip,
  };
  const headers: Record<string, string> = {};
  const response = { setHeader: (name: string, value: string) => (headers[name] = value) };
  const context = {
    getHandler: () => undefined,
    getClass: () => undefined,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
  const reflector = { getAllAndOverride: () => access } as unknown as Reflector;
  return { request, headers, context, reflector };
}

function parts(principal: Principal | null = partner) {
  return {
    authentication: { authenticate: vi.fn(async () => principal) },
    failures: {
      check: vi.fn(async () => ({ retryAfter: null as number | null, knownGood: false })),
      failed: vi.fn(async () => undefined),
      succeeded: vi.fn(),
    },
    rateLimit: { take: vi.fn(async () => null as { retryAfter: number; message: string } | null) },
    sessions: { authenticate: vi.fn(async () => null as LiveSession | null), principal: vi.fn() },
  };
}

function guard(reflector: Reflector, p: ReturnType<typeof parts>): ApiKeyGuard {
  return new ApiKeyGuard(
    reflector,
    p.authentication as unknown as AuthenticationService,
    p.failures as unknown as AuthFailureThrottle,
    p.rateLimit as unknown as PartnerRateLimit,
    p.sessions as unknown as SessionService,
  );
}

const refusal = (work: Promise<unknown>) => rejection(work, HttpException);

describe('ApiKeyGuard', () => {
  it('lets anyone through a public route without looking at credentials', async () => {
    const p = parts();
    const { context, reflector } = call({ kind: 'public' });
    await expect(guard(reflector, p).canActivate(context)).resolves.toBe(true);
    expect(p.failures.check).not.toHaveBeenCalled();
    expect(p.authentication.authenticate).not.toHaveBeenCalled();
  });

  it('closes a route that declares no access rule with 403', async () => {
    const { context, reflector } = call(undefined, `Bearer ${PARTNER_KEY}`);
    const error = await refusal(guard(reflector, parts()).canActivate(context));
    expect(error).toBeInstanceOf(ForbiddenException);
    expect(error.message).toBe('this route declares no access rule');
  });

  it('answers 401 without a bearer token, counting nothing', async () => {
    for (const header of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer', `Bearer ${PARTNER_KEY} extra`]) {
      const p = parts();
      const { context, reflector } = call({ kind: 'partner', scope: 'feed' }, header);
      const error = await refusal(guard(reflector, p).canActivate(context));
      expect(error).toBeInstanceOf(UnauthorizedException);
      expect(error.message).toBe('a valid API key is required: Authorization: Bearer <key>');
      expect(p.failures.check).not.toHaveBeenCalled();
      expect(p.failures.failed).not.toHaveBeenCalled();
    }
  });

  it('answers 429 with Retry-After to a throttled source before looking the key up', async () => {
    const p = parts();
    p.failures.check.mockResolvedValue({ retryAfter: 42, knownGood: false });
    const { context, reflector, headers } = call({ kind: 'partner', scope: 'feed' }, `Bearer ${PARTNER_KEY}`);
    const error = await refusal(guard(reflector, p).canActivate(context));
    expect(error.getStatus()).toBe(429);
    expect(error.getResponse()).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'too many failed authentications from this address or with this key; retry in 42 s',
      retryAfter: 42,
    });
    expect(headers['Retry-After']).toBe('42');
    expect(p.failures.check).toHaveBeenCalledWith({ address: '198.51.100.7', token: PARTNER_KEY });
    expect(p.authentication.authenticate).not.toHaveBeenCalled();
  });

  it('answers 401 to a key that authenticates no one, and counts the failure against the attempt', async () => {
    const p = parts(null);
    const { context, reflector } = call({ kind: 'staff', roles: ['admin'] }, `Bearer ${PARTNER_KEY}`);
    const error = await refusal(guard(reflector, p).canActivate(context));
    expect(error).toBeInstanceOf(UnauthorizedException);
    expect(p.failures.failed).toHaveBeenCalledWith({ address: '198.51.100.7', token: PARTNER_KEY });
    expect(p.failures.succeeded).not.toHaveBeenCalled();
  });

  it('answers 403 to an authenticated caller the route does not admit, after recording the success', async () => {
    const p = parts(staff);
    p.failures.check.mockResolvedValue({ retryAfter: null, knownGood: true });
    const { context, reflector, request } = call({ kind: 'partner', scope: 'feed' }, `Bearer ${PARTNER_KEY}`);
    const error = await refusal(guard(reflector, p).canActivate(context));
    expect(error).toBeInstanceOf(ForbiddenException);
    expect(p.failures.succeeded).toHaveBeenCalledWith({ address: '198.51.100.7', token: PARTNER_KEY }, true);
    expect(p.rateLimit.take).not.toHaveBeenCalled();
    expect(request.principal).toBeUndefined();
  });

  it("lets a partner in within its credential's rate, and hands the route its principal", async () => {
    const p = parts(partner);
    const { context, reflector, request } = call({ kind: 'partner', scope: 'feed' }, `Bearer ${PARTNER_KEY}`);
    await expect(guard(reflector, p).canActivate(context)).resolves.toBe(true);
    expect(p.rateLimit.take).toHaveBeenCalledWith('key-1');
    expect(request.principal).toBe(partner);
  });

  it("answers a partner over its credential's rate 429 with Retry-After and the limit", async () => {
    const p = parts(partner);
    p.rateLimit.take.mockResolvedValue({ retryAfter: 7, message: 'at most 2 requests per 60 s for this credential' });
    const { context, reflector, headers, request } = call({ kind: 'partner', scope: 'feed' }, `Bearer ${PARTNER_KEY}`);
    const error = await refusal(guard(reflector, p).canActivate(context));
    expect(error.getStatus()).toBe(429);
    expect(error.getResponse()).toMatchObject({
      message: 'at most 2 requests per 60 s for this credential',
      retryAfter: 7,
    });
    expect(headers['Retry-After']).toBe('7');
    expect(request.principal).toBeUndefined();
  });

  it('does not rate-limit team members', async () => {
    const p = parts(staff);
    const { context, reflector, request } = call(
      { kind: 'staff', roles: ['analyst'] },
      `Bearer tlpb_s_${'S'.repeat(43)}`,
    );
    await expect(guard(reflector, p).canActivate(context)).resolves.toBe(true);
    expect(p.rateLimit.take).not.toHaveBeenCalled();
    expect(request.principal).toBe(staff);
  });
});

/** Redis as a map, with the commands the failed-authentication throttle sends. */
class MapRedis {
  readonly values = new Map<string, string>();
  status = 'ready';

  async mget(...keys: string[]): Promise<(string | null)[]> {
    return keys.map((key) => this.values.get(key) ?? null);
  }

  async set(key: string, value: string): Promise<'OK'> {
    this.values.set(key, value);
    return 'OK';
  }

  multi() {
    let key = '';
    const chain = {
      incr: (name: string) => ((key = name), chain),
      pexpire: () => chain,
      exec: async () => {
        const next = Number(this.values.get(key) ?? 0) + 1;
        this.values.set(key, String(next));
        return [
          [null, next],
          [null, 1],
        ];
      },
    };
    return chain;
  }
}

describe('ApiKeyGuard with the failed-authentication throttle', () => {
  it('lets a key that has worked before through a source that is throttled, and no other key', async () => {
    const redis = new MapRedis();
    const config = { redis: { prefix: 't' }, authFailureLimit: { limit: 2, windowMs: 60_000 } };
    const failures = new AuthFailureThrottle(
      config as never,
      redis as never,
      new FixedWindowLimiter(redis as never, 't'),
    );
    const good = parts(partner);
    const bad = parts(null);
    const attempt = (p: ReturnType<typeof parts>, key: string) => {
      const { context, reflector } = call({ kind: 'partner', scope: 'feed' }, `Bearer ${key}`, '203.0.113.5');
      return new ApiKeyGuard(
        reflector,
        p.authentication as unknown as AuthenticationService,
        failures,
        p.rateLimit as unknown as PartnerRateLimit,
        p.sessions as unknown as SessionService,
      ).canActivate(context);
    };
    await expect(attempt(good, PARTNER_KEY)).resolves.toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    const wrong = (i: number) => `tlpb_p_${String(i).repeat(43)}`;
    for (let i = 0; i < 2; i++) expect((await refusal(attempt(bad, wrong(i)))).getStatus()).toBe(401);
    expect((await refusal(attempt(bad, wrong(3)))).getStatus()).toBe(429);
    expect(bad.authentication.authenticate).toHaveBeenCalledTimes(2);
    await expect(attempt(good, PARTNER_KEY)).resolves.toBe(true);
  });
});

/** The per-credential rate limit alone, with Redis replaced by a stand-in. */
describe('ApiKeyGuard rate limit', () => {
  const config = { redis: { prefix: 't' }, partnerRateLimit: { limit: 2, windowMs: 60_000 } };
  const redisAnswering = (count: number | Error) => ({
    multi: () => {
      const chain = {
        incr: () => chain,
        pexpire: () => chain,
        exec: async () =>
          count instanceof Error
            ? Promise.reject(count)
            : [
                [null, count],
                [null, 1],
              ],
      };
      return chain;
    },
  });
  const throttle = async (redis: unknown, headers: Record<string, string>) => {
    const p = parts(partner);
    const rateLimit = new PartnerRateLimit(config as never, new FixedWindowLimiter(redis as never, 't'));
    const { context, reflector, headers: sent } = call({ kind: 'partner', scope: 'feed' }, `Bearer ${PARTNER_KEY}`);
    const g = new ApiKeyGuard(
      reflector,
      p.authentication as unknown as AuthenticationService,
      p.failures as unknown as AuthFailureThrottle,
      rateLimit,
      p.sessions as unknown as SessionService,
    );
    try {
      return await g.canActivate(context);
    } finally {
      Object.assign(headers, sent);
    }
  };

  it('lets a request through within the limit', async () => {
    await expect(throttle(redisAnswering(2), {})).resolves.toBe(true);
  });

  it('answers 429 with Retry-After over the limit', async () => {
    const headers: Record<string, string> = {};
    const error = await throttle(redisAnswering(3), headers).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpException);
    expect((error as HttpException).getStatus()).toBe(429);
    expect(Number(headers['Retry-After'])).toBeGreaterThan(0);
  });

  it('lets partners pull when Redis cannot be reached: only the limit lapses', async () => {
    await expect(throttle(redisAnswering(new Error('connect ECONNREFUSED')), {})).resolves.toBe(true);
  });
});
