import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue, UnrecoverableError } from 'bullmq';
import { DataSource, EntityManager, In } from 'typeorm';
import { mimeEntityForItem, OpenPgpService, TeamKeyService } from '@tlp-broker/crypto';
import {
  AuditLog,
  channelsToRecall,
  DecisionEntity,
  DeliveryEntity,
  appendFeedEntry,
  ItemEntity,
  ItemVersionEntity,
  PartnerDirectory,
  policyChannel,
  policyItem,
  policyKey,
  policyOrganisation,
  queueRecalls,
  RoutingTarget,
  SealedPayloadEntity,
} from '@tlp-broker/persistence';
import { deliveryJobId, JobPayload, priorityFor, QueueName } from '@tlp-broker/queue';
import { canEncryptTo, decide, TlpLabel } from '@tlp-broker/tlp';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { ChannelError } from '@tlp-broker/channels';
import { itemDocument, itemText, RecallNotice, recallDocument, recallText } from '../item-document';
import { ChannelSenders } from './channel-senders';
import { RateLimiter } from './rate-limiter';
import { DeliveryState, isOpenDeliveryState, OPEN_DELIVERY_STATES } from '@tlp-broker/domain';

const OPEN_STATES = [...OPEN_DELIVERY_STATES];
const MAX_ERROR_LENGTH = 2_000;

export type DeliveryOutcome = 'delivered' | 'cancelled' | 'already-done';

type Publisher = { name: string; fingerprint: string };
type TeamKey = Awaited<ReturnType<TeamKeyService['current']>>;

interface Overtaken {
  readonly why: string;
  /** The later version's deny decision for this channel; absent when the item was retracted. */
  readonly denied?: { readonly decisionId: string; readonly versionId: string };
}

/** What is sent: the armored message (null only for a keyless TLP:CLEAR channel) and what describes it. */
interface Outgoing {
  readonly target: RoutingTarget;
  readonly item: ItemEntity;
  readonly version: ItemVersionEntity;
  readonly entry: 'item' | 'recall';
  readonly tlp: TlpLabel;
  readonly handling: string | null;
  readonly message: string | null;
  /** The key `message` is encrypted to; null when it goes signed only (TLP:CLEAR without a usable key). */
  readonly keyFingerprint: string | null;
  /** The MIME entity to sign for e-mail when there is no usable key (TLP:CLEAR only). */
  readonly clearEntity: () => string;
  /** The webhook body's fields besides the delivery's identity. */
  readonly webhookFields: Record<string, unknown>;
}

/**
 * Carries out one delivery: an item version (an allow decision) or a recall notice. The rules are
 * applied again at send time with a fresh reading of the recipient's key, and the item's state:
 * a partner suspended, a key revoked or expired, an item retracted or superseded while the delivery
 * was queued stops it here. A delivery is marked `sending` before it is handed to its channel and
 * finished in a transaction that holds the item's row lock, so that a retraction or a narrowing
 * update that lands meanwhile is seen, and answered with a recall.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly directory: PartnerDirectory,
    private readonly openpgp: OpenPgpService,
    private readonly teamKey: TeamKeyService,
    private readonly audit: AuditLog,
    private readonly channels: ChannelSenders,
    private readonly rateLimiter: RateLimiter,
    @InjectQueue(QueueName.Delivery) private readonly deliveryQueue: Queue<JobPayload<QueueName.Delivery>>,
  ) {}

  async deliver(deliveryId: string): Promise<DeliveryOutcome> {
    const manager = this.dataSource.manager;
    const delivery = await manager.getRepository(DeliveryEntity).findOne({ where: { id: deliveryId } });
    if (!delivery) throw new UnrecoverableError(`delivery ${deliveryId} not found`);
    if (!isOpenDeliveryState(delivery.state)) return 'already-done';

    const [target, version] = await Promise.all([
      this.directory.target(delivery.channelId),
      manager.getRepository(ItemVersionEntity).findOneOrFail({ where: { id: delivery.itemVersionId } }),
    ]);
    if (!target) throw new UnrecoverableError(`channel ${delivery.channelId} of delivery ${deliveryId} not found`);
    const item = await manager.getRepository(ItemEntity).findOneOrFail({ where: { id: version.itemId } });
    const now = new Date();
    const reading = target.key ? await this.openpgp.keyStateAt(target.key.armored, now) : undefined;
    const team = await this.teamKey.current();
    const publisher = { name: this.teamKey.publisherName(), fingerprint: team.info.fingerprint };

    const prepared =
      delivery.kind === 'recall'
        ? await this.prepareRecall(target, item, version, reading, team, publisher, now)
        : await this.prepareItem(delivery, target, item, version, reading, team, publisher, now);
    if ('cancel' in prepared) {
      await this.close(deliveryId, 'cancelled', prepared.cancel, { code: prepared.code });
      this.logger.warn(`${delivery.kind} delivery ${deliveryId} cancelled at send time: ${prepared.cancel}`);
      return 'cancelled';
    }

    // Pushed channels are rate-limited per channel; over the limit, the job waits (no attempt counted).
    if (target.channel.kind === 'email' || target.channel.kind === 'webhook')
      await this.rateLimiter.acquire(target.channel.id);

    // From here the message may leave: an update or a retraction no longer cancels this delivery,
    // and a recall follows it if the item is withdrawn.
    const marked = await manager
      .createQueryBuilder()
      .update(DeliveryEntity)
      .set({ state: 'sending', handedAt: () => 'coalesce(handed_at, now())', updatedAt: new Date() })
      .where({ id: deliveryId, state: In(OPEN_STATES) })
      .execute();
    if (marked.affected === 0) return 'already-done';
    const messageId = await this.send(deliveryId, prepared, team.key);
    return this.finish(deliveryId, delivery, prepared, messageId, now);
  }

  private async prepareItem(
    delivery: DeliveryEntity,
    target: RoutingTarget,
    item: ItemEntity,
    version: ItemVersionEntity,
    reading: Awaited<ReturnType<OpenPgpService['keyStateAt']>> | undefined,
    team: TeamKey,
    publisher: Publisher,
    now: Date,
  ): Promise<Outgoing | { cancel: string; code: string }> {
    const manager = this.dataSource.manager;
    if (delivery.decisionId === null) throw new UnrecoverableError(`item delivery ${delivery.id} has no decision`);
    const decision = await manager.getRepository(DecisionEntity).findOneOrFail({ where: { id: delivery.decisionId } });
    if (item.state === 'retracted')
      return { cancel: 'The item was retracted before this delivery was sent.', code: 'item.retracted' };
    const [later]: { version: number }[] = await manager.query(
      `SELECT v.version FROM item_versions v WHERE v.item_id = $1 AND v.version > $2
          AND EXISTS (SELECT 1 FROM decisions d WHERE d.item_version_id = v.id)
        ORDER BY v.version DESC LIMIT 1`,
      [item.id, version.version],
    );
    if (later) return { cancel: `Superseded by version ${later.version} before it was sent.`, code: 'item.superseded' };
    const key = policyKey(target.key, reading);
    const recheck = decide({
      item: policyItem(item, version),
      organisation: policyOrganisation(target),
      channel: policyChannel(target, key),
      now,
      team: this.config.team,
    });
    if (!recheck.allow) return { cancel: recheck.reason, code: recheck.code };

    const form = target.channel.kind === 'email' ? 'mime' : 'document';
    // The engine lets only TLP:CLEAR reach a recipient without a usable key: it goes signed, not encrypted.
    const encrypt = canEncryptTo(key, now);
    let message: string | null = null;
    if (encrypt) {
      const sealed = await manager
        .getRepository(SealedPayloadEntity)
        .findOneOrFail({ where: { itemVersionId: version.id, form } });
      message = await this.openpgp.addressTo(
        {
          id: `${sealed.itemVersionId}:${sealed.form}`,
          sessionKeyAlgorithm: sealed.sessionKeyAlgorithm,
          sessionKey: new Uint8Array(sealed.sessionKey),
          encryptedData: new Uint8Array(sealed.encryptedData),
        },
        target.key!.fingerprint,
        target.key!.armored,
      );
    } else if (form === 'document') {
      message = await this.openpgp.signOnly(itemDocument(item, version, publisher), team.key);
    }
    return {
      target,
      item,
      version,
      entry: 'item',
      tlp: version.tlp,
      handling: decision.handling,
      message,
      keyFingerprint: encrypt ? key.fingerprint : null,
      clearEntity: () => mimeEntityForItem(itemText(item, version, publisher)),
      webhookFields: {
        format: 'tlp-broker/delivery@1',
        version: version.version,
        type: item.kind,
        tlp: version.tlp,
        pap: version.pap,
        handling: decision.handling,
      },
    };
  }

  /**
   * A recall notice goes to the channel that was sent the item, encrypted to its key as the item
   * was. It is not sent to a suspended partner, nor in clear to a channel whose key became unusable
   * unless all it was sent was TLP:CLEAR; such a recall is cancelled with the reason, visibly.
   */
  private async prepareRecall(
    target: RoutingTarget,
    item: ItemEntity,
    version: ItemVersionEntity,
    reading: Awaited<ReturnType<OpenPgpService['keyStateAt']>> | undefined,
    team: TeamKey,
    publisher: Publisher,
    now: Date,
  ): Promise<Outgoing | { cancel: string; code: string }> {
    const manager = this.dataSource.manager;
    if ([target.organisation.status, target.contact?.status, target.channel.status].includes('suspended')) {
      return { cancel: 'The recall was not sent: the recipient is suspended.', code: 'recall.recipient-suspended' };
    }
    const sent: { version: number; tlp: TlpLabel }[] = await manager.query(
      `SELECT DISTINCT v.version, v.tlp FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id
        WHERE v.item_id = $1 AND d.channel_id = $2 AND d.kind = 'item' AND d.handed_at IS NOT NULL
        ORDER BY v.version`,
      [item.id, target.channel.id],
    );
    if (sent.length === 0)
      return {
        cancel: 'The recall was not sent: no version of the item reached this recipient.',
        code: 'recall.nothing-sent',
      };
    const notice: RecallNotice = {
      item,
      versions: sent.map((row) => Number(row.version)),
      tlp: sent[sent.length - 1].tlp,
      cause: item.state === 'retracted' ? 'retracted' : 'withdrawn',
      note: item.state === 'retracted' ? item.retractionNotice : null,
      issuedAt: new Date(),
    };
    const form = target.channel.kind === 'email' ? 'mime' : 'document';
    const plaintext =
      form === 'mime' ? mimeEntityForItem(recallText(notice, publisher)) : recallDocument(notice, publisher);
    const key = policyKey(target.key, reading);
    const keyUsable = canEncryptTo(key, now);
    let message: string | null = null;
    if (keyUsable) {
      message = await this.openpgp.addressTo(
        await this.openpgp.sealOnce(plaintext, team.key),
        target.key!.fingerprint,
        target.key!.armored,
      );
    } else if (sent.every((row) => row.tlp === 'TLP:CLEAR')) {
      if (form === 'document') message = await this.openpgp.signOnly(plaintext, team.key);
    } else {
      return {
        cancel: 'The recall was not sent: the recipient has no usable key to encrypt it to.',
        code: 'recall.no-usable-key',
      };
    }
    return {
      target,
      item,
      version,
      entry: 'recall',
      tlp: notice.tlp,
      handling: null,
      message,
      keyFingerprint: keyUsable ? key.fingerprint : null,
      clearEntity: () => plaintext,
      webhookFields: {
        format: 'tlp-broker/recall@1',
        versions: notice.versions,
        type: item.kind,
        tlp: notice.tlp,
        recall: notice.cause,
      },
    };
  }

  /** Hands the message to its channel; returns the e-mail Message-ID. */
  private async send(deliveryId: string, out: Outgoing, teamKey: TeamKey['key']): Promise<string | null> {
    const { target, item, version } = out;
    try {
      switch (target.channel.kind) {
        case 'feed':
          return null;
        case 'email': {
          const sent = await this.channels.email().send({
            deliveryId,
            itemId: item.id,
            version: version.version,
            itemType: item.kind,
            tlp: out.tlp,
            title: out.entry === 'item' ? version.title : undefined,
            notice: out.entry === 'recall' ? 'recall' : undefined,
            to: { name: target.contact?.name ?? target.organisation.name, address: target.channel.address! },
            body: out.message
              ? { kind: 'encrypted', armored: out.message }
              : { kind: 'signed', entity: out.clearEntity(), signingKey: teamKey },
          });
          return sent.messageId;
        }
        case 'webhook':
          await this.channels.webhook().send({
            url: target.channel.address!,
            secret: target.channel.secret!,
            deliveryId,
            idempotencyKey: `delivery-${deliveryId}`,
            payload: {
              ...out.webhookFields,
              deliveryId,
              itemId: item.id,
              keyFingerprint: out.keyFingerprint,
              message: out.message,
            },
          });
          return null;
        default:
          throw new UnrecoverableError(`nothing is delivered over ${target.channel.kind} channels`);
      }
    } catch (error) {
      // A refusal no retry can change (5xx mail, 4xx webhook, refused address) ends the delivery now.
      if (error instanceof ChannelError && error.permanent) throw new UnrecoverableError(error.message);
      throw error;
    }
  }

  private async finish(
    deliveryId: string,
    delivery: DeliveryEntity,
    out: Outgoing,
    messageId: string | null,
    now: Date,
  ): Promise<DeliveryOutcome> {
    const { target, item, version } = out;
    const state: DeliveryState = target.channel.kind === 'email' ? 'sent' : 'delivered';
    const { outcome, recalls } = await this.dataSource.transaction(async (tx) => {
      // Shared with other deliveries of the item; waits for a retraction or routing in progress.
      const [current]: { state: string; current_version: number }[] = await tx.query(
        'SELECT state, current_version FROM items WHERE id = $1 FOR SHARE',
        [item.id],
      );
      const overtaken =
        delivery.kind === 'item'
          ? await this.overtaken(tx, item.id, current.state, version.version, target.channel.id)
          : null;
      if (overtaken && target.channel.kind === 'feed') {
        // Nothing has left yet: a feed delivery happens when its entry is written. Write none.
        const cancelled = await tx
          .createQueryBuilder()
          .update(DeliveryEntity)
          .set({ state: 'cancelled', lastError: overtaken.why, updatedAt: new Date() })
          .where({ id: deliveryId, state: In(OPEN_STATES) })
          .execute();
        if (cancelled.affected === 0) return { outcome: 'already-done' as const, recalls: [] };
        await this.audit.append(tx, {
          actor: 'dispatcher',
          action: 'delivery.cancelled',
          subjectType: 'delivery',
          subjectId: deliveryId,
          details: { reason: overtaken.why },
        });
        return { outcome: 'cancelled' as const, recalls: [] };
      }
      const updated = await tx
        .createQueryBuilder()
        .update(DeliveryEntity)
        .set({
          state,
          attempts: () => 'attempts + 1',
          deliveredAt: now,
          updatedAt: new Date(),
          lastError: null,
          messageId,
          keyFingerprint: out.keyFingerprint,
        })
        .where({ id: deliveryId, state: In(OPEN_STATES) })
        .execute();
      // Another worker finished it first: keep its result, write nothing.
      if (updated.affected === 0) return { outcome: 'already-done' as const, recalls: [] };
      if (target.channel.kind === 'feed') {
        await appendFeedEntry(tx, {
          deliveryId,
          channelId: target.channel.id,
          itemId: item.id,
          itemVersion: version.version,
          entry: out.entry,
          kind: item.kind,
          tlp: out.tlp,
          pap: out.entry === 'item' ? version.pap : null,
          handling: out.handling,
          keyFingerprint: out.keyFingerprint ?? '',
          message: out.message!,
        });
      }
      await this.audit.append(tx, {
        actor: 'dispatcher',
        action: `${out.entry === 'recall' ? 'recall' : 'delivery'}.${state}`,
        subjectType: 'delivery',
        subjectId: deliveryId,
        details: {
          itemId: item.id,
          version: version.version,
          channelId: target.channel.id,
          channel: target.channel.kind,
          keyFingerprint: out.keyFingerprint,
          messageId,
        },
      });
      if (out.entry === 'recall') {
        // What the recipient held is now withdrawn: its item deliveries read `recalled`.
        await tx.query(
          `UPDATE deliveries d SET state = 'recalled', updated_at = now()
             FROM item_versions v
            WHERE v.id = d.item_version_id AND v.item_id = $1 AND d.channel_id = $2 AND d.kind = 'item' AND d.state IN ('sent', 'delivered')`,
          [item.id, target.channel.id],
        );
      }
      // The message left while the item was retracted, or narrowed by a later version: the
      // recipient gets the recall it would have had, had this delivery finished a moment earlier.
      const recalls = overtaken
        ? await this.queueRecall(tx, item.id, current.current_version, target.channel.id, overtaken)
        : [];
      return { outcome: 'delivered' as const, recalls };
    });
    if (recalls.length > 0) {
      await this.deliveryQueue.addBulk(
        recalls.map((id) => ({
          name: 'deliver',
          data: { deliveryId: id },
          opts: { jobId: deliveryJobId(id), priority: priorityFor(item.kind) },
        })),
      );
    }
    return outcome;
  }

  /** Whether the item was retracted, or a later routed version may not reach this channel. */
  private async overtaken(
    tx: EntityManager,
    itemId: string,
    itemState: string,
    sentVersion: number,
    channelId: string,
  ): Promise<Overtaken | null> {
    if (itemState === 'retracted') return { why: 'The item was retracted while this delivery was being sent.' };
    const [later]: { id: string; allow: boolean; reason: string; version_id: string; version: number }[] =
      await tx.query(
        `SELECT d.id, d.allow, d.reason, v.id AS version_id, v.version FROM decisions d JOIN item_versions v ON v.id = d.item_version_id
        WHERE v.item_id = $1 AND d.channel_id = $2 AND v.version > $3 ORDER BY v.version DESC LIMIT 1`,
        [itemId, channelId, sentVersion],
      );
    if (!later || later.allow) return null;
    return {
      why: `Version ${later.version} may not be sent to this recipient: ${later.reason}`,
      denied: { decisionId: later.id, versionId: later.version_id },
    };
  }

  private async queueRecall(
    tx: EntityManager,
    itemId: string,
    currentVersion: number,
    channelId: string,
    overtaken: Overtaken,
  ): Promise<string[]> {
    const targets = await channelsToRecall(tx, itemId, [channelId]);
    if (overtaken.denied) {
      return queueRecalls(
        tx,
        overtaken.denied.versionId,
        targets,
        overtaken.why,
        new Map([[channelId, overtaken.denied.decisionId]]),
      );
    }
    const [latest]: { id: string }[] = await tx.query(
      'SELECT id FROM item_versions WHERE item_id = $1 AND version = $2',
      [itemId, currentVersion],
    );
    return queueRecalls(tx, latest.id, targets, 'The item was retracted.');
  }

  /** A failed attempt that will be retried. */
  async recordFailure(deliveryId: string, error: unknown): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(DeliveryEntity)
      .set({ state: 'failed', attempts: () => 'attempts + 1', lastError: describe(error), updatedAt: new Date() })
      .where({ id: deliveryId, state: In(OPEN_STATES) })
      .execute();
  }

  /** No attempt is left, or no retry can help: the delivery is dead and visible as such. */
  async markDead(deliveryId: string, error: unknown): Promise<void> {
    await this.close(deliveryId, 'dead', describe(error), {});
    this.logger.error(`delivery ${deliveryId} is dead: ${describe(error)}`);
  }

  private async close(
    deliveryId: string,
    state: 'cancelled' | 'dead',
    reason: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const updated = await tx
        .createQueryBuilder()
        .update(DeliveryEntity)
        .set({ state, lastError: reason.slice(0, MAX_ERROR_LENGTH), updatedAt: new Date() })
        .where({ id: deliveryId, state: In(OPEN_STATES) })
        .execute();
      if (updated.affected === 0) return;
      await this.audit.append(tx, {
        actor: 'dispatcher',
        action: `delivery.${state}`,
        subjectType: 'delivery',
        subjectId: deliveryId,
        details: { reason, ...details },
      });
    });
  }
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_LENGTH);
}
