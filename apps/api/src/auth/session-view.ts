import type { Role } from '@tlp-broker/domain';

/**
 * A signed-in console session as the console reads it (GET /auth/session, and the answer to
 * sign-in and to enrolment). `stage` `enrol`: signed in with the password alone, and the member must
 * enrol an authenticator before anything else. `csrfToken` goes back in the `X-CSRF-Token` header
 * of every POST, PUT, PATCH and DELETE made with the session cookie. The session ends at
 * `expiresAt` however active it is, and at `idleExpiresAt` unless a request comes before.
 */
export interface SessionView {
  user: { id: string; name: string; roles: Role[] };
  stage: 'enrol' | 'full';
  totpEnrolled: boolean;
  csrfToken: string;
  expiresAt: string;
  idleExpiresAt: string;
}

/** A TOTP secret handed out for enrolment: `uri` is what an authenticator app reads from a QR code. */
export interface TotpEnrolmentView {
  secret: string;
  uri: string;
}
