import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  Availabilities,
  canonicalJson,
  decideForTargets,
  DecisionRepository,
  DeliveryRepository,
  ItemEntity,
  ItemVersionEntity,
  PartnerDirectory,
  policyItem,
  TargetDecision,
} from '@tlp-broker/persistence';
import { AppConfig, InjectConfig } from '@tlp-broker/config';

/**
 * Asks the policy engine about every partner channel for an item version, and stores what it
 * decided: every decision (allow or deny, with its reason), and one queued delivery per allowed one.
 */
@Injectable()
export class RoutingDecisionsService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly directory: PartnerDirectory,
    private readonly decisions: DecisionRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly availabilities: Availabilities,
  ) {}

  /**
   * The engine's answer for every channel of every organisation (suspended ones too: their denials
   * are recorded). For an urgent item, the business hours of each organisation with an on-call
   * channel are read at `now`: outside them, its on-call channels are wanted.
   */
  async decide(item: ItemEntity, version: ItemVersionEntity, now: Date, tx: EntityManager): Promise<TargetDecision[]> {
    const targets = await this.directory.allTargets(tx);
    const subject = policyItem(item, version, this.config.urgency);
    const duty = await this.availabilities.dutyFor(subject, targets, now, tx);
    return decideForTargets(subject, targets, this.config.team, now, duty);
  }

  /** Stores the decisions and queues a delivery per allowed one; returns each decision's id by channel id. */
  async store(
    version: ItemVersionEntity,
    decided: readonly TargetDecision[],
    now: Date,
    tx: EntityManager,
  ): Promise<Map<string, string>> {
    const decisionIds = await this.decisions.insertAll(
      decided.map(({ target, decision, keyFingerprint }) => ({
        itemVersionId: version.id,
        organisationId: target.organisation.id,
        contactId: target.contact?.id ?? null,
        channelId: target.channel.id,
        allow: decision.allow,
        code: decision.code,
        reason: decision.reason,
        handling: decision.handling,
        keyFingerprint,
        decidedAt: now,
      })),
      tx,
    );
    await this.deliveries.queueItemDeliveries(
      decided
        .filter(({ decision }) => decision.allow)
        .map(({ target, keyFingerprint }) => ({
          decisionId: decisionIds.get(target.channel.id)!,
          itemVersionId: version.id,
          channelId: target.channel.id,
          organisationId: target.organisation.id,
          contactId: target.contact?.id ?? null,
          keyFingerprint,
          updatedAt: now,
        })),
      tx,
    );
    return decisionIds;
  }
}

/** Binds the audit trail to the exact decisions stored for a version: a digest of them by channel. */
export function decisionsDigest(decided: readonly TargetDecision[]): string {
  const sorted = decided
    .map(({ target, decision }) => [target.channel.id, decision] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(canonicalJson(sorted)).digest('hex');
}
