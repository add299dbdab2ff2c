import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import type { EntityManager } from 'typeorm';
import {
  AuditLog,
  ItemEntity,
  ItemRepository,
  ItemVersionEntity,
  OutboxRepository,
  OutboxTopic,
  TargetDecision,
  Transactions,
} from '@tlp-broker/persistence';
import { Metrics } from '@tlp-broker/observability';
import { Clock } from '@tlp-broker/config';
import { DeliveryJobsService } from '../delivery/delivery-jobs.service';
import { decisionsDigest, RoutingDecisionsService } from './routing-decisions.service';
import { SealingService } from './sealing.service';
import { Supersession, SupersessionService } from './supersession.service';

export interface RoutingOutcome {
  readonly allowed: number;
  readonly denied: number;
  readonly alreadyRouted: boolean;
  /** Not routed: the item was retracted, or a later version was released first. */
  readonly skipped?: 'retracted' | 'superseded';
  /** Recall notices queued to earlier recipients the new version may not reach. */
  readonly recalls?: number;
  /** The rule behind each decision stored (once the transaction holding them commits). */
  readonly ruleCodes?: readonly string[];
}

/** One item version being routed, in the transaction that holds its outbox row and its item's row. */
interface Routing {
  readonly tx: EntityManager;
  readonly outboxId: string;
  readonly item: ItemEntity;
  readonly version: ItemVersionEntity;
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
    private readonly transactions: Transactions,
    private readonly outbox: OutboxRepository,
    private readonly items: ItemRepository,
    private readonly audit: AuditLog,
    private readonly decisions: RoutingDecisionsService,
    private readonly sealing: SealingService,
    private readonly supersession: SupersessionService,
    private readonly jobs: DeliveryJobsService,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {}

  /** Carries out one outbox row, named by its job key: routes a released version, or sends a retraction's recalls. */
  async process(outboxKey: string | undefined): Promise<RoutingOutcome> {
    // A job queued before outbox rows had job keys names no row; the relay enqueues that row again under its key.
    if (typeof outboxKey !== 'string') throw new UnrecoverableError('routing job without an outbox key');
    const row = await this.outbox.findByJobKey(outboxKey);
    if (!row) throw new UnrecoverableError(`no outbox entry with job key ${outboxKey}`);
    if (row.topic === OutboxTopic.Published) return this.route(row.itemVersionId);
    if (row.topic === OutboxTopic.Retracted) return this.sendRecalls(row.id, row.itemVersionId);
    throw new UnrecoverableError(`outbox entry ${row.id} has an unknown topic ${String(row.topic)}`);
  }

  async route(itemVersionId: string): Promise<RoutingOutcome> {
    const outcome = await this.transactions.run((tx) => this.routeIn(tx, itemVersionId));
    await this.jobs.enqueueQueued(itemVersionId);
    if (outcome.ruleCodes) this.metrics.decisionsMade(outcome.ruleCodes);
    return outcome;
  }

  /** A retraction queued its recall notices with the item's last version; they only need sending. */
  private async sendRecalls(outboxId: string, itemVersionId: string): Promise<RoutingOutcome> {
    await this.outbox.markProcessed(outboxId);
    const recalls = await this.jobs.enqueueQueued(itemVersionId);
    return { allowed: 0, denied: 0, alreadyRouted: false, skipped: 'retracted', recalls };
  }

  private async routeIn(tx: EntityManager, itemVersionId: string): Promise<RoutingOutcome> {
    // The outbox row lock serialises concurrent runs for one item version.
    const release = await this.outbox.lockRelease(itemVersionId, tx);
    if (!release) throw new UnrecoverableError(`no outbox entry for item version ${itemVersionId}`);
    if (release.processedAt !== null) return { allowed: 0, denied: 0, alreadyRouted: true };
    const version = await this.items.findVersion(itemVersionId, tx);
    if (!version) throw new UnrecoverableError(`item version ${itemVersionId} not found`);
    // Never before the embargo. The relay only enqueues due rows (by the database's clock, as
    // here), so this is a guard: an early job fails and is retried with back-off.
    if (version.releaseAt !== null && (await this.items.isEmbargoed(version.id, tx)))
      throw new Error(`item version ${itemVersionId} is embargoed until ${version.releaseAt.toISOString()}`);
    // The item's row lock orders routing against retraction, updates and finishing deliveries.
    const item = await this.items.lockForUpdate(version.itemId, tx);
    if (!item) throw new Error(`item ${version.itemId} of version ${itemVersionId} not found`);
    const routing: Routing = { tx, outboxId: release.id, item, version };
    if (item.state === 'retracted')
      return this.skip(routing, 'retracted', 'the item was retracted before this version was routed');
    const later = await this.items.latestReleasedVersionAfter(item.id, version.version, tx);
    if (later !== null)
      return this.skip(routing, 'superseded', `version ${later} was released before this version was routed`);
    return this.routeVersion(routing);
  }

  private async skip(
    { tx, outboxId, item, version }: Routing,
    skipped: 'retracted' | 'superseded',
    why: string,
  ): Promise<RoutingOutcome> {
    await this.outbox.markProcessed(outboxId, tx);
    await this.audit.append(tx, {
      actor: 'dispatcher',
      action: 'item.routing-skipped',
      subjectType: 'item',
      subjectId: item.id,
      details: { itemVersionId: version.id, version: version.version, reason: why },
    });
    this.logger.log(`not routing ${item.id} v${version.version}: ${why}`);
    return { allowed: 0, denied: 0, alreadyRouted: false, skipped };
  }

  private async routeVersion(routing: Routing): Promise<RoutingOutcome> {
    const { tx, item, version } = routing;
    // The rules' time: business hours and key expiry are read at it (CLOCK_START moves it in tests).
    const now = this.clock.now();
    const decided = await this.decisions.decide(item, version, now, tx);
    const allowedTargets = decided.filter(({ decision }) => decision.allow).map(({ target }) => target);
    const allowed = allowedTargets.length;
    await this.sealing.sealFor(item, version, allowedTargets, tx);
    const decisionIds = await this.decisions.store(version, decided, now, tx);
    await this.decisions.requestAcknowledgements(item, version, decided, now, tx);
    const superseded =
      version.version > 1 ? await this.supersession.supersede({ item, version, decided, decisionIds }, tx) : null;
    await this.outbox.markProcessed(routing.outboxId, tx);
    // An embargoed version is published when its release time has come and it is routed.
    await this.items.publishIfScheduled(item.id, tx);
    await this.auditRouted(routing, decided, superseded);
    this.logger.log(
      `routed ${item.kind} ${item.id} v${version.version} (${version.tlp}): ${allowed} allowed, ${decided.length - allowed} denied`,
    );
    return {
      allowed,
      denied: decided.length - allowed,
      alreadyRouted: false,
      recalls: superseded?.recalls ?? 0,
      ruleCodes: decided.map(({ decision }) => decision.code),
    };
  }

  private async auditRouted(
    { tx, item, version }: Routing,
    decided: readonly TargetDecision[],
    superseded: Supersession | null,
  ): Promise<void> {
    const allowed = decided.filter(({ decision }) => decision.allow).length;
    await this.audit.append(tx, {
      actor: 'dispatcher',
      action: 'item.routed',
      subjectType: 'item',
      subjectId: item.id,
      details: {
        itemVersionId: version.id,
        version: version.version,
        tlp: version.tlp,
        allowed,
        denied: decided.length - allowed,
        ...(superseded
          ? {
              supersededCancelled: superseded.cancelled,
              recalls: superseded.recalls,
              removedFromFeeds: superseded.removed,
            }
          : {}),
        // Binds the audit trail to the exact decisions stored for this version.
        decisionsDigest: decisionsDigest(decided),
      },
    });
  }
}
