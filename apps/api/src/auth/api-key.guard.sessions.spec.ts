import { createHash } from 'node:crypto';
import { ExecutionContext, ForbiddenException, HttpException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import type { LiveSession, SessionRepository } from '@tlp-broker/persistence';
import { rejection } from '../../../../test/support/errors';
import { staffPrincipal } from '../../../../test/support/mocks';
import { ApiKeyGuard } from './api-key.guard';
import { Access } from './auth.decorators';
import { AuthenticationService } from './authentication.service';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { Clock } from '@tlp-broker/config';
import { PartnerRateLimit } from './partner-rate-limit';
import { Principal } from './principal';
import { SessionService } from './sessions.service';

const TOKEN = 'T'.repeat(43);
const CSRF = 'c'.repeat(43);
const NOW = new Date('2026-05-04T10:00:00Z');
const analyst = staffPrincipal(['analyst'], 'u-7');
const STAFF_KEY = `tlpb_s_${'S'.repeat(43)}`;

/** The analyst's session under TOKEN, signed in an hour ago, last seen a minute ago. */
function session(overrides: Partial<LiveSession> = {}): LiveSession {
  return {
    id: 's-1',
    csrfToken: CSRF,
    stage: 'full',
    pendingTotpSecret: null,
    createdAt: new Date(NOW.getTime() - 3_600_000),
    lastSeenAt: new Date(NOW.getTime() - 60_000),
    expiresAt: new Date(NOW.getTime() + 3_600_000),
    user: { id: analyst.userId, name: analyst.name, roles: [...analyst.roles], status: 'active', totpEnrolled: true },
    ...overrides,
  };
}

/**
 * The guard with a real SessionService over sessions stored by token hash, and API-key parts that
 * record whether they were asked anything; a request with the headers given, for a route with `access`.
 */
function guarded(access: Access, headers: Record<string, string>, method = 'GET', stored = session()) {
  const rows = new Map([[createHash('sha256').update(TOKEN).digest('hex'), stored]]);
  const repository = {
    findLive: vi.fn(async (hash: string) => rows.get(hash) ?? null),
    touch: vi.fn(async () => true),
  };
  const config = { sessions: { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 } } as AppConfig;
  const sessions = new SessionService(config, repository as unknown as SessionRepository, { now: () => NOW } as Clock);
  const keys = { authenticate: vi.fn(async () => analyst) };
  const failures = {
    check: vi.fn(async () => ({ retryAfter: null, knownGood: true })),
    failed: vi.fn(),
    succeeded: vi.fn(),
  };
  const request: {
    method: string;
    headers: Record<string, string>;
    ip: string;
    principal?: Principal;
    staffSession?: LiveSession;
  } = { method, headers, ip: '198.51.100.7' };
  const context = {
    getHandler: () => undefined,
    getClass: () => undefined,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({ setHeader: vi.fn() }) }),
  } as unknown as ExecutionContext;
  const guard = new ApiKeyGuard(
    { getAllAndOverride: () => access } as unknown as Reflector,
    keys as unknown as AuthenticationService,
    failures as unknown as AuthFailureThrottle,
    { take: vi.fn(async () => null) } as unknown as PartnerRateLimit,
    sessions,
  );
  return { activate: () => guard.canActivate(context), request, repository, keys, failures };
}

const staffRoute: Access = { kind: 'staff', roles: ['analyst', 'admin'] };
const cookie = (value = TOKEN) => ({ cookie: `theme=dark; tlpb_session=${value}; other=1` });
const refusal = (work: Promise<unknown>) => rejection(work, HttpException);

describe('ApiKeyGuard with the console session cookie', () => {
  it('admits a live session to a staff route as its member, the same principal as their API key', async () => {
    const g = guarded(staffRoute, cookie());
    await expect(g.activate()).resolves.toBe(true);
    expect(g.request.principal).toEqual(analyst);
    expect(g.request.staffSession).toMatchObject({ id: 's-1', stage: 'full' });
    expect(g.repository.findLive).toHaveBeenCalledWith(createHash('sha256').update(TOKEN).digest('hex'));
    expect(g.keys.authenticate).not.toHaveBeenCalled();
    expect(g.failures.check).not.toHaveBeenCalled();
  });

  it("holds a session to the route's roles like a key", async () => {
    const error = await refusal(guarded({ kind: 'staff', roles: ['admin'] }, cookie()).activate());
    expect(error).toBeInstanceOf(ForbiddenException);
    expect(error.message).toBe('this route requires the role admin');
    const partnerRoute = await refusal(guarded({ kind: 'partner', scope: 'feed' }, cookie()).activate());
    expect(partnerRoute).toBeInstanceOf(ForbiddenException);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])(
    'refuses a %s made with the cookie without the X-CSRF-Token header, or with a wrong one',
    async (method) => {
      for (const headers of [
        cookie(),
        { ...cookie(), 'x-csrf-token': 'x'.repeat(43) },
        { ...cookie(), 'x-csrf-token': '' },
      ]) {
        const g = guarded(staffRoute, headers, method);
        const error = await refusal(g.activate());
        expect(error).toBeInstanceOf(ForbiddenException);
        expect(error.getResponse()).toMatchObject({ message: 'the X-CSRF-Token header is missing or wrong' });
        expect(g.request.principal).toBeUndefined();
      }
    },
  );

  it("admits a POST made with the cookie and the session's CSRF token; a GET needs none", async () => {
    await expect(guarded(staffRoute, { ...cookie(), 'x-csrf-token': CSRF }, 'POST').activate()).resolves.toBe(true);
    await expect(guarded(staffRoute, cookie(), 'GET').activate()).resolves.toBe(true);
    await expect(guarded(staffRoute, cookie(), 'HEAD').activate()).resolves.toBe(true);
  });

  it('answers 401 to a cookie that opens no live session: unknown, idle too long, past its end, suspended', async () => {
    const cases: [Record<string, string>, LiveSession][] = [
      [cookie('U'.repeat(43)), session()],
      [cookie('not a token'), session()],
      [cookie(), session({ lastSeenAt: new Date(NOW.getTime() - 30 * 60_000) })],
      [cookie(), session({ expiresAt: NOW })],
      [cookie(), session({ user: { ...session().user, status: 'suspended' } })],
    ];
    for (const [headers, stored] of cases) {
      const g = guarded(staffRoute, headers, 'GET', stored);
      const error = await refusal(g.activate());
      expect(error).toBeInstanceOf(UnauthorizedException);
      expect(error.message).toBe('not signed in, or the session has ended: sign in again (POST /auth/sign-in)');
      expect(g.keys.authenticate).not.toHaveBeenCalled();
    }
  });

  it('lets a session still enrolling its authenticator call only the session routes', async () => {
    const enrolling = session({ stage: 'enrol', user: { ...session().user, totpEnrolled: false } });
    const error = await refusal(guarded(staffRoute, cookie(), 'GET', enrolling).activate());
    expect(error).toBeInstanceOf(ForbiddenException);
    expect(error.message).toMatch(/^enrol an authenticator first/);
    const signedIn = guarded({ kind: 'session' }, { ...cookie(), 'x-csrf-token': CSRF }, 'POST', enrolling);
    await expect(signedIn.activate()).resolves.toBe(true);
    expect(signedIn.request.staffSession?.stage).toBe('enrol');
    const withoutCsrf = await refusal(guarded({ kind: 'session' }, cookie(), 'POST', enrolling).activate());
    expect(withoutCsrf.getStatus()).toBe(403);
  });

  it('uses the Authorization header when there is one, cookie or not, and asks no CSRF token of it', async () => {
    const g = guarded(staffRoute, { ...cookie(), authorization: `Bearer ${STAFF_KEY}` }, 'POST');
    await expect(g.activate()).resolves.toBe(true);
    expect(g.keys.authenticate).toHaveBeenCalledWith(STAFF_KEY);
    expect(g.repository.findLive).not.toHaveBeenCalled();
    expect(g.request.staffSession).toBeUndefined();
  });

  it('answers 401 on a session route to a request without the cookie, without looking a key up', async () => {
    const requests: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${STAFF_KEY}` },
      { cookie: 'tlpb_session=' },
    ];
    for (const headers of requests) {
      const g = guarded({ kind: 'session' }, headers);
      const error = await refusal(g.activate());
      expect(error).toBeInstanceOf(UnauthorizedException);
      expect(g.keys.authenticate).not.toHaveBeenCalled();
    }
  });

  it('still answers 401 about the API key to a staff route without any credential', async () => {
    const error = await refusal(guarded(staffRoute, {}).activate());
    expect(error.message).toBe('a valid API key is required: Authorization: Bearer <key>');
  });
});
