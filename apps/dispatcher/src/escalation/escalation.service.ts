import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig, Clock, InjectConfig } from '@tlp-broker/config';
import {
  AcknowledgementRepository,
  AcknowledgementRequestEntity,
  AuditLog,
  decideForTargets,
  DecisionRepository,
  DeliveryToQueue,
  ItemRepository,
  PartnerDirectory,
  policyItem,
  Transactions,
} from '@tlp-broker/persistence';
import { DeliveryJobsService } from '../delivery/delivery-jobs.service';
import { RoutingDecisionsService } from '../routing/routing-decisions.service';
import { DutyOfficerNotices } from './duty-officer-notices';

/** Requests escalated in one transaction. */
const BATCH = 20;
/** On-call channels a reminder is pushed to: a feed is pulled, so nothing would wake anyone there. */
const PUSHED = new Set(['email', 'webhook', 'pager']);

/**
 * Takes the escalation steps of unacknowledged urgent items when their deadlines pass, as
 * PostgreSQL records them (nothing about them lives in Redis): step 1 asks the engine again about
 * the organisation's on-call channels and sends the item to each it allows (a `reminder`), with a
 * page; step 2 tells the team's duty officer. Each step is taken in the transaction that records it,
 * on requests locked against other dispatchers and against an acknowledgement arriving meanwhile:
 * none is taken twice, and none after the acknowledgement. A step missed while no dispatcher ran is
 * taken at the next look, one step per look.
 */
@Injectable()
export class EscalationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EscalationService.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly requests: AcknowledgementRepository,
    private readonly items: ItemRepository,
    private readonly decisions: DecisionRepository,
    private readonly routingDecisions: RoutingDecisionsService,
    private readonly directory: PartnerDirectory,
    private readonly jobs: DeliveryJobsService,
    private readonly notices: DutyOfficerNotices,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((error: unknown) =>
          this.logger.error(`escalation: ${error instanceof Error ? error.message : String(error)}`),
        )
        .finally(() => (this.running = null));
    }, this.config.escalation.pollMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Takes the steps due now, then sends the duty officer's notices due. */
  async tick(): Promise<{ steps: number; reminders: number; notices: number }> {
    const now = this.clock.now();
    const { steps, reminders } = await this.transactions.run((tx) => this.takeDueSteps(now, tx));
    // Queued in PostgreSQL with the step: if this process stops here, the reconciler enqueues them.
    await this.jobs.enqueue(reminders);
    const notices = await this.notices.sendDue(now);
    return { steps, reminders: reminders.length, notices };
  }

  private async takeDueSteps(now: Date, tx: EntityManager) {
    const due = await this.requests.claimDue(now, BATCH, tx);
    const reminders: DeliveryToQueue[] = [];
    for (const request of due) {
      if (request.escalationStep === 0) reminders.push(...(await this.remind(request, now, tx)));
      else await this.tellDutyOfficer(request, now, tx);
    }
    return { steps: due.length, reminders };
  }

  /** Step 1: the item again to the organisation's on-call channels, as the engine allows, and a page. */
  private async remind(request: AcknowledgementRequestEntity, now: Date, tx: EntityManager) {
    const item = await this.items.findById(request.itemId, tx);
    const routed = item && (await this.decisions.latestRoutedVersionAfter(item.id, 0, tx));
    if (!item || item.state === 'retracted' || !routed) {
      await this.requests.setStep(request.id, 2, tx);
      await this.record(tx, request, 'escalation.stopped', { reason: 'the item was retracted' });
      return [];
    }
    const version = await this.items.versionOf(item.id, routed, tx);
    const targets = (await this.directory.allTargets(tx)).filter(
      (target) => target.organisation.id === request.organisationId,
    );
    const organisation = targets[0]?.organisation.name ?? request.organisationId;
    const duty = {
      needed: true,
      reason: `no one at ${organisation} acknowledged it within ${duration(request.escalateAt.getTime() - request.requestedAt.getTime())} (escalation)`,
    };
    // Every channel of the organisation is decided, so that a page knows whether the item reached it.
    const decided = decideForTargets(
      policyItem(item, version, this.config.urgency),
      targets,
      this.config.team,
      now,
      new Map([[request.organisationId, duty]]),
    ).filter(({ target }) => target.channel.onCall && PUSHED.has(target.channel.kind));
    const ids = await this.routingDecisions.storeReminders(version.id, decided, now, tx);
    await this.requests.setStep(request.id, 1, tx);
    await this.record(tx, request, 'escalation.on-call', {
      step: 1,
      reminders: ids.length,
      channels: decided.map(({ target, decision }) => ({
        channelId: target.channel.id,
        kind: target.channel.kind,
        allow: decision.allow,
        code: decision.code,
      })),
    });
    return ids.map((id): DeliveryToQueue => ({ id, itemKind: item.kind, toFeed: false }));
  }

  /** Step 2: the team's duty officer is to be told; the notice is kept until it is sent. */
  private async tellDutyOfficer(request: AcknowledgementRequestEntity, now: Date, tx: EntityManager): Promise<void> {
    await this.requests.queueNotice(request.id, now, tx);
    await this.requests.setStep(request.id, 2, tx);
    await this.record(tx, request, 'escalation.duty-officer', {
      step: 2,
      channel: this.config.escalation.dutyOfficer ? 'DUTY_OFFICER_URL' : 'none configured (DUTY_OFFICER_URL)',
    });
  }

  private async record(
    tx: EntityManager,
    request: AcknowledgementRequestEntity,
    action: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.append(tx, {
      actor: 'dispatcher',
      action,
      subjectType: 'item',
      subjectId: request.itemId,
      details: { organisationId: request.organisationId, requestId: request.id, ...details },
    });
  }
}

/** "15 minutes", "3 seconds", "2 hours" */
function duration(ms: number): string {
  const [amount, unit] =
    ms < 60_000
      ? [Math.round(ms / 1_000), 'second']
      : ms < 3_600_000
        ? [Math.round(ms / 60_000), 'minute']
        : [Math.round(ms / 3_600_000), 'hour'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}
