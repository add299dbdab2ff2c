import { InjectQueue } from '@nestjs/bullmq';
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AuditLog } from '@tlp-broker/persistence';
import { deliveryJobId, JobPayload, priorityFor, QueueName } from '@tlp-broker/queue';
import { StaffPrincipal } from '../auth/principal';
import { DeliveryKind, DeliveryState } from '@tlp-broker/domain';
import type { TlpLabel } from '@tlp-broker/tlp';
import type { ItemKind } from '@tlp-broker/domain';

export interface DeliveryView {
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

const SELECT = `
  SELECT d.id, d.kind, d.reason, d.message_id, i.id AS item_id, v.version, i.kind AS item_type, v.tlp, o.id AS organisation_id, o.name AS organisation,
         c.name AS contact, ch.id AS channel_id, ch.kind AS channel_kind, d.state, d.attempts, d.last_error,
         d.key_fingerprint, d.queued_at, d.updated_at, d.delivered_at
    FROM deliveries d
    JOIN item_versions v ON v.id = d.item_version_id
    JOIN items i ON i.id = v.item_id
    JOIN organisations o ON o.id = d.organisation_id
    JOIN channels ch ON ch.id = d.channel_id
    LEFT JOIN contacts c ON c.id = d.contact_id`;

interface Row {
  id: string;
  kind: DeliveryKind;
  reason: string | null;
  message_id: string | null;
  item_id: string;
  version: number;
  item_type: ItemKind;
  tlp: TlpLabel;
  organisation_id: string;
  organisation: string;
  contact: string | null;
  channel_id: string;
  channel_kind: string;
  state: DeliveryState;
  attempts: number;
  last_error: string | null;
  key_fingerprint: string | null;
  queued_at: Date;
  updated_at: Date;
  delivered_at: Date | null;
}

/** Delivery states for people: what was carried out, what failed and why, and the dead letters. */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    @InjectQueue(QueueName.Delivery) private readonly deliveryQueue: Queue<JobPayload<QueueName.Delivery>>,
  ) {}

  async list(
    filter: { state?: DeliveryState; itemId?: string; kind?: DeliveryKind },
    limit = 100,
  ): Promise<DeliveryView[]> {
    const rows: Row[] = await this.dataSource.query(
      `${SELECT}
        WHERE ($1::text IS NULL OR d.state = $1) AND ($3::uuid IS NULL OR i.id = $3) AND ($4::text IS NULL OR d.kind = $4)
        ORDER BY d.updated_at DESC LIMIT $2`,
      [filter.state ?? null, limit, filter.itemId ?? null, filter.kind ?? null],
    );
    return rows.map(view);
  }

  async get(id: string): Promise<DeliveryView> {
    const [row]: Row[] = await this.dataSource.query(`${SELECT} WHERE d.id = $1`, [id]);
    if (!row) throw new NotFoundException(`delivery ${id} not found`);
    return view(row);
  }

  /**
   * Gives a dead delivery a new round of attempts. The rules are applied again when it is sent,
   * so a partner suspended or a key revoked since then still stops it.
   */
  async retry(id: string, actor: StaffPrincipal): Promise<DeliveryView> {
    const delivery = await this.get(id);
    if (delivery.state !== 'dead')
      throw new ConflictException(`delivery ${id} is ${delivery.state}; only a dead delivery can be retried`);
    // The failed job is still in Redis under the same id: remove it so the new one is not ignored.
    await this.deliveryQueue.remove(deliveryJobId(id));
    await this.dataSource.transaction(async (manager) => {
      const updated = await manager.query(
        `UPDATE deliveries SET state = 'queued', updated_at = now() WHERE id = $1 AND state = 'dead' RETURNING id`,
        [id],
      );
      if (updated[0].length === 0)
        throw new ConflictException(`delivery ${id} changed meanwhile; only a dead delivery can be retried`);
      await this.audit.append(manager, {
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

function view(row: Row): DeliveryView {
  return {
    id: row.id,
    kind: row.kind,
    itemId: row.item_id,
    version: row.version,
    itemType: row.item_type,
    tlp: row.tlp,
    organisationId: row.organisation_id,
    organisation: row.organisation,
    contact: row.contact,
    channelId: row.channel_id,
    channel: `${row.contact ? 'personal ' : ''}${row.channel_kind}`,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    reason: row.reason,
    keyFingerprint: row.key_fingerprint,
    messageId: row.message_id,
    queuedAt: row.queued_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  };
}
