import { HttpException, HttpStatus, Injectable, UnauthorizedException } from '@nestjs/common';
import {
  AuditLog,
  DUMMY_PASSWORD_HASH,
  LiveSession,
  SessionRepository,
  Transactions,
  UserEntity,
  UserRepository,
  verifyPassword,
} from '@tlp-broker/persistence';
import { WallClock } from '@tlp-broker/config';
import { OpenedSession, SessionService } from './sessions.service';
import { SignInAttempt, SignInThrottle } from './sign-in-throttle';
import { acceptedTotpStep } from './totp';

export interface SignInRequest extends SignInAttempt {
  readonly password: string;
  readonly code: string | null;
}

/** Why a sign-in was refused: in the audit trail only; the caller always gets the same answer. */
export type SignInFailure =
  'unknown-name' | 'no-password' | 'wrong-password' | 'suspended' | 'code-missing' | 'wrong-code' | 'code-reused';

export const SIGN_IN_REFUSED = 'name, password or code is wrong';

/** 429 for a name or address that failed too often; `retryAfter` (seconds) goes in the Retry-After header. */
export class TooManySignIns extends HttpException {
  constructor(readonly retryAfter: number) {
    super(
      {
        statusCode: 429,
        error: 'Too Many Requests',
        message: `too many failed sign-ins with this name or from this address; retry in ${retryAfter} s`,
        retryAfter,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** Thrown inside the sign-in transaction when another request used the same code first. */
class CodeReused extends Error {}

/**
 * Signing in and out of the console. Every refusal gets the same answer whatever went wrong (an
 * unknown name, a wrong password, a wrong, missing or reused code, a suspended member, a member
 * without a password), after the same password work (a dummy hash stands in when there is no hash
 * to check), so neither the answer nor its time tells which names exist. Refusals are audited with
 * their reason and counted by SignInThrottle.
 */
@Injectable()
export class SignInService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly users: UserRepository,
    private readonly sessionRows: SessionRepository,
    private readonly sessions: SessionService,
    private readonly throttle: SignInThrottle,
    private readonly clock: WallClock,
  ) {}

  /** A new session for the member; 401 (the same for every failure) or 429. */
  async signIn(request: SignInRequest): Promise<OpenedSession> {
    const retryAfter = await this.throttle.retryAfter(request);
    if (retryAfter !== null) throw new TooManySignIns(retryAfter);
    const user = await this.users.findByName(request.name.trim());
    const checked = await this.check(user, request);
    if ('failure' in checked) return this.refuse(request, user, checked.failure);
    const { member } = checked;
    try {
      return await this.transactions.run(async (tx) => {
        if (checked.step !== null && !(await this.users.acceptTotpStep(member.id, checked.step, tx)))
          throw new CodeReused();
        const opened = await this.sessions.open({ ...member, totpEnrolled: member.totpEnrolledAt !== null }, tx);
        await this.audit.append(tx, {
          actor: `user:${member.id}`,
          action: 'auth.signed-in',
          subjectType: 'session',
          subjectId: opened.session.id,
          details: { name: member.name, address: request.address, stage: opened.session.stage },
        });
        return opened;
      });
    } catch (error) {
      if (error instanceof CodeReused) return this.refuse(request, user, 'code-reused');
      throw error;
    }
  }

  /** Ends this session. */
  async signOut(session: LiveSession): Promise<void> {
    await this.transactions.run(async (tx) => {
      await this.sessionRows.revoke(session.id, this.clock.now(), tx);
      await this.audit.append(tx, {
        actor: `user:${session.user.id}`,
        action: 'auth.signed-out',
        subjectType: 'session',
        subjectId: session.id,
      });
    });
  }

  /** Ends every session of the member, this one included (a lost laptop, a shared computer). */
  async signOutEverywhere(session: LiveSession): Promise<void> {
    await this.transactions.run(async (tx) => {
      const sessionsEnded = await this.sessionRows.revokeAllForUser(session.user.id, this.clock.now(), tx);
      await this.audit.append(tx, {
        actor: `user:${session.user.id}`,
        action: 'auth.signed-out-everywhere',
        subjectType: 'user',
        subjectId: session.user.id,
        details: { sessionsEnded },
      });
    });
  }

  /** The password (always checked, against a dummy when there is nothing to check), then the member, then the code. */
  private async check(
    user: UserEntity | null,
    request: SignInRequest,
  ): Promise<{ failure: SignInFailure } | { member: UserEntity; step: number | null }> {
    const passwordMatches = await verifyPassword(request.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user) return { failure: 'unknown-name' };
    if (user.passwordHash === null) return { failure: 'no-password' };
    if (!passwordMatches) return { failure: 'wrong-password' };
    if (user.status !== 'active') return { failure: 'suspended' };
    if (user.totpSecret === null) return { member: user, step: null };
    if (!request.code) return { failure: 'code-missing' };
    const now = this.clock.now();
    const lastStep = user.totpLastStep === null ? null : Number(user.totpLastStep);
    const step = acceptedTotpStep(user.totpSecret, request.code, lastStep, now);
    if (step !== null) return { member: user, step };
    const reused = acceptedTotpStep(user.totpSecret, request.code, null, now) !== null;
    return { failure: reused ? 'code-reused' : 'wrong-code' };
  }

  private async refuse(request: SignInRequest, user: UserEntity | null, failure: SignInFailure): Promise<never> {
    await this.throttle.failed(request);
    await this.transactions.run((tx) =>
      this.audit.append(tx, {
        actor: 'anonymous',
        action: 'auth.sign-in-failed',
        subjectType: 'user',
        subjectId: user?.id ?? 'unknown',
        details: { name: request.name, address: request.address, reason: failure },
      }),
    );
    throw new UnauthorizedException(SIGN_IN_REFUSED);
  }
}
