import { Injectable, NotFoundException } from '@nestjs/common';
import {
  AuditLog,
  OrganisationChanges,
  OrganisationEntity,
  OrganisationRepository,
  Transactions,
} from '@tlp-broker/persistence';
import { requireSomeField } from '../common/validators';
import { StaffPrincipal } from '../auth/principal';
import { UpdateChannelDto, UpdateContactDto, UpdateOrganisationDto } from './organisations.dto';
import { OrganisationView } from './organisation-views';
import { OrganisationViewsService } from './organisation-views.service';
import { PartnerSetupService } from './partner-setup.service';

const ORGANISATION_FIELDS = ['status', 'communities', 'accreditations'] as const;

type Changes = Record<string, { from: unknown; to: unknown }>;

/**
 * Suspends and reinstates partners, contacts and channels, and changes an organisation's
 * communities or accreditations; each change audited with what it was and what it became. The
 * rules are checked again at send time, so a suspension stops queued deliveries too.
 */
@Injectable()
export class OrganisationUpdatesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly setup: PartnerSetupService,
    private readonly organisations: OrganisationRepository,
    private readonly views: OrganisationViewsService,
  ) {}

  async update(id: string, dto: UpdateOrganisationDto, actor: StaffPrincipal): Promise<OrganisationView> {
    requireSomeField(dto, ORGANISATION_FIELDS);
    if (dto.accreditations) await this.setup.checkAccreditations(dto.accreditations);
    await this.transactions.run(async (tx) => {
      const organisation = await this.organisations.lockForUpdate(id, tx);
      if (!organisation) throw new NotFoundException(`organisation ${id} not found`);
      const { values, changes } = changesTo(organisation, dto);
      if (Object.keys(changes).length === 0) return;
      await this.organisations.updateOrganisation(id, values, tx);
      await this.audit.append(tx, {
        actor: `user:${actor.userId}`,
        action: 'organisation.updated',
        subjectType: 'organisation',
        subjectId: id,
        details: changes,
      });
    });
    return this.views.get(id);
  }

  async updateContact(
    organisationId: string,
    contactId: string,
    dto: UpdateContactDto,
    actor: StaffPrincipal,
  ): Promise<OrganisationView> {
    await this.transactions.run(async (tx) => {
      const contact = await this.organisations.findContact(organisationId, contactId, tx);
      if (!contact) throw new NotFoundException(`contact ${contactId} not found at organisation ${organisationId}`);
      if (contact.status === dto.status) return;
      await this.organisations.setContactStatus(contactId, dto.status, tx);
      await this.audit.append(tx, {
        actor: `user:${actor.userId}`,
        action: 'contact.updated',
        subjectType: 'contact',
        subjectId: contactId,
        details: { status: { from: contact.status, to: dto.status } },
      });
    });
    return this.views.get(organisationId);
  }

  /** A suspended channel receives nothing, queued deliveries included, and its API keys stop working. */
  async updateChannel(
    organisationId: string,
    channelId: string,
    dto: UpdateChannelDto,
    actor: StaffPrincipal,
  ): Promise<OrganisationView> {
    await this.transactions.run(async (tx) => {
      const channel = await this.organisations.lockChannel(organisationId, channelId, tx);
      if (!channel) throw new NotFoundException(`channel ${channelId} not found at organisation ${organisationId}`);
      if (channel.status === dto.status) return;
      await this.organisations.setChannelStatus(channelId, dto.status, tx);
      await this.audit.append(tx, {
        actor: `user:${actor.userId}`,
        action: 'channel.updated',
        subjectType: 'channel',
        subjectId: channelId,
        details: { organisationId, status: { from: channel.status, to: dto.status } },
      });
    });
    return this.views.get(organisationId);
  }
}

/** The fields `dto` changes, each with its old and new value (a value given but unchanged is no change). */
function changesTo(
  organisation: OrganisationEntity,
  dto: UpdateOrganisationDto,
): { values: OrganisationChanges; changes: Changes } {
  const values: OrganisationChanges = {};
  const changes: Changes = {};
  for (const field of ORGANISATION_FIELDS) {
    const value = dto[field];
    if (value !== undefined && JSON.stringify(value) !== JSON.stringify(organisation[field])) {
      changes[field] = { from: organisation[field], to: value };
      Object.assign(values, { [field]: value });
    }
  }
  return { values, changes };
}
