import { Injectable } from '@nestjs/common';
import { sessionCookieValue } from '../auth/session-cookie';
import { SessionService } from '../auth/sessions.service';

/** `signed-out`: no live session (401); `not-admin`: a session of someone else, or one still enrolling its authenticator (403). */
export type AdminVerdict = 'admin' | 'signed-out' | 'not-admin';

/**
 * Whether a request comes from an administrator signed in to the console, by its session cookie
 * alone: for what is not a Nest route (the queue dashboard) and for what takes no API key.
 */
@Injectable()
export class AdminSessions {
  constructor(private readonly sessions: SessionService) {}

  async verdict(cookieHeader: string | undefined): Promise<AdminVerdict> {
    const token = sessionCookieValue(cookieHeader);
    const session = token === null ? null : await this.sessions.authenticate(token);
    if (!session) return 'signed-out';
    return session.stage === 'full' && session.user.roles.includes('admin') ? 'admin' : 'not-admin';
  }
}
