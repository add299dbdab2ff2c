import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue, UnrecoverableError } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { mimeEntityForItem, OpenPgpService, TeamKeyService } from '@tlp-broker/crypto';
import {
  AuditLog,
  canonicalJson,
  cancelPendingItemDeliveries,
  channelsToRecall,
  DecisionEntity,
  DeliveryEntity,
  ItemEntity,
  ItemVersionEntity,
  decideForTargets,
  OutboxTopic,
  queueRecalls,
  removeFromFeeds,
  PartnerDirectory,
  policyItem,
  SealedPayloadEntity,
} from '@tlp-broker/persistence';
import { deliveryJobId, JobPayload, priorityFor, QueueName } from '@tlp-broker/queue';
import { Decision } from '@tlp-broker/tlp';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { itemDocument, itemText } from '../item-document';
import type { ItemKind } from '@tlp-broker/domain';

const INSERT_CHUNK = 1_000;

export interface RoutingOutcome {
  readonly allowed: number;
  readonly denied: number;
  readonly alreadyRouted: boolean;
  /** Not routed: the item was retracted, or a later version was released first. */
  readonly skipped?: 'retracted' | 'superseded';
  /** Recall notices queued to earlier recipients the new version may not reach. */
  readonly recalls?: number;
}

/**
 * Routing: asks the policy engine about every partner channel, records every decision, signs and
 * encrypts the item once, and creates one delivery per allowed decision, all in one transaction.
 * Running it twice for the same item version changes nothing.
 */
@Injectable()
export class RoutingService {
  private readonly logger = new Logger(RoutingService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly directory: PartnerDirectory,
    private readonly openpgp: OpenPgpService,
    private readonly teamKey: TeamKeyService,
    private readonly audit: AuditLog,
    @InjectQueue(QueueName.Delivery) private readonly deliveryQueue: Queue<JobPayload<QueueName.Delivery>>,
  ) {}

  /** Carries out one outbox row, named by its job key: routes a released version, or sends a retraction's recalls. */
  async process(outboxKey: string | undefined): Promise<RoutingOutcome> {
    // A job queued before outbox rows had job keys names no row; the relay enqueues that row again under its key.
    if (typeof outboxKey !== 'string') throw new UnrecoverableError('routing job without an outbox key');
    const [row]: { id: string; topic: string; item_version_id: string }[] = await this.dataSource.query(
      'SELECT id, topic, item_version_id FROM outbox WHERE job_key = $1',
      [outboxKey],
    );
    if (!row) throw new UnrecoverableError(`no outbox entry with job key ${outboxKey}`);
    if (row.topic === OutboxTopic.Published) return this.route(row.item_version_id);
    if (row.topic === OutboxTopic.Retracted) return this.sendRecalls(row.id, row.item_version_id);
    throw new UnrecoverableError(`outbox entry ${row.id} has an unknown topic ${row.topic}`);
  }

  async route(itemVersionId: string): Promise<RoutingOutcome> {
    const outcome = await this.dataSource.transaction((manager) => this.decideAll(manager, itemVersionId));
    await this.enqueueDeliveries(itemVersionId);
    return outcome;
  }

  /** A retraction queued its recall notices with the item's last version; they only need sending. */
  private async sendRecalls(outboxId: string, itemVersionId: string): Promise<RoutingOutcome> {
    await this.dataSource.query('UPDATE outbox SET processed_at = now() WHERE id = $1 AND processed_at IS NULL', [
      outboxId,
    ]);
    const recalls = await this.enqueueDeliveries(itemVersionId);
    return { allowed: 0, denied: 0, alreadyRouted: false, skipped: 'retracted', recalls };
  }

  private async decideAll(manager: EntityManager, itemVersionId: string): Promise<RoutingOutcome> {
    // The outbox row lock serialises concurrent runs for one item version.
    const outbox: { id: string; processed_at: Date | null }[] = await manager.query(
      'SELECT id, processed_at FROM outbox WHERE item_version_id = $1 AND topic = $2 FOR UPDATE',
      [itemVersionId, OutboxTopic.Published],
    );
    if (outbox.length === 0) throw new UnrecoverableError(`no outbox entry for item version ${itemVersionId}`);
    if (outbox[0].processed_at !== null) return { allowed: 0, denied: 0, alreadyRouted: true };

    const version = await manager.getRepository(ItemVersionEntity).findOne({ where: { id: itemVersionId } });
    if (!version) throw new UnrecoverableError(`item version ${itemVersionId} not found`);
    if (version.releaseAt !== null) {
      // Never before the embargo. The relay only enqueues due rows (by the database's clock, as
      // here), so this is a guard: an early job fails and is retried with back-off.
      const [{ embargoed }]: { embargoed: boolean }[] = await manager.query(
        'SELECT $1::timestamptz > now() AS embargoed',
        [version.releaseAt],
      );
      if (embargoed)
        throw new Error(`item version ${itemVersionId} is embargoed until ${version.releaseAt.toISOString()}`);
    }
    // The item's row lock orders routing against retraction, updates and finishing deliveries.
    const item = await manager
      .getRepository(ItemEntity)
      .findOneOrFail({ where: { id: version.itemId }, lock: { mode: 'pessimistic_write' } });
    const skip = async (skipped: 'retracted' | 'superseded', why: string): Promise<RoutingOutcome> => {
      await manager.query('UPDATE outbox SET processed_at = now() WHERE id = $1', [outbox[0].id]);
      await this.audit.append(manager, {
        actor: 'dispatcher',
        action: 'item.routing-skipped',
        subjectType: 'item',
        subjectId: item.id,
        details: { itemVersionId, version: version.version, reason: why },
      });
      this.logger.log(`not routing ${item.id} v${version.version}: ${why}`);
      return { allowed: 0, denied: 0, alreadyRouted: false, skipped };
    };
    if (item.state === 'retracted') return skip('retracted', 'the item was retracted before this version was routed');
    const [later]: { version: number }[] = await manager.query(
      `SELECT v.version FROM item_versions v JOIN outbox o ON o.item_version_id = v.id AND o.topic = $3
        WHERE v.item_id = $1 AND v.version > $2 ORDER BY v.version DESC LIMIT 1`,
      [item.id, version.version, OutboxTopic.Published],
    );
    if (later) return skip('superseded', `version ${later.version} was released before this version was routed`);
    const now = new Date();
    const targets = await this.directory.allTargets(manager);
    const decided = decideForTargets(policyItem(item, version), targets, this.config.team, now);
    const allowed = decided.filter(({ decision }) => decision.allow);

    if (allowed.some(({ target }) => target.channel.kind !== 'email'))
      await this.seal(manager, item, version, 'document');
    if (allowed.some(({ target }) => target.channel.kind === 'email')) await this.seal(manager, item, version, 'mime');

    const decisionRows = decided.map(({ target, decision, keyFingerprint }) => ({
      itemVersionId,
      organisationId: target.organisation.id,
      contactId: target.contact?.id ?? null,
      channelId: target.channel.id,
      allow: decision.allow,
      code: decision.code,
      reason: decision.reason,
      handling: decision.handling,
      keyFingerprint,
      decidedAt: now,
    }));
    const decisionIds = new Map<string, string>();
    for (let i = 0; i < decisionRows.length; i += INSERT_CHUNK) {
      const result = await manager
        .createQueryBuilder()
        .insert()
        .into(DecisionEntity)
        .values(decisionRows.slice(i, i + INSERT_CHUNK))
        .returning(['id', 'channelId'])
        .execute();
      for (const row of result.raw as { id: string; channel_id: string }[]) decisionIds.set(row.channel_id, row.id);
    }

    const deliveryRows = allowed.map(({ target, keyFingerprint }) => ({
      decisionId: decisionIds.get(target.channel.id)!,
      itemVersionId,
      channelId: target.channel.id,
      organisationId: target.organisation.id,
      contactId: target.contact?.id ?? null,
      state: 'queued' as const,
      attempts: 0,
      lastError: null,
      keyFingerprint,
      messageId: null,
      deliveredAt: null,
      updatedAt: now,
    }));
    for (let i = 0; i < deliveryRows.length; i += INSERT_CHUNK) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(DeliveryEntity)
        .values(deliveryRows.slice(i, i + INSERT_CHUNK))
        .execute();
    }

    const recalls =
      version.version > 1
        ? await this.supersede(manager, item, version, decided, decisionIds)
        : { cancelled: 0, recalls: 0, removed: 0 };

    await manager.query('UPDATE outbox SET processed_at = now() WHERE id = $1', [outbox[0].id]);
    // An embargoed version is published when its release time has come and it is routed.
    await manager.query(
      `UPDATE items SET state = 'published', updated_at = now() WHERE id = $1 AND state = 'scheduled'`,
      [item.id],
    );
    await this.audit.append(manager, {
      actor: 'dispatcher',
      action: 'item.routed',
      subjectType: 'item',
      subjectId: item.id,
      details: {
        itemVersionId,
        version: version.version,
        tlp: version.tlp,
        allowed: allowed.length,
        denied: decided.length - allowed.length,
        ...(version.version > 1
          ? { supersededCancelled: recalls.cancelled, recalls: recalls.recalls, removedFromFeeds: recalls.removed }
          : {}),
        // Binds the audit trail to the exact decisions stored for this version.
        decisionsDigest: digest(decided.map(({ target, decision }) => [target.channel.id, decision])),
      },
    });
    this.logger.log(
      `routed ${item.kind} ${item.id} v${version.version} (${version.tlp}): ${allowed.length} allowed, ${decided.length - allowed.length} denied`,
    );
    return {
      allowed: allowed.length,
      denied: decided.length - allowed.length,
      alreadyRouted: false,
      recalls: recalls.recalls,
    };
  }

  /**
   * A new version replaces the earlier ones: their deliveries not yet handed to a channel are
   * cancelled (the new version goes to whoever may have it), and every channel that was sent an
   * earlier version but may not receive this one gets a recall notice and loses the item from its feed.
   */
  private async supersede(
    manager: EntityManager,
    item: ItemEntity,
    version: ItemVersionEntity,
    decided: { target: { channel: { id: string } }; decision: Decision }[],
    decisionIds: ReadonlyMap<string, string>,
  ): Promise<{ cancelled: number; recalls: number; removed: number }> {
    const cancelled = await cancelPendingItemDeliveries(
      manager,
      item.id,
      `Superseded by version ${version.version} before it was sent.`,
      { beforeVersion: version.version },
    );
    const denied = decided.filter(({ decision }) => !decision.allow);
    const deniedChannels = denied.map(({ target }) => target.channel.id);
    const targets = await channelsToRecall(manager, item.id, deniedChannels);
    const reasons = new Map(
      denied.map(({ target, decision }) => [
        target.channel.id,
        `Version ${version.version} may not be sent to this recipient: ${decision.reason}`,
      ]),
    );
    const recalls = await queueRecalls(manager, version.id, targets, reasons, decisionIds);
    const removed = await removeFromFeeds(manager, item.id, deniedChannels);
    return { cancelled: cancelled.length, recalls: recalls.length, removed };
  }

  /**
   * Signs and encrypts the item version once per form (the JSON document for feeds and webhooks,
   * a MIME entity for e-mail); recipients then only get their own key packet.
   */
  private async seal(
    manager: EntityManager,
    item: ItemEntity,
    version: ItemVersionEntity,
    form: 'document' | 'mime',
  ): Promise<void> {
    const repo = manager.getRepository(SealedPayloadEntity);
    if (await repo.exists({ where: { itemVersionId: version.id, form } })) return;
    const { key, info: team } = await this.teamKey.current();
    const publisher = { name: this.teamKey.publisherName(), fingerprint: team.fingerprint };
    const plaintext =
      form === 'mime' ? mimeEntityForItem(itemText(item, version, publisher)) : itemDocument(item, version, publisher);
    const sealed = await this.openpgp.sealOnce(plaintext, key);
    await repo.insert({
      itemVersionId: version.id,
      form,
      teamKeyFingerprint: team.fingerprint,
      sessionKeyAlgorithm: sealed.sessionKeyAlgorithm,
      sessionKey: Buffer.from(sealed.sessionKey),
      encryptedData: Buffer.from(sealed.encryptedData),
    });
  }

  /** Enqueues every queued delivery of the version; job ids make a repeat harmless. */
  async enqueueDeliveries(itemVersionId: string): Promise<number> {
    const rows: { id: string; kind: ItemKind }[] = await this.dataSource.query(
      `SELECT d.id, i.kind FROM deliveries d
         JOIN item_versions v ON v.id = d.item_version_id
         JOIN items i ON i.id = v.item_id
        WHERE d.item_version_id = $1 AND d.state = 'queued'`,
      [itemVersionId],
    );
    if (rows.length === 0) return 0;
    await this.deliveryQueue.addBulk(
      rows.map((row) => ({
        name: 'deliver',
        data: { deliveryId: row.id },
        opts: { jobId: deliveryJobId(row.id), priority: priorityFor(row.kind) },
      })),
    );
    return rows.length;
  }
}

function digest(entries: [string, Decision][]): string {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(canonicalJson(sorted)).digest('hex');
}
