import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PublicKeyInfo } from '@tlp-broker/crypto';
import { AuditLog, OrganisationRepository, Transactions } from '@tlp-broker/persistence';
import { StaffPrincipal } from '../auth/principal';
import { ChannelDto, CreateOrganisationDto } from './organisations.dto';
import { ChannelView, OrganisationView, organisationView } from './organisation-views';
import { PartnerSetupService, rethrowConflict } from './partner-setup.service';

/**
 * Registers a partner organisation with its key and channels. Everything an administrator can get
 * wrong (accreditations, key, channel addresses) is checked before anything is stored; the rest is
 * one transaction, audited.
 */
@Injectable()
export class OrganisationRegistrationService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly setup: PartnerSetupService,
    private readonly organisations: OrganisationRepository,
  ) {}

  async register(dto: CreateOrganisationDto, actor: StaffPrincipal): Promise<OrganisationView> {
    await this.setup.checkAccreditations(dto.accreditations ?? []);
    const channels = await this.setup.vetChannels(dto.channels);
    const key = await this.setup.checkKey(dto.publicKey, { pinnedFingerprint: dto.fingerprint });
    const name = dto.name.trim();
    return this.transactions
      .run((tx) => this.store({ ...dto, name }, channels, key, actor, tx))
      .catch((error: unknown) => rethrowConflict(error, `an organisation named "${name}" is already registered`));
  }

  private async store(
    dto: CreateOrganisationDto,
    channelSpecs: ChannelDto[],
    key: PublicKeyInfo,
    actor: StaffPrincipal,
    tx: EntityManager,
  ): Promise<OrganisationView> {
    const organisation = await this.organisations.insertOrganisation(
      {
        name: dto.name,
        kind: dto.kind,
        country: dto.country ?? null,
        relation: dto.relation,
        communities: dto.communities ?? [],
        accreditations: dto.accreditations ?? [],
      },
      tx,
    );
    const holder = { organisationId: organisation.id, contactId: null };
    const keyRow = await this.setup.storeKey(key, holder, tx);
    const channels: ChannelView[] = [];
    for (const channel of channelSpecs)
      channels.push(
        await this.setup.openChannel(holder, keyRow, { ...channel, redistributes: channel.redistributes ?? false }, tx),
      );
    await this.audit.append(tx, {
      actor: `user:${actor.userId}`,
      action: 'organisation.registered',
      subjectType: 'organisation',
      subjectId: organisation.id,
      details: {
        name: organisation.name,
        relation: organisation.relation,
        communities: organisation.communities,
        keyFingerprint: key.fingerprint,
      },
    });
    return organisationView(organisation, keyRow, channels, []);
  }
}
