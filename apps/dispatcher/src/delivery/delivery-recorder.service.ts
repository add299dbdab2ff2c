import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DeliveryKind, ItemState } from '@tlp-broker/domain';
import {
  AuditEntry,
  AuditLog,
  DecisionRepository,
  DeliveryRepository,
  DeliveryToQueue,
  FeedEntryRepository,
  FeedHandoverRepository,
  ItemEntity,
  ItemRepository,
  ItemVersionEntity,
  NewFeedEntry,
  Transactions,
} from '@tlp-broker/persistence';
import { Cancellation, DeliveryOutcome, Outgoing } from './outgoing';

const MAX_ERROR_LENGTH = 2_000;

/** A message that left (or a feed entry about to be written), to be recorded. */
export interface Finishing {
  readonly deliveryId: string;
  readonly kind: DeliveryKind;
  readonly out: Outgoing;
  readonly messageId: string | null;
  /** When the rules let it go: the delivery's time. */
  readonly now: Date;
}

/** Item deliveries of one version to pull feeds, prepared and to be finished together. */
export interface FeedBatch {
  readonly item: ItemEntity;
  readonly version: ItemVersionEntity;
  /** When the rules let them go. */
  readonly now: Date;
  readonly carried: readonly { readonly deliveryId: string; readonly out: Outgoing }[];
  /** The deliveries the rules stopped at send time, by id. */
  readonly cancelled: ReadonlyMap<string, Cancellation>;
}

export interface FeedBatchFinished {
  readonly delivered: readonly string[];
  readonly cancelled: readonly string[];
}

/** What finishing came to, and the recall notices it queued (to be put on the delivery queue). */
export interface Finished {
  readonly outcome: DeliveryOutcome;
  readonly recalls: readonly DeliveryToQueue[];
}

interface Overtaken {
  readonly why: string;
  /** The later version's deny decision for this channel; absent when the item was retracted. */
  readonly denied?: { readonly decisionId: string; readonly versionId: string };
}

/** An error as recorded on a delivery: its message, bounded. */
export function describeError(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_LENGTH);
}

/**
 * A delivery's state transitions, each with its audit entry in one transaction. A delivery is
 * marked `sending` before it is handed to its channel and finished in a transaction that holds the
 * item's row lock (shared), so that a retraction or a narrowing update that lands meanwhile is
 * seen, and answered with a recall. Only an open delivery moves: a repeat, or a second worker,
 * changes nothing.
 */
@Injectable()
export class DeliveryRecorderService {
  constructor(
    private readonly transactions: Transactions,
    private readonly deliveries: DeliveryRepository,
    private readonly items: ItemRepository,
    private readonly decisions: DecisionRepository,
    private readonly feedEntries: FeedEntryRepository,
    private readonly feedHandovers: FeedHandoverRepository,
    private readonly audit: AuditLog,
  ) {}

  /**
   * From here the message may leave: an update or a retraction no longer cancels the delivery, and
   * a recall follows it if the item is withdrawn. False when it is no longer open.
   */
  markSending(deliveryId: string): Promise<boolean> {
    return this.deliveries.markSending(deliveryId);
  }

  async finish(finishing: Finishing): Promise<Finished> {
    return this.transactions.run(async (tx) => {
      const { out } = finishing;
      // Shared with other deliveries of the item; waits for a retraction or routing in progress.
      const current = await this.items.lockForShare(out.item.id, tx);
      if (!current) throw new Error(`item ${out.item.id} not found`);
      const overtaken = finishing.kind === 'item' ? await this.overtaken(current.state, out, tx) : null;
      if (overtaken && out.target.channel.kind === 'feed') return this.cancelOvertaken(finishing, overtaken, tx);
      return this.recordHandedOver(finishing, { currentVersion: current.currentVersion, overtaken }, tx);
    });
  }

  /**
   * Item deliveries of one version to pull feeds, finished together in one transaction that holds
   * the item's row lock (shared): the carried ones marked delivered with their feed entries, the
   * stopped ones cancelled, each with its audit entry. Null when the item was retracted or a later
   * version routed meanwhile: nothing is written, and each delivery is carried on its own instead.
   */
  async finishFeedBatch(batch: FeedBatch): Promise<FeedBatchFinished | null> {
    const { item, version } = batch;
    return this.transactions.run(async (tx) => {
      const current = await this.items.lockForShare(item.id, tx);
      if (!current) throw new Error(`item ${item.id} not found`);
      if (current.state === 'retracted') return null;
      if ((await this.decisions.latestRoutedVersionAfter(item.id, version.version, tx)) !== null) return null;
      const cancelled = await this.feedHandovers.cancel(
        new Map([...batch.cancelled].map(([id, stop]) => [id, stop.cancel.slice(0, MAX_ERROR_LENGTH)])),
        tx,
      );
      const delivered = await this.feedHandovers.handOver(
        {
          itemId: item.id,
          itemVersion: version.version,
          kind: item.kind,
          tlp: version.tlp,
          pap: version.pap,
          deliveredAt: batch.now,
          entries: batch.carried.map(({ deliveryId, out }) => ({
            deliveryId,
            channelId: out.target.channel.id,
            handling: out.handling,
            keyFingerprint: out.keyFingerprint,
            message: out.message!,
          })),
        },
        tx,
      );
      const carried = new Map(batch.carried.map(({ deliveryId, out }) => [deliveryId, out]));
      await this.audit.appendAll(tx, [
        ...cancelled.map((id) => cancelledEntry(id, batch.cancelled.get(id)!)),
        ...delivered.map((id) => handedOverEntry(id, carried.get(id)!, 'delivered', null)),
      ]);
      return { delivered, cancelled };
    });
  }

  /** A failed attempt that will be retried. */
  async recordFailure(deliveryId: string, error: unknown): Promise<void> {
    await this.deliveries.markFailed(deliveryId, describeError(error));
  }

  /** Ends an open delivery as cancelled (the rules stopped it) or dead (no attempt left), audited. */
  async close(
    deliveryId: string,
    state: 'cancelled' | 'dead',
    reason: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.transactions.run(async (tx) => {
      if (!(await this.deliveries.close(deliveryId, state, reason.slice(0, MAX_ERROR_LENGTH), tx))) return;
      await this.audit.append(tx, {
        actor: 'dispatcher',
        action: `delivery.${state}`,
        subjectType: 'delivery',
        subjectId: deliveryId,
        details: { reason, ...details },
      });
    });
  }

  /** Whether the item was retracted, or a later routed version may not reach this channel. */
  private async overtaken(itemState: ItemState, out: Outgoing, tx: EntityManager): Promise<Overtaken | null> {
    if (itemState === 'retracted') return { why: 'The item was retracted while this delivery was being sent.' };
    const later = await this.decisions.latestForChannelAfter(
      out.item.id,
      out.target.channel.id,
      out.version.version,
      tx,
    );
    if (!later || later.allow) return null;
    return {
      why: `Version ${later.version} may not be sent to this recipient: ${later.reason}`,
      denied: { decisionId: later.decisionId, versionId: later.itemVersionId },
    };
  }

  /** Nothing has left yet: a feed delivery happens when its entry is written. Write none. */
  private async cancelOvertaken({ deliveryId }: Finishing, overtaken: Overtaken, tx: EntityManager): Promise<Finished> {
    if (!(await this.deliveries.close(deliveryId, 'cancelled', overtaken.why, tx)))
      return { outcome: 'already-done', recalls: [] };
    await this.audit.append(tx, {
      actor: 'dispatcher',
      action: 'delivery.cancelled',
      subjectType: 'delivery',
      subjectId: deliveryId,
      details: { reason: overtaken.why },
    });
    return { outcome: 'cancelled', recalls: [] };
  }

  private async recordHandedOver(
    finishing: Finishing,
    seen: { currentVersion: number; overtaken: Overtaken | null },
    tx: EntityManager,
  ): Promise<Finished> {
    const { deliveryId, out, messageId } = finishing;
    const state = out.target.channel.kind === 'email' ? 'sent' : 'delivered';
    const outcome = { state, deliveredAt: finishing.now, messageId, keyFingerprint: out.keyFingerprint } as const;
    // Another worker finished it first: keep its result, write nothing.
    if (!(await this.deliveries.markHandedOver(deliveryId, outcome, tx)))
      return { outcome: 'already-done', recalls: [] };
    if (out.target.channel.kind === 'feed') await this.feedEntries.append(feedEntry(deliveryId, out), tx);
    await this.audit.append(tx, handedOverEntry(deliveryId, out, state, messageId));
    // What the recipient held is now withdrawn: its item deliveries read `recalled`.
    if (out.entry === 'recall') await this.deliveries.markRecalled(out.item.id, out.target.channel.id, tx);
    // The message left while the item was retracted, or narrowed by a later version: the
    // recipient gets the recall it would have had, had this delivery finished a moment earlier.
    const recalls = seen.overtaken ? await this.queueRecall(out, seen.currentVersion, seen.overtaken, tx) : [];
    return { outcome: 'delivered', recalls: recalls.map((id) => ({ id, itemKind: out.item.kind })) };
  }

  private async queueRecall(
    out: Outgoing,
    currentVersion: number,
    overtaken: Overtaken,
    tx: EntityManager,
  ): Promise<string[]> {
    const channelId = out.target.channel.id;
    const targets = await this.deliveries.channelsToRecall(out.item.id, [channelId], tx);
    if (overtaken.denied) {
      const decisionIds = new Map([[channelId, overtaken.denied.decisionId]]);
      return this.deliveries.queueRecalls(
        { itemVersionId: overtaken.denied.versionId, targets, reason: overtaken.why, decisionIds },
        tx,
      );
    }
    const latest = await this.items.versionOf(out.item.id, currentVersion, tx);
    return this.deliveries.queueRecalls({ itemVersionId: latest.id, targets, reason: 'The item was retracted.' }, tx);
  }
}

function cancelledEntry(deliveryId: string, stop: Cancellation): AuditEntry {
  return {
    actor: 'dispatcher',
    action: 'delivery.cancelled',
    subjectType: 'delivery',
    subjectId: deliveryId,
    details: { reason: stop.cancel, code: stop.code },
  };
}

/** The audit entry of a delivery or recall handed over (`delivered` to a feed or webhook, `sent` by e-mail). */
function handedOverEntry(
  deliveryId: string,
  out: Outgoing,
  state: 'delivered' | 'sent',
  messageId: string | null,
): AuditEntry {
  return {
    actor: 'dispatcher',
    action: `${out.entry === 'recall' ? 'recall' : 'delivery'}.${state}`,
    subjectType: 'delivery',
    subjectId: deliveryId,
    details: {
      itemId: out.item.id,
      version: out.version.version,
      channelId: out.target.channel.id,
      channel: out.target.channel.kind,
      keyFingerprint: out.keyFingerprint,
      messageId,
    },
  };
}

function feedEntry(deliveryId: string, out: Outgoing): NewFeedEntry {
  return {
    deliveryId,
    channelId: out.target.channel.id,
    itemId: out.item.id,
    itemVersion: out.version.version,
    entry: out.entry,
    kind: out.item.kind,
    tlp: out.tlp,
    pap: out.entry === 'item' ? out.version.pap : null,
    handling: out.handling,
    keyFingerprint: out.keyFingerprint ?? '',
    message: out.message!,
  };
}
