import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { LiveSession, SESSION_TOUCH_RESOLUTION_MS, SessionRepository } from '@tlp-broker/persistence';
import type { Role } from '@tlp-broker/domain';
import { WallClock } from '@tlp-broker/config';
import { StaffPrincipal } from './principal';
import { SessionView } from './session-view';

/** The member a session is opened for. */
export interface SessionHolder {
  readonly id: string;
  readonly name: string;
  readonly roles: Role[];
  readonly status: LiveSession['user']['status'];
  readonly totpEnrolled: boolean;
}

/** A session just opened: the cookie value (shown to the browser once, never stored) and the session. */
export interface OpenedSession {
  readonly token: string;
  readonly session: LiveSession;
}

/** 256 random bits in base64url, as the cookie value is made. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Console sessions: opened at sign-in (stage `full` for a member with an authenticator, `enrol`
 * for one who must enrol one first), found again by the SHA-256 of the cookie value, and refused
 * past their absolute end (SESSION_MAX_HOURS after sign-in), after SESSION_IDLE_MINUTES without a
 * request, once revoked, or once their member is suspended.
 */
@Injectable()
export class SessionService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
    private readonly clock: WallClock,
  ) {}

  /** Opens a session for `user`, in the caller's transaction. */
  async open(user: SessionHolder, tx: EntityManager): Promise<OpenedSession> {
    const now = this.clock.now();
    const token = randomBytes(32).toString('base64url');
    const row = await this.sessions.insert(
      {
        userId: user.id,
        tokenHash: hashSessionToken(token),
        csrfToken: randomBytes(32).toString('base64url'),
        stage: user.totpEnrolled ? 'full' : 'enrol',
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.config.sessions.maxMs),
      },
      tx,
    );
    const { id, name, roles, status, totpEnrolled } = user;
    return {
      token,
      session: {
        id: row.id,
        csrfToken: row.csrfToken,
        stage: row.stage,
        pendingTotpSecret: null,
        createdAt: row.createdAt,
        lastSeenAt: row.lastSeenAt,
        expiresAt: row.expiresAt,
        user: { id, name, roles, status, totpEnrolled },
      },
    };
  }

  /**
   * The live session the cookie value opens, with this request recorded as its latest activity
   * (written at most every SESSION_TOUCH_RESOLUTION_MS); null for anything else.
   */
  async authenticate(token: string): Promise<LiveSession | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const session = await this.sessions.findLive(hashSessionToken(token));
    const now = this.clock.now();
    if (!session || session.user.status !== 'active' || !this.isLive(session, now)) return null;
    if (now.getTime() - session.lastSeenAt.getTime() < SESSION_TOUCH_RESOLUTION_MS) return session;
    await this.sessions.touch(session.id, now);
    return { ...session, lastSeenAt: now };
  }

  /** Before its absolute end, and within the idle time-out of its latest activity. */
  isLive(session: Pick<LiveSession, 'lastSeenAt' | 'expiresAt'>, now: Date): boolean {
    return now < session.expiresAt && now < this.idleEnd(session);
  }

  view(session: LiveSession): SessionView {
    const { id, name, roles } = session.user;
    return {
      user: { id, name, roles },
      stage: session.stage,
      totpEnrolled: session.user.totpEnrolled,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt.toISOString(),
      idleExpiresAt: this.idleEnd(session).toISOString(),
    };
  }

  /** The team member a session acts as: the same principal as the member's API key. */
  principal(session: LiveSession): StaffPrincipal {
    const { id, name, roles } = session.user;
    return { kind: 'staff', userId: id, name, roles };
  }

  /** When the session ends if no request comes before (never after its absolute end). */
  private idleEnd(session: Pick<LiveSession, 'lastSeenAt' | 'expiresAt'>): Date {
    const idle = session.lastSeenAt.getTime() + this.config.sessions.idleMs;
    return new Date(Math.min(idle, session.expiresAt.getTime()));
  }
}
