import { ConflictException, Injectable } from '@nestjs/common';
import { AuditLog, LiveSession, SessionRepository, Transactions, UserRepository } from '@tlp-broker/persistence';
import { invalidField } from '../common/errors';
import { WallClock } from '@tlp-broker/config';
import { SessionView, TotpEnrolmentView } from './session-view';
import { SessionService } from './sessions.service';
import { acceptedTotpStep, newTotpSecret, totpUri } from './totp';

function alreadyEnrolled(): ConflictException {
  return new ConflictException(
    'an authenticator is already enrolled for this member: an administrator can reset it (POST /users/:id/totp/reset)',
  );
}

/**
 * A member enrols an authenticator: a secret is handed out and kept on the session until a code
 * computed from it proves the authenticator holds it; then it becomes the member's, and the
 * session a full one.
 */
@Injectable()
export class TotpEnrolmentService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly users: UserRepository,
    private readonly sessionRows: SessionRepository,
    private readonly sessions: SessionService,
    private readonly clock: WallClock,
  ) {}

  /** A new secret for the member's authenticator (a second call replaces the first); 409 once one is enrolled. */
  async start(session: LiveSession): Promise<TotpEnrolmentView> {
    if (session.user.totpEnrolled) throw alreadyEnrolled();
    const secret = newTotpSecret();
    await this.sessionRows.setPendingTotpSecret(session.id, secret);
    return { secret, uri: totpUri(secret, session.user.name) };
  }

  /** Enrols the secret handed out to this session, given its current code; 400 naming `code` for a wrong one. */
  async confirm(session: LiveSession, code: string): Promise<SessionView> {
    if (session.user.totpEnrolled) throw alreadyEnrolled();
    const secret = session.pendingTotpSecret;
    if (secret === null)
      throw new ConflictException(
        'no authenticator is being enrolled in this session: POST /auth/totp/enrolment first',
      );
    const now = this.clock.now();
    const step = acceptedTotpStep(secret, code, null, now);
    if (step === null)
      throw invalidField('code', 'is not the current code of the secret handed out (check the device’s clock)');
    await this.transactions.run(async (tx) => {
      if (!(await this.users.enrolTotp(session.user.id, secret, step, now, tx))) throw alreadyEnrolled();
      await this.sessionRows.completeEnrolment(session.id, tx);
      await this.audit.append(tx, {
        actor: `user:${session.user.id}`,
        action: 'auth.totp-enrolled',
        subjectType: 'user',
        subjectId: session.user.id,
        details: { session: session.id },
      });
    });
    return this.sessions.view({
      ...session,
      stage: 'full',
      pendingTotpSecret: null,
      user: { ...session.user, totpEnrolled: true },
    });
  }
}
