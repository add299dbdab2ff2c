import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  AcknowledgementRepository,
  Availabilities,
  canonicalJson,
  decideForTargets,
  DecisionPurpose,
  DecisionRepository,
  DeliveryRepository,
  ItemEntity,
  ItemVersionEntity,
  PartnerDirectory,
  policyItem,
  TargetDecision,
} from '@tlp-broker/persistence';
import { AppConfig, Deadlines, InjectConfig } from '@tlp-broker/config';
import { isUrgent, Severity } from '@tlp-broker/domain';

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
    private readonly acknowledgements: AcknowledgementRepository,
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
    version: Pick<ItemVersionEntity, 'id'>,
    decided: readonly TargetDecision[],
    now: Date,
    tx: EntityManager,
  ): Promise<Map<string, string>> {
    return (await this.record(version.id, decided, now, tx, 'routing')).decisionIds;
  }

  /** An escalation's decisions about on-call channels, and a `reminder` queued per allowed one; returns their ids. */
  async storeReminders(
    itemVersionId: string,
    decided: readonly TargetDecision[],
    now: Date,
    tx: EntityManager,
  ): Promise<string[]> {
    return (await this.record(itemVersionId, decided, now, tx, 'escalation')).deliveryIds;
  }

  private async record(
    itemVersionId: string,
    decided: readonly TargetDecision[],
    now: Date,
    tx: EntityManager,
    purpose: DecisionPurpose,
  ): Promise<{ decisionIds: Map<string, string>; deliveryIds: string[] }> {
    const decisionIds = await this.decisions.insertAll(
      decided.map(({ target, decision, keyFingerprint }) => ({
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
        purpose,
      })),
      tx,
    );
    const deliveryIds = await this.deliveries.queueItemDeliveries(
      decided
        .filter(({ decision }) => decision.allow)
        .map(({ target, keyFingerprint }) => ({
          decisionId: decisionIds.get(target.channel.id)!,
          itemVersionId,
          channelId: target.channel.id,
          organisationId: target.organisation.id,
          contactId: target.contact?.id ?? null,
          keyFingerprint,
          updatedAt: now,
        })),
      tx,
      purpose === 'escalation' ? 'reminder' : 'item',
    );
    return { decisionIds, deliveryIds };
  }

  /**
   * An urgent item asks every organisation it reached with content (a page is not content) to
   * acknowledge it, with the deadlines of its severity; a later version keeps the first request.
   */
  async requestAcknowledgements(
    item: ItemEntity,
    version: ItemVersionEntity,
    decided: readonly TargetDecision[],
    now: Date,
    tx: EntityManager,
  ): Promise<number> {
    if (!isUrgent(item.kind, version.severity, this.config.urgency)) return 0;
    const reached = new Set(
      decided
        .filter(({ decision, target }) => decision.allow && target.channel.kind !== 'pager')
        .map(({ target }) => target.organisation.id),
    );
    const { escalateAfter, dutyOfficerAfter } = this.config.acknowledgements;
    const at = (deadlines: Deadlines) => new Date(now.getTime() + deadlineFor(deadlines, version.severity));
    return this.acknowledgements.request(
      [...reached].map((organisationId) => ({
        itemId: item.id,
        organisationId,
        itemVersionId: version.id,
        requestedAt: now,
        escalateAt: at(escalateAfter),
        // Never before the first step: the duty officer hears only of what the on-call channels did not answer.
        dutyOfficerAt: new Date(Math.max(at(dutyOfficerAfter).getTime(), at(escalateAfter).getTime())),
      })),
      tx,
    );
  }
}

/** Binds the audit trail to the exact decisions stored for a version: a digest of them by channel. */
export function decisionsDigest(decided: readonly TargetDecision[]): string {
  const sorted = decided
    .map(({ target, decision }) => [target.channel.id, decision] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(canonicalJson(sorted)).digest('hex');
}

function deadlineFor(deadlines: Deadlines, severity: Severity | null): number {
  return (severity !== null ? deadlines[severity] : undefined) ?? deadlines.other;
}
