import { BadRequestException, ConflictException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import { totpCode } from '@tlp-broker/harness';
import type { LiveSession, SessionRepository, UserRepository } from '@tlp-broker/persistence';
import { rejection } from '../../../../test/support/errors';
import { fakeAudit, fakeTransactions, tx } from '../../../../test/support/mocks';
import { Clock } from '@tlp-broker/config';
import { SessionService } from './sessions.service';
import { totpStep } from './totp';
import { TotpEnrolmentService } from './totp-enrolment.service';

const NOW = new Date('2026-05-04T10:00:10Z');
const PENDING = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

function enrolling(overrides: Partial<LiveSession> = {}): LiveSession {
  return {
    id: 's-1',
    csrfToken: 'csrf',
    stage: 'enrol',
    pendingTotpSecret: PENDING,
    createdAt: NOW,
    lastSeenAt: NOW,
    expiresAt: new Date(NOW.getTime() + 3_600_000),
    user: { id: 'u-1', name: 'alice', roles: ['analyst'], status: 'active', totpEnrolled: false },
    ...overrides,
  };
}

function enrolment() {
  const users = { enrolTotp: vi.fn(async () => true) };
  const sessionRows = { setPendingTotpSecret: vi.fn(async () => undefined), completeEnrolment: vi.fn() };
  const clock = { now: () => NOW } as Clock;
  const config = { sessions: { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 } } as AppConfig;
  const audit = fakeAudit();
  const service = new TotpEnrolmentService(
    fakeTransactions(),
    audit,
    users as unknown as UserRepository,
    sessionRows as unknown as SessionRepository,
    new SessionService(config, {} as SessionRepository, clock),
    clock,
  );
  return { service, users, sessionRows, audit };
}

describe('TotpEnrolmentService', () => {
  it('hands out a new secret and its otpauth:// URI, kept on the session until confirmed', async () => {
    const e = enrolment();
    const view = await e.service.start(enrolling({ pendingTotpSecret: null }));
    expect(view.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(view.uri).toBe(
      `otpauth://totp/tlp-broker:alice?secret=${view.secret}&issuer=tlp-broker&algorithm=SHA1&digits=6&period=30`,
    );
    expect(e.sessionRows.setPendingTotpSecret).toHaveBeenCalledWith('s-1', view.secret);
    expect((await e.service.start(enrolling())).secret).not.toBe(view.secret);
  });

  it('answers 409 to a member who has an authenticator already', async () => {
    const e = enrolment();
    const enrolled = enrolling({ stage: 'full', user: { ...enrolling().user, totpEnrolled: true } });
    await rejection(e.service.start(enrolled), ConflictException);
    await rejection(e.service.confirm(enrolled, totpCode(PENDING, NOW.getTime())), ConflictException);
    expect(e.sessionRows.setPendingTotpSecret).not.toHaveBeenCalled();
  });

  it('enrols the pending secret with its current code: the session becomes full, audited', async () => {
    const e = enrolment();
    const view = await e.service.confirm(enrolling(), totpCode(PENDING, NOW.getTime()));
    expect(e.users.enrolTotp).toHaveBeenCalledWith('u-1', PENDING, totpStep(NOW), NOW, tx);
    expect(e.sessionRows.completeEnrolment).toHaveBeenCalledWith('s-1', tx);
    expect(e.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'auth.totp-enrolled',
      subjectType: 'user',
      subjectId: 'u-1',
      details: { session: 's-1' },
    });
    expect(view).toMatchObject({ stage: 'full', totpEnrolled: true, user: { id: 'u-1', name: 'alice' } });
  });

  it('answers 400 naming code for a wrong code, and changes nothing', async () => {
    const e = enrolment();
    const error = await rejection(
      e.service.confirm(enrolling(), totpCode(PENDING, NOW.getTime() + 300_000)),
      BadRequestException,
    );
    expect(error.getResponse()).toMatchObject({ details: [{ field: 'code', message: expect.any(String) }] });
    expect(e.users.enrolTotp).not.toHaveBeenCalled();
    expect(e.audit.append).not.toHaveBeenCalled();
  });

  it('answers 409 when no secret was handed out, or when another session enrolled one first', async () => {
    const e = enrolment();
    await rejection(e.service.confirm(enrolling({ pendingTotpSecret: null }), '123456'), ConflictException);
    e.users.enrolTotp.mockResolvedValue(false);
    await rejection(e.service.confirm(enrolling(), totpCode(PENDING, NOW.getTime())), ConflictException);
    expect(e.sessionRows.completeEnrolment).not.toHaveBeenCalled();
  });
});
