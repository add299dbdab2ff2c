import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { PartnerStatus } from '@tlp-broker/domain';
import { AuditLog } from '../audit-log';
import { UserEntity } from '../entities';
import { SessionRepository } from './sessions.repository';

/** The contact a reporter's portal account belongs to, and its organisation. */
export interface PortalAccountOwner {
  readonly contactId: string;
  readonly contactName: string;
  readonly contactStatus: PartnerStatus;
  readonly organisationId: string;
  readonly organisationName: string;
  readonly organisationStatus: PartnerStatus;
}

interface PortalAccountOwnerRow {
  contact_id: string;
  contact_name: string;
  contact_status: PartnerStatus;
  organisation_id: string;
  organisation_name: string;
  organisation_status: PartnerStatus;
}

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

  /** Every team member, by name (reporters' portal accounts are not members). */
  list(tx?: EntityManager): Promise<UserEntity[]> {
    return this.db(tx)
      .getRepository(UserEntity)
      .createQueryBuilder('user')
      .where('user.contact_id IS NULL')
      .orderBy('lower(user.name)', 'ASC')
      .getMany();
  }

  /**
   * A reporter's portal account for the contact: the role `reporter` and nothing else, no API key
   * (it signs in to the portal only). Names are unique among all users, and a contact has one account.
   */
  async insertPortalAccount(name: string, contactId: string, tx?: EntityManager): Promise<UserEntity> {
    const repository = this.db(tx).getRepository(UserEntity);
    const { identifiers } = await repository.insert({ name, roles: ['reporter'], status: 'active', contactId });
    return repository.findOneByOrFail({ id: identifiers[0].id as string });
  }

  /** The portal account of a contact, if it has one. */
  findByContact(contactId: string, tx?: EntityManager): Promise<UserEntity | null> {
    return this.db(tx).getRepository(UserEntity).findOneBy({ contactId });
  }

  /** Whom a portal account reports for: its contact and the contact's organisation, each with its status. */
  async portalAccountOwner(userId: string, tx?: EntityManager): Promise<PortalAccountOwner | null> {
    const [row]: PortalAccountOwnerRow[] = await this.db(tx).query(
      `SELECT c.id AS contact_id, c.name AS contact_name, c.status AS contact_status,
              o.id AS organisation_id, o.name AS organisation_name, o.status AS organisation_status
         FROM users u JOIN contacts c ON c.id = u.contact_id JOIN organisations o ON o.id = c.organisation_id
        WHERE u.id = $1`,
      [userId],
    );
    if (!row) return null;
    return {
      contactId: row.contact_id,
      contactName: row.contact_name,
      contactStatus: row.contact_status,
      organisationId: row.organisation_id,
      organisationName: row.organisation_name,
      organisationStatus: row.organisation_status,
    };
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
