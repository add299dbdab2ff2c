import { Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PublicKeyInfo } from '@tlp-broker/crypto';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { AuditLog, OrganisationRepository, Transactions } from '@tlp-broker/persistence';
import { StaffPrincipal } from '../auth/principal';
import { CreateContactDto } from './organisations.dto';
import { ContactView, contactView } from './organisation-views';
import { PartnerSetupService, rethrowConflict } from './partner-setup.service';

/**
 * Registers a named person at a partner, with a personal key and a personal pull channel: the
 * only way TLP:RED leaves the broker.
 */
@Injectable()
export class ContactsService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly setup: PartnerSetupService,
    private readonly organisations: OrganisationRepository,
  ) {}

  async addContact(organisationId: string, dto: CreateContactDto, actor: StaffPrincipal): Promise<ContactView> {
    const organisation = await this.organisations.findById(organisationId);
    if (!organisation) throw new NotFoundException(`organisation ${organisationId} not found`);
    const key = await this.setup.checkKey(dto.publicKey, {
      pinnedFingerprint: dto.fingerprint,
      expectedEmail: this.config.keys.requireEmailMatch ? dto.email : undefined,
    });
    return this.transactions
      .run((tx) => this.store(organisationId, dto, key, actor, tx))
      .catch((error: unknown) => rethrowConflict(error, `${dto.email} is already a contact of ${organisation.name}`));
  }

  private async store(
    organisationId: string,
    dto: CreateContactDto,
    key: PublicKeyInfo,
    actor: StaffPrincipal,
    tx: EntityManager,
  ): Promise<ContactView> {
    const contact = await this.organisations.insertContact(
      { organisationId, name: dto.name.trim(), email: dto.email.trim() },
      tx,
    );
    const holder = { organisationId, contactId: contact.id };
    const keyRow = await this.setup.storeKey(key, holder, tx);
    const channel = await this.setup.openChannel(
      holder,
      keyRow,
      { kind: 'feed', redistributes: false, scopes: dto.scopes },
      tx,
    );
    await this.audit.append(tx, {
      actor: `user:${actor.userId}`,
      action: 'contact.registered',
      subjectType: 'contact',
      subjectId: contact.id,
      details: { organisationId, name: contact.name, keyFingerprint: key.fingerprint },
    });
    return contactView(contact, keyRow, [channel]);
  }
}
