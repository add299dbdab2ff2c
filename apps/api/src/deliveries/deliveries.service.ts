import { InjectQueue } from '@nestjs/bullmq';
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { Queue } from 'bullmq';
import {
  AuditLog,
  DeliveryOverview,
  DeliveryOverviewFilter,
  DeliveryRepository,
  Transactions,
} from '@tlp-broker/persistence';
import { deliveryJobId, JobPayload, priorityFor, QueueName } from '@tlp-broker/queue';
import { StaffPrincipal } from '../auth/principal';
import { DeliveryKind, DeliveryState } from '@tlp-broker/domain';
import type { TlpLabel } from '@tlp-broker/tlp';
import type { ItemKind } from '@tlp-broker/domain';

export interface DeliveryRecordView {
  id: string;
  /** `item`: the item version; `recall`: a notice withdrawing what the recipient was sent. */
  kind: DeliveryKind;
  itemId: string;
  version: number;
  itemType: ItemKind;
  tlp: TlpLabel;
  organisationId: string;
  organisation: string;
  contact: string | null;
  channelId: string;
  channel: string;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  /** Why a recall was sent. */
  reason: string | null;
  keyFingerprint: string | null;
  messageId: string | null;
  queuedAt: Date;
  updatedAt: Date;
  deliveredAt: Date | null;
}

/** Delivery states for people: what was carried out, what failed and why, and the dead letters. */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly deliveries: DeliveryRepository,
    private readonly audit: AuditLog,
    @InjectQueue(QueueName.Delivery) private readonly deliveryQueue: Queue<JobPayload<QueueName.Delivery>>,
  ) {}

  async list(filter: DeliveryOverviewFilter, limit = 100): Promise<DeliveryRecordView[]> {
    return (await this.deliveries.overviews(filter, limit)).map(view);
  }

  async get(id: string): Promise<DeliveryRecordView> {
    const delivery = await this.deliveries.overview(id);
    if (!delivery) throw new NotFoundException(`delivery ${id} not found`);
    return view(delivery);
  }

  /**
   * Gives a dead delivery a new round of attempts. The rules are applied again when it is sent,
   * so a partner suspended or a key revoked since then still stops it.
   */
  async retry(id: string, actor: StaffPrincipal): Promise<DeliveryRecordView> {
    const delivery = await this.get(id);
    if (delivery.state !== 'dead')
      throw new ConflictException(`delivery ${id} is ${delivery.state}; only a dead delivery can be retried`);
    // The failed job is still in Redis under the same id: remove it so the new one is not ignored.
    await this.deliveryQueue.remove(deliveryJobId(id));
    await this.transactions.run(async (tx) => {
      if (!(await this.deliveries.requeueDead(id, tx)))
        throw new ConflictException(`delivery ${id} changed meanwhile; only a dead delivery can be retried`);
      await this.audit.append(tx, {
        actor: `user:${actor.userId}`,
        action: 'delivery.retried',
        subjectType: 'delivery',
        subjectId: id,
        details: { previousError: delivery.lastError, attempts: delivery.attempts },
      });
    });
    await this.deliveryQueue.add(
      'deliver',
      { deliveryId: id },
      { jobId: deliveryJobId(id), priority: priorityFor(delivery.itemType) },
    );
    return this.get(id);
  }
}

/** As staff read it: a personal channel is named so. */
function view(delivery: DeliveryOverview): DeliveryRecordView {
  return {
    id: delivery.id,
    kind: delivery.kind,
    itemId: delivery.itemId,
    version: delivery.version,
    itemType: delivery.itemType,
    tlp: delivery.tlp,
    organisationId: delivery.organisationId,
    organisation: delivery.organisation,
    contact: delivery.contact,
    channelId: delivery.channelId,
    channel: `${delivery.contact ? 'personal ' : ''}${delivery.channelKind}`,
    state: delivery.state,
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    reason: delivery.reason,
    keyFingerprint: delivery.keyFingerprint,
    messageId: delivery.messageId,
    queuedAt: delivery.queuedAt,
    updatedAt: delivery.updatedAt,
    deliveredAt: delivery.deliveredAt,
  };
}
