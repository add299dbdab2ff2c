import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '../audit-log';
import { UserEntity } from '../entities';
import { SessionRepository } from './sessions.repository';

/**
 * Team members' console credentials (users: password hash, TOTP secret and last accepted step) and
 * the list of members. Creating a member and its API keys is ApiKeyRepository's; every query here
 * is a named method, taking the caller's `tx` as last argument where it must join a transaction.
 */
@Injectable()
export class UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  private db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  /** The member with this name, in any case (names are unique regardless of case). */
  async findByName(name: string, tx?: EntityManager): Promise<UserEntity | null> {
    return this.db(tx)
      .getRepository(UserEntity)
      .createQueryBuilder('user')
      .where('lower(user.name) = lower(:name)', { name })
      .getOne();
  }

  findById(id: string, tx?: EntityManager): Promise<UserEntity | null> {
    return this.db(tx).getRepository(UserEntity).findOneBy({ id });
  }

  /** Every member, by name. */
  list(tx?: EntityManager): Promise<UserEntity[]> {
    return this.db(tx)
      .getRepository(UserEntity)
      .createQueryBuilder('user')
      .orderBy('lower(user.name)', 'ASC')
      .getMany();
  }

  /** Replaces the member's password hash; false when there is no such member. */
  async setPasswordHash(userId: string, passwordHash: string, tx?: EntityManager): Promise<boolean> {
    const result = await this.db(tx).getRepository(UserEntity).update({ id: userId }, { passwordHash });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Records that a code of time step `step` was accepted, only if no code of this step or a later
   * one was accepted before: two requests racing with the same code cannot both succeed.
   */
  async acceptTotpStep(userId: string, step: number, tx?: EntityManager): Promise<boolean> {
    const rows = (await this.db(tx).query(
      `UPDATE users SET totp_last_step = $2
        WHERE id = $1 AND totp_enrolled_at IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $2)
        RETURNING id`,
      [userId, step],
    )) as [{ id: string }[], number];
    return rows[1] > 0;
  }

  /** Enrols an authenticator whose first code (of `step`) was just checked; false if one is enrolled already. */
  async enrolTotp(userId: string, secret: string, step: number, at: Date, tx?: EntityManager): Promise<boolean> {
    const rows = (await this.db(tx).query(
      `UPDATE users SET totp_secret = $2, totp_enrolled_at = $3, totp_last_step = $4
        WHERE id = $1 AND totp_enrolled_at IS NULL
        RETURNING id`,
      [userId, secret, at, step],
    )) as [{ id: string }[], number];
    return rows[1] > 0;
  }

  /** Forgets the member's authenticator (they enrol again at their next sign-in); false if there is no such member. */
  async resetTotp(userId: string, tx?: EntityManager): Promise<boolean> {
    const result = await this.db(tx)
      .getRepository(UserEntity)
      .update({ id: userId }, { totpSecret: null, totpEnrolledAt: null, totpLastStep: null });
    return (result.affected ?? 0) > 0;
  }
}

/**
 * Gives a member a new password (hashed by the caller: see hashPassword), ends their console
 * sessions and audits it, in the caller's transaction; false when there is no such member. Used by
 * the HTTP route, the command line, the demonstration and the tests.
 */
export async function setUserPassword(
  manager: EntityManager,
  audit: AuditLog,
  userId: string,
  passwordHash: string,
  actor: string,
  repositories: { users?: UserRepository; sessions?: SessionRepository } = {},
): Promise<boolean> {
  const { users = new UserRepository(manager.dataSource), sessions = new SessionRepository(manager.dataSource) } =
    repositories;
  if (!(await users.setPasswordHash(userId, passwordHash, manager))) return false;
  const sessionsEnded = await sessions.revokeAllForUser(userId, new Date(), manager);
  await audit.append(manager, {
    actor,
    action: 'user.password-set',
    subjectType: 'user',
    subjectId: userId,
    details: { sessionsEnded },
  });
  return true;
}
