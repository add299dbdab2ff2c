import { Injectable, NotFoundException } from '@nestjs/common';
import { Clock } from '@tlp-broker/config';
import type { AcknowledgementWay } from '@tlp-broker/domain';
import {
  AcknowledgementLinks,
  AcknowledgementRepository,
  AcknowledgementRecorder,
  AcknowledgementRequestEntity,
  DeliveryEntity,
  DeliveryRepository,
  ItemRepository,
  PartnerDirectory,
} from '@tlp-broker/persistence';
import { PartnerPrincipal } from '../auth/principal';
import { AcknowledgementView, ItemAcknowledgementsView, RecipientAcknowledgementView } from './acknowledgement-views';

/** Who acknowledges: named by the channel that carried the item (a person's own, or the organisation's). */
interface Acknowledger {
  readonly by: string;
  readonly contactId: string | null;
}

/**
 * Acknowledgements of urgent items: through the partner's feed API or the one-time link inside
 * the encrypted message, each naming the delivery it answers. The first acknowledgement of an
 * organisation stands and stops its escalation; every one recorded is audited.
 */
@Injectable()
export class AcknowledgementsService {
  constructor(
    private readonly recorder: AcknowledgementRecorder,
    private readonly requests: AcknowledgementRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly items: ItemRepository,
    private readonly directory: PartnerDirectory,
    private readonly links: AcknowledgementLinks,
    private readonly clock: Clock,
  ) {}

  /** A partner acknowledges an item delivered to the channel its API key belongs to. */
  async byFeed(partner: PartnerPrincipal, deliveryId: string): Promise<AcknowledgementView> {
    const delivery = await this.deliveries.findById(deliveryId);
    if (!delivery || delivery.channelId !== partner.channelId || delivery.kind !== 'item')
      throw new NotFoundException(`no delivery ${deliveryId} in this feed`);
    return this.acknowledge(delivery, 'feed');
  }

  /** Whoever holds a link the broker made (it travels only inside the encrypted message) acknowledges. */
  async byLink(token: string): Promise<AcknowledgementView> {
    const delivery = await this.linkedDelivery(token);
    return this.acknowledge(delivery, 'link');
  }

  /** What the link's page shows before anything is recorded: the item's label, type and reference. */
  async describeLink(token: string) {
    const delivery = await this.linkedDelivery(token);
    const request = await this.requestOf(delivery);
    const version = await this.items.findVersion(delivery.itemVersionId);
    const item = await this.items.findById(request.itemId);
    return { request, tlp: version?.tlp ?? null, type: item?.kind ?? null, itemId: request.itemId };
  }

  async ofItem(itemId: string): Promise<ItemAcknowledgementsView> {
    if (!(await this.items.findById(itemId))) throw new NotFoundException(`item ${itemId} not found`);
    const now = this.clock.now();
    const recipients = (await this.requests.ofItem(itemId)).map(
      ({ request, organisation, deliveredAt }): RecipientAcknowledgementView => ({
        organisationId: request.organisationId,
        organisation,
        requestedAt: request.requestedAt,
        deliveredAt,
        acknowledgedAt: request.acknowledgedAt,
        acknowledgedBy: request.acknowledgedBy,
        via: request.acknowledgedVia,
        waitingSeconds: request.acknowledgedAt
          ? null
          : Math.max(0, Math.round((now.getTime() - (deliveredAt ?? request.requestedAt).getTime()) / 1000)),
        escalationStep: request.escalationStep,
        nextStepAt: nextStep(request),
      }),
    );
    const acknowledged = recipients.filter((recipient) => recipient.acknowledgedAt !== null).length;
    return { itemId, acknowledged, waiting: recipients.length - acknowledged, recipients };
  }

  private async linkedDelivery(token: string): Promise<DeliveryEntity> {
    const deliveryId = this.links.deliveryOf(token);
    const delivery = deliveryId ? await this.deliveries.findById(deliveryId) : null;
    if (!delivery) throw new NotFoundException('this acknowledgement link is not valid');
    return delivery;
  }

  private async requestOf(delivery: DeliveryEntity): Promise<AcknowledgementRequestEntity> {
    const request = await this.requests.forDelivery(delivery.id);
    if (!request) throw new NotFoundException(`delivery ${delivery.id} asks for no acknowledgement`);
    return request;
  }

  private async acknowledge(delivery: DeliveryEntity, via: AcknowledgementWay): Promise<AcknowledgementView> {
    const request = await this.requestOf(delivery);
    const who = await this.acknowledger(delivery);
    const { request: now, recorded } = await this.recorder.record(request, {
      at: this.clock.now(),
      by: who.by,
      contactId: who.contactId,
      via,
      deliveryId: delivery.id,
    });
    return {
      itemId: now.itemId,
      organisationId: now.organisationId,
      acknowledgedAt: now.acknowledgedAt!,
      acknowledgedBy: now.acknowledgedBy!,
      via: now.acknowledgedVia!,
      already: !recorded,
    };
  }

  private async acknowledger(delivery: DeliveryEntity): Promise<Acknowledger> {
    const target = await this.directory.target(delivery.channelId);
    if (target?.contact)
      return { by: `${target.contact.name} (${target.organisation.name})`, contactId: target.contact.id };
    return {
      by: `${target?.organisation.name ?? 'the organisation'} (its ${target?.channel.kind ?? ''} channel)`,
      contactId: null,
    };
  }
}

function nextStep(request: AcknowledgementRequestEntity): Date | null {
  if (request.acknowledgedAt) return null;
  if (request.escalationStep === 0) return request.escalateAt;
  if (request.escalationStep === 1) return request.dutyOfficerAt;
  return null;
}
