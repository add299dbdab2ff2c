import { Injectable } from '@nestjs/common';
import {
  AuditLog,
  hashPassword,
  isUniqueViolation,
  OrganisationRepository,
  SessionRepository,
  setUserPassword,
  Transactions,
  UserEntity,
  UserRepository,
} from '@tlp-broker/persistence';
import type { PartnerStatus, Role } from '@tlp-broker/domain';
import { conflict, notFound } from '../submissions/submission-answers';
import { PortalAccountDto } from './reports.dto';

/** A reporter's portal account, as administrators see it: never a credential. */
export interface PortalAccountView {
  id: string;
  name: string;
  /** `reporter`, and nothing else. */
  roles: Role[];
  status: PartnerStatus;
  organisationId: string;
  contactId: string;
  /** An authenticator is enrolled (the reporter signs in with password and code). */
  totpEnrolled: boolean;
  createdAt: string;
}

/**
 * Portal accounts of named contacts of partner organisations: they sign in like team members
 * (password, then an authenticator enrolled at the first sign-in) and reach the reporting forms
 * and the status of their own reports only.
 */
@Injectable()
export class PortalAccountsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly organisations: OrganisationRepository,
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
  ) {}

  /** 404 for a contact the organisation does not have; 409 for a suspended contact, one with an account, or a name taken. */
  async create(
    organisationId: string,
    contactId: string,
    dto: PortalAccountDto,
    actorId: string,
  ): Promise<PortalAccountView> {
    const contact = await this.organisations.findContact(organisationId, contactId);
    if (!contact) throw notFound('contactId', `organisation ${organisationId} has no contact ${contactId}`);
    if (contact.status !== 'active') throw conflict('contactId', `${contact.name} is suspended`);
    if (await this.users.findByContact(contactId))
      throw conflict('contactId', `${contact.name} already has a portal account`);
    // Hashed before the transaction opens: scrypt takes a while and holds no lock.
    const passwordHash = await hashPassword(dto.password);
    const name = dto.name.trim();
    const actor = `user:${actorId}`;
    try {
      const user = await this.transactions.run(async (tx) => {
        const created = await this.users.insertPortalAccount(name, contactId, tx);
        await this.audit.append(tx, {
          actor,
          action: 'user.portal-account-created',
          subjectType: 'user',
          subjectId: created.id,
          details: { name, roles: created.roles, organisationId, contactId },
        });
        await setUserPassword(tx, this.audit, created.id, passwordHash, actor, {
          users: this.users,
          sessions: this.sessions,
        });
        return created;
      });
      return portalAccountView(user, organisationId);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (await this.users.findByContact(contactId))
        throw conflict('contactId', `${contact.name} already has a portal account`);
      throw conflict('name', `a user named "${name}" already exists`);
    }
  }

  /** The contact's portal account; 404 when it has none. */
  async get(organisationId: string, contactId: string): Promise<PortalAccountView> {
    const contact = await this.organisations.findContact(organisationId, contactId);
    if (!contact) throw notFound('contactId', `organisation ${organisationId} has no contact ${contactId}`);
    const user = await this.users.findByContact(contactId);
    if (!user) throw notFound('contactId', `${contact.name} has no portal account`);
    return portalAccountView(user, organisationId);
  }
}

function portalAccountView(user: UserEntity, organisationId: string): PortalAccountView {
  return {
    id: user.id,
    name: user.name,
    roles: user.roles,
    status: user.status,
    organisationId,
    contactId: user.contactId ?? '',
    totpEnrolled: user.totpEnrolledAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}
