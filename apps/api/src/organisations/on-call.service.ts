import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { AuditLog, OrganisationRepository, Transactions } from '@tlp-broker/persistence';
import { invalidField } from '../common/errors';
import { StaffPrincipal } from '../auth/principal';
import { OnCallChannelDto } from './organisations.dto';
import { ChannelView } from './organisation-views';
import { PartnerSetupService, rethrowConflict } from './partner-setup.service';

/**
 * Registers on-call channels: a duty contact's own e-mail, webhook or pull feed, encrypted to that
 * person's key, and the organisation's paging hook, which carries no content and so needs no key.
 * Urgent items reach them outside the organisation's business hours, and escalations at any time.
 */
@Injectable()
export class OnCallService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly setup: PartnerSetupService,
    private readonly organisations: OrganisationRepository,
  ) {}

  async addChannel(organisationId: string, dto: OnCallChannelDto, actor: StaffPrincipal): Promise<ChannelView> {
    if (dto.kind !== 'feed' && dto.scopes !== undefined)
      throw invalidField('scopes', 'only a feed channel has API keys and scopes');
    const address =
      dto.kind === 'webhook' || dto.kind === 'pager'
        ? await this.setup.vetCalledAddress(dto.address ?? '', 'address')
        : dto.address?.trim();
    return this.transactions
      .run(async (tx) => {
        const organisation = await this.organisations.lockForUpdate(organisationId, tx);
        if (!organisation) throw new NotFoundException(`organisation ${organisationId} not found`);
        const contactId = dto.contactId ?? null;
        if (contactId && !(await this.organisations.findContact(organisationId, contactId, tx)))
          throw invalidField('contactId', `no contact ${contactId} at ${organisation.name}`);
        const key = contactId ? await this.organisations.currentKey(organisationId, contactId, tx) : null;
        if (dto.kind !== 'pager' && !key)
          throw new BadRequestException(`the duty contact ${contactId} has no usable key for an on-call channel`);
        const spec = {
          kind: dto.kind,
          redistributes: false,
          onCall: true,
          address,
          secret: dto.secret,
          scopes: dto.scopes,
        };
        const view = await this.setup.openChannel({ organisationId, contactId }, key, spec, tx);
        await this.audit.append(tx, {
          actor: `user:${actor.userId}`,
          action: 'channel.added',
          subjectType: 'channel',
          subjectId: view.id,
          details: { organisationId, contactId, kind: dto.kind, onCall: true },
        });
        return view;
      })
      .catch((error: unknown) => rethrowConflict(error, `this ${dto.kind} channel is already registered`));
  }
}
