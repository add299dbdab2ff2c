import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  DeliveryRepository,
  FeedEntryRepository,
  ItemEntity,
  ItemVersionEntity,
  TargetDecision,
} from '@tlp-broker/persistence';
import { isDutyRefusal } from '@tlp-broker/tlp';

/** A routed version that replaces earlier ones, with its decisions and their ids by channel id. */
export interface Superseding {
  readonly item: ItemEntity;
  readonly version: ItemVersionEntity;
  readonly decided: readonly TargetDecision[];
  readonly decisionIds: ReadonlyMap<string, string>;
}

/** What replacing the earlier versions did. */
export interface Supersession {
  readonly cancelled: number;
  readonly recalls: number;
  readonly removed: number;
}

/**
 * A new version replaces the earlier ones: their deliveries not yet handed to a channel are
 * cancelled (the new version goes to whoever may have it), and every channel that was sent an
 * earlier version but may not receive this one gets a recall notice and loses the item from its feed.
 */
@Injectable()
export class SupersessionService {
  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly feedEntries: FeedEntryRepository,
  ) {}

  async supersede({ item, version, decided, decisionIds }: Superseding, tx: EntityManager): Promise<Supersession> {
    const cancelled = await this.deliveries.cancelPending(
      item.id,
      `Superseded by version ${version.version} before it was sent.`,
      { beforeVersion: version.version },
      tx,
    );
    // A channel left out only because its duty is not wanted now may still hold what it received.
    const denied = decided.filter(({ decision }) => !decision.allow && !isDutyRefusal(decision.code));
    const deniedChannels = denied.map(({ target }) => target.channel.id);
    const targets = await this.deliveries.channelsToRecall(item.id, deniedChannels, tx);
    const reason = new Map(
      denied.map(({ target, decision }) => [
        target.channel.id,
        `Version ${version.version} may not be sent to this recipient: ${decision.reason}`,
      ]),
    );
    const recalls = await this.deliveries.queueRecalls({ itemVersionId: version.id, targets, reason, decisionIds }, tx);
    const removed = await this.feedEntries.removeItem(item.id, deniedChannels, tx);
    return { cancelled: cancelled.length, recalls: recalls.length, removed };
  }
}
