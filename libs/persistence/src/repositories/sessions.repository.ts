import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import type { PartnerStatus, Role } from '@tlp-broker/domain';
import { SessionEntity, SessionStage } from '../entities';

/** How often a session's last activity is written at most: a busy console does not write on every request. */
export const SESSION_TOUCH_RESOLUTION_MS = 30_000;

export interface NewSession {
  readonly userId: string;
  /** SHA-256 (hex) of the cookie value, which is never stored. */
  readonly tokenHash: string;
  readonly csrfToken: string;
  readonly stage: SessionStage;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** A session that is not revoked, with its member as they are now; the caller judges its times and the member's status. */
export interface LiveSession {
  readonly id: string;
  readonly csrfToken: string;
  readonly stage: SessionStage;
  readonly pendingTotpSecret: string | null;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
  readonly user: {
    readonly id: string;
    readonly name: string;
    readonly roles: Role[];
    readonly status: PartnerStatus;
    readonly totpEnrolled: boolean;
  };
}

interface LiveSessionRow {
  id: string;
  csrf_token: string;
  stage: SessionStage;
  pending_totp_secret: string | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  user_id: string;
  user_name: string;
  user_roles: Role[];
  user_status: PartnerStatus;
  totp_enrolled: boolean;
}

/**
 * Console sessions (sessions). Looked up by the hash of the cookie value only; a session ends when
 * it is revoked, and the caller refuses one past its absolute or idle end.
 */
@Injectable()
export class SessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  private db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  insert(session: NewSession, tx?: EntityManager): Promise<SessionEntity> {
    const repository = this.db(tx).getRepository(SessionEntity);
    return repository.save(
      repository.create({ ...session, lastSeenAt: session.createdAt, pendingTotpSecret: null, revokedAt: null }),
    );
  }

  /** The unrevoked session with this token hash and its member, in one query (every signed-in request makes it). */
  async findLive(tokenHash: string, tx?: EntityManager): Promise<LiveSession | null> {
    const [row] = (await this.db(tx).query(
      `SELECT s.id, s.csrf_token, s.stage, s.pending_totp_secret, s.created_at, s.last_seen_at, s.expires_at,
              u.id AS user_id, u.name AS user_name, u.roles AS user_roles, u.status AS user_status,
              u.totp_enrolled_at IS NOT NULL AS totp_enrolled
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL`,
      [tokenHash],
    )) as LiveSessionRow[];
    return row ? liveSession(row) : null;
  }

  /**
   * Records activity at `at`, unless some was recorded less than SESSION_TOUCH_RESOLUTION_MS
   * before; true when it was written.
   */
  async touch(sessionId: string, at: Date, tx?: EntityManager): Promise<boolean> {
    const [, count]: [unknown[], number] = await this.db(tx).query(
      `UPDATE sessions SET last_seen_at = $2
        WHERE id = $1 AND revoked_at IS NULL AND last_seen_at <= $2::timestamptz - $3 * interval '1 millisecond'`,
      [sessionId, at, SESSION_TOUCH_RESOLUTION_MS],
    );
    return count > 0;
  }

  /** Ends one session (a session already ended keeps its first end). */
  async revoke(sessionId: string, at: Date, tx?: EntityManager): Promise<void> {
    await this.db(tx).getRepository(SessionEntity).update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: at });
  }

  /** Ends every live session of a member; returns how many there were. */
  async revokeAllForUser(userId: string, at: Date, tx?: EntityManager): Promise<number> {
    const result = await this.db(tx)
      .getRepository(SessionEntity)
      .update({ userId, revokedAt: IsNull() }, { revokedAt: at });
    return result.affected ?? 0;
  }

  /** Keeps the TOTP secret handed out for enrolment until its first code confirms it (replacing any earlier one). */
  async setPendingTotpSecret(sessionId: string, secret: string, tx?: EntityManager): Promise<void> {
    await this.db(tx)
      .getRepository(SessionEntity)
      .update({ id: sessionId, revokedAt: IsNull() }, { pendingTotpSecret: secret });
  }

  /** The member has enrolled an authenticator: the session becomes a full one and forgets the pending secret. */
  async completeEnrolment(sessionId: string, tx?: EntityManager): Promise<void> {
    await this.db(tx)
      .getRepository(SessionEntity)
      .update({ id: sessionId }, { stage: 'full', pendingTotpSecret: null });
  }
}

function liveSession(row: LiveSessionRow): LiveSession {
  return {
    id: row.id,
    csrfToken: row.csrf_token,
    stage: row.stage,
    pendingTotpSecret: row.pending_totp_secret,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    user: {
      id: row.user_id,
      name: row.user_name,
      roles: row.user_roles,
      status: row.user_status,
      totpEnrolled: row.totp_enrolled,
    },
  };
}
