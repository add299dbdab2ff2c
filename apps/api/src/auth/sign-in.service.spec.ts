import { HttpException, UnauthorizedException } from '@nestjs/common';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { totpCode } from '@tlp-broker/harness';
import { hashPassword } from '@tlp-broker/persistence';
import type { LiveSession, SessionRepository, UserEntity, UserRepository } from '@tlp-broker/persistence';
import { rejection } from '../../../../test/support/errors';
import { fakeAudit, fakeTransactions, tx } from '../../../../test/support/mocks';
import { Clock } from '@tlp-broker/config';
import { SessionService } from './sessions.service';
import { SignInService, TooManySignIns } from './sign-in.service';
import { SignInThrottle } from './sign-in-throttle';
import { totpStep } from './totp';

const PASSWORD = 'correct horse battery staple';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const NOW = new Date('2026-05-04T10:00:10Z');
const ADDRESS = '203.0.113.9';
let passwordHash: string;

beforeAll(async () => {
  passwordHash = await hashPassword(PASSWORD);
});

function member(overrides: Partial<UserEntity> = {}): UserEntity {
  return {
    id: 'u-1',
    name: 'alice',
    roles: ['analyst'],
    status: 'active',
    createdAt: NOW,
    contactId: null,
    passwordHash,
    totpSecret: SECRET,
    totpEnrolledAt: NOW,
    totpLastStep: null,
    ...overrides,
  };
}

const opened = { token: 'cookie-value', session: { id: 's-1', stage: 'full' } as LiveSession };

function signIn(user: UserEntity | null = member()) {
  const users = {
    findByName: vi.fn(async () => user),
    acceptTotpStep: vi.fn(async () => true),
  };
  const sessionRows = { revoke: vi.fn(), revokeAllForUser: vi.fn(async () => 3) };
  const sessions = { open: vi.fn(async () => opened) };
  const throttle = { retryAfter: vi.fn(async () => null as number | null), failed: vi.fn(async () => undefined) };
  const audit = fakeAudit();
  const service = new SignInService(
    fakeTransactions(),
    audit,
    users as unknown as UserRepository,
    sessionRows as unknown as SessionRepository,
    sessions as unknown as SessionService,
    throttle as unknown as SignInThrottle,
    { now: () => NOW } as Clock,
  );
  return { service, users, sessionRows, sessions, throttle, audit };
}

const request = (overrides: { name?: string; password?: string; code?: string | null } = {}) => ({
  name: 'alice',
  password: PASSWORD,
  code: totpCode(SECRET, NOW.getTime()),
  address: ADDRESS,
  ...overrides,
});

describe('SignInService', () => {
  it('opens a session for the right password and code, records the step used, and audits it', async () => {
    const s = signIn();
    await expect(s.service.signIn(request())).resolves.toBe(opened);
    expect(s.users.findByName).toHaveBeenCalledWith('alice');
    expect(s.users.acceptTotpStep).toHaveBeenCalledWith('u-1', totpStep(NOW), tx);
    expect(s.sessions.open).toHaveBeenCalledWith(expect.objectContaining({ id: 'u-1', totpEnrolled: true }), tx);
    expect(s.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'auth.signed-in',
      subjectType: 'session',
      subjectId: 's-1',
      details: { name: 'alice', address: ADDRESS, stage: 'full' },
    });
    expect(s.throttle.failed).not.toHaveBeenCalled();
  });

  it('signs a member without an authenticator in with the password alone, to enrol one', async () => {
    const s = signIn(member({ totpSecret: null, totpEnrolledAt: null }));
    await s.service.signIn(request({ code: null }));
    expect(s.sessions.open).toHaveBeenCalledWith(expect.objectContaining({ totpEnrolled: false }), tx);
    expect(s.users.acceptTotpStep).not.toHaveBeenCalled();
  });

  it.each<[string, () => UserEntity | null, Parameters<typeof request>[0]]>([
    ['unknown-name', () => null, {}],
    ['no-password', () => member({ passwordHash: null }), {}],
    ['wrong-password', () => member(), { password: 'correct horse battery stapler' }],
    ['suspended', () => member({ status: 'suspended' }), {}],
    ['code-missing', () => member(), { code: null }],
    ['wrong-code', () => member(), { code: totpCode(SECRET, NOW.getTime() + 120_000) }],
    ['code-reused', () => member({ totpLastStep: String(totpStep(NOW)) }), {}],
  ])('refuses (%s) with the one answer for every failure, counted and audited', async (reason, arranged, overrides) => {
    const user = arranged();
    const s = signIn(user);
    const error = await rejection(s.service.signIn(request(overrides)), UnauthorizedException);
    expect(error.getResponse()).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'name, password or code is wrong',
    });
    expect(s.throttle.failed).toHaveBeenCalledWith(expect.objectContaining({ name: 'alice', address: ADDRESS }));
    expect(s.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'anonymous',
      action: 'auth.sign-in-failed',
      subjectType: 'user',
      subjectId: user?.id ?? 'unknown',
      details: { name: 'alice', address: ADDRESS, reason },
    });
    expect(s.sessions.open).not.toHaveBeenCalled();
  });

  it('refuses a code that another request used first, between the check and the write', async () => {
    const s = signIn();
    s.users.acceptTotpStep.mockResolvedValue(false);
    await rejection(s.service.signIn(request()), UnauthorizedException);
    expect(s.sessions.open).not.toHaveBeenCalled();
    expect(s.audit.append).toHaveBeenCalledWith(
      tx,
      expect.objectContaining({
        action: 'auth.sign-in-failed',
        details: expect.objectContaining({ reason: 'code-reused' }),
      }),
    );
  });

  it('answers 429 to a throttled name or address before looking anything up', async () => {
    const s = signIn();
    s.throttle.retryAfter.mockResolvedValue(600);
    const error = await rejection(s.service.signIn(request()), TooManySignIns);
    expect(error).toBeInstanceOf(HttpException);
    expect(error.getStatus()).toBe(429);
    expect(error.retryAfter).toBe(600);
    expect(s.users.findByName).not.toHaveBeenCalled();
    expect(s.audit.append).not.toHaveBeenCalled();
  });

  it('takes as long to refuse an unknown name as a wrong password (a dummy hash is checked)', async () => {
    const time = async (user: UserEntity | null) => {
      const started = performance.now();
      await signIn(user)
        .service.signIn(request({ password: 'not the password at all' }))
        .catch(() => undefined);
      return performance.now() - started;
    };
    await time(null);
    const unknown = Math.min(await time(null), await time(null));
    const known = Math.min(await time(member()), await time(member()));
    expect(unknown).toBeGreaterThan(known / 3);
  });

  it('signs out of this session, and out of every session of the member, audited', async () => {
    const s = signIn();
    const session = { id: 's-1', user: { id: 'u-1' } } as LiveSession;
    await s.service.signOut(session);
    expect(s.sessionRows.revoke).toHaveBeenCalledWith('s-1', NOW, tx);
    await s.service.signOutEverywhere(session);
    expect(s.sessionRows.revokeAllForUser).toHaveBeenCalledWith('u-1', NOW, tx);
    expect(s.audit.append.mock.calls.map(([manager, entry]) => [manager, entry.action, entry.details])).toEqual([
      [tx, 'auth.signed-out', undefined],
      [tx, 'auth.signed-out-everywhere', { sessionsEnded: 3 }],
    ]);
  });
});
