import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { DataSource, In } from 'typeorm';
import { OpenPgpService, TeamKeyService } from '@tlp-broker/crypto';
import {
  AuditLog,
  DecisionEntity,
  DeliveryEntity,
  DeliveryState,
  FeedEntryEntity,
  ItemEntity,
  ItemVersionEntity,
  PartnerDirectory,
  policyChannel,
  policyItem,
  policyKey,
  policyOrganisation,
  SealedPayloadEntity,
} from '@tlp-broker/persistence';
import { decide, TlpLabel } from '@tlp-broker/tlp';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { itemDocument, itemText } from '../item-document';
import { ChannelSenders } from './channel-senders';
import { RateLimiter } from './rate-limiter';
import { ChannelError } from '@tlp-broker/channels';
import { mimeEntityForItem } from '@tlp-broker/crypto';

const OPEN_STATES: DeliveryState[] = ['queued', 'failed'];
const MAX_ERROR_LENGTH = 2_000;

export type DeliveryOutcome = 'delivered' | 'cancelled' | 'already-done';

/**
 * Carries out one allowed decision. The rules are applied again at send time, with a fresh
 * reading of the recipient's key: a partner suspended, or a key revoked or expired, while the
 * delivery was queued stops it here.
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
  ) {}

  async deliver(deliveryId: string): Promise<DeliveryOutcome> {
    const manager = this.dataSource.manager;
    const delivery = await manager.getRepository(DeliveryEntity).findOne({ where: { id: deliveryId } });
    if (!delivery) throw new UnrecoverableError(`delivery ${deliveryId} not found`);
    if (!OPEN_STATES.includes(delivery.state)) return 'already-done';

    const [target, version, decision] = await Promise.all([
      this.directory.target(delivery.channelId),
      manager.getRepository(ItemVersionEntity).findOneOrFail({ where: { id: delivery.itemVersionId } }),
      manager.getRepository(DecisionEntity).findOneOrFail({ where: { id: delivery.decisionId } }),
    ]);
    if (!target) throw new UnrecoverableError(`channel ${delivery.channelId} of delivery ${deliveryId} not found`);
    const item = await manager.getRepository(ItemEntity).findOneOrFail({ where: { id: version.itemId } });

    const now = new Date();
    const reading = target.key ? await this.openpgp.keyStateAt(target.key.armored, now) : undefined;
    const recheck = decide({
      item: policyItem(item, version),
      organisation: policyOrganisation(target),
      channel: policyChannel(target, policyKey(target.key, reading)),
      now,
      team: this.config.team,
    });
    if (!recheck.allow || item.state === 'retracted') {
      const reason = item.state === 'retracted' ? 'The item was retracted before this delivery was sent.' : recheck.reason;
      await this.close(deliveryId, 'cancelled', reason, { code: item.state === 'retracted' ? 'item.retracted' : recheck.code });
      this.logger.warn(`delivery ${deliveryId} cancelled at send time: ${reason}`);
      return 'cancelled';
    }

    const form = target.channel.kind === 'email' ? 'mime' : 'document';
    const team = await this.teamKey.current();
    const publisher = { name: this.teamKey.publisherName(), fingerprint: team.info.fingerprint };
    let message: string | null = null;
    if (target.key) {
      const sealed = await manager.getRepository(SealedPayloadEntity).findOneOrFail({ where: { itemVersionId: version.id, form } });
      message = await this.openpgp.addressTo(
        { sessionKeyAlgorithm: sealed.sessionKeyAlgorithm, sessionKey: new Uint8Array(sealed.sessionKey), encryptedData: new Uint8Array(sealed.encryptedData) },
        target.key.fingerprint,
        target.key.armored,
      );
    } else if (form === 'document') {
      // Only TLP:CLEAR reaches a recipient without a key (the engine denies anything else): signed, not encrypted.
      message = await this.openpgp.signOnly(itemDocument(item, version, publisher), team.key);
    }

    // Pushed channels are rate-limited per channel; over the limit, the job waits (no attempt counted).
    if (target.channel.kind === 'email' || target.channel.kind === 'webhook') await this.rateLimiter.acquire(target.channel.id);

    let messageId: string | null = null;
    try {
      switch (target.channel.kind) {
        case 'feed':
          break;
        case 'email': {
          const sender = this.channels.email();
          const sent = await sender.send({
            deliveryId,
            itemId: item.id,
            version: version.version,
            itemType: item.kind,
            tlp: version.tlp as TlpLabel,
            title: version.title,
            to: { name: target.contact?.name ?? target.organisation.name, address: target.channel.address! },
            body: message
              ? { kind: 'encrypted', armored: message }
              : { kind: 'signed', entity: mimeEntityForItem(itemText(item, version, publisher)), signingKey: team.key },
          });
          messageId = sent.messageId;
          break;
        }
        case 'webhook':
          await this.channels.webhook().send({
            url: target.channel.address!,
            secret: target.channel.secret!,
            deliveryId,
            idempotencyKey: `delivery-${deliveryId}`,
            payload: {
              format: 'tlp-broker/delivery@1',
              deliveryId,
              itemId: item.id,
              version: version.version,
              type: item.kind,
              tlp: version.tlp,
              pap: version.pap,
              handling: decision.handling,
              keyFingerprint: target.key?.fingerprint ?? null,
              message,
            },
          });
          break;
        default:
          throw new UnrecoverableError(`nothing is delivered over ${target.channel.kind} channels`);
      }
    } catch (error) {
      // A refusal no retry can change (5xx mail, 4xx webhook, refused address) ends the delivery now.
      if (error instanceof ChannelError && error.permanent) throw new UnrecoverableError(error.message);
      throw error;
    }

    const state: DeliveryState = target.channel.kind === 'email' ? 'sent' : 'delivered';
    return this.dataSource.transaction(async (tx) => {
      const updated = await tx
        .createQueryBuilder()
        .update(DeliveryEntity)
        .set({ state, attempts: () => 'attempts + 1', deliveredAt: now, updatedAt: new Date(), lastError: null, messageId, keyFingerprint: target.key?.fingerprint ?? null })
        .where({ id: deliveryId, state: In(OPEN_STATES) })
        .execute();
      // Another worker finished it first: keep its result, write nothing.
      if (updated.affected === 0) return 'already-done';
      if (target.channel.kind === 'feed') {
        await tx
          .createQueryBuilder()
          .insert()
          .into(FeedEntryEntity)
          .values({
            deliveryId,
            channelId: target.channel.id,
            itemId: item.id,
            itemVersion: version.version,
            kind: item.kind,
            tlp: version.tlp,
            pap: version.pap,
            handling: decision.handling,
            keyFingerprint: target.key?.fingerprint ?? '',
            message: message!,
          })
          .orIgnore()
          .execute();
      }
      await this.audit.append(tx, {
        actor: 'dispatcher',
        action: `delivery.${state}`,
        subjectType: 'delivery',
        subjectId: deliveryId,
        details: { itemId: item.id, version: version.version, channelId: target.channel.id, channel: target.channel.kind, keyFingerprint: target.key?.fingerprint ?? null, messageId },
      });
      return 'delivered';
    });
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

  private async close(deliveryId: string, state: 'cancelled' | 'dead', reason: string, details: Record<string, unknown>): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const updated = await tx
        .createQueryBuilder()
        .update(DeliveryEntity)
        .set({ state, lastError: reason.slice(0, MAX_ERROR_LENGTH), updatedAt: new Date() })
        .where({ id: deliveryId, state: In(OPEN_STATES) })
        .execute();
      if (updated.affected === 0) return;
      await this.audit.append(tx, { actor: 'dispatcher', action: `delivery.${state}`, subjectType: 'delivery', subjectId: deliveryId, details: { reason, ...details } });
    });
  }
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_LENGTH);
}
