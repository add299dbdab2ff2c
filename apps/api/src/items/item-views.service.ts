import { Injectable, NotFoundException } from '@nestjs/common';
import { AppConfig, Clock, InjectConfig } from '@tlp-broker/config';
import {
  Availabilities,
  DecisionEntity,
  DecisionRepository,
  decideForTargets,
  DeliveryEntity,
  DeliveryRepository,
  ItemEntity,
  ItemRepository,
  ItemVersionEntity,
  OrganisationEntity,
  OrganisationRepository,
  OutboxRepository,
  PartnerDirectory,
  policyItem,
  TargetDecision,
} from '@tlp-broker/persistence';
import type { Decision } from '@tlp-broker/tlp';
import { StaffPrincipal } from '../auth/principal';
import { ItemIntakeService } from './item-intake.service';
import {
  DecisionsView,
  DecisionView,
  DeliveryView,
  draftView,
  ExplainedChannel,
  ExplainView,
  itemView,
  ItemView,
  PreviewView,
  recipientView,
  sortDecisions,
  unknownRecipientView,
} from './item-view';
import { CreateItemDto } from './items.dto';

/**
 * What the team reads about items: an item, the decisions taken for it, a preview of a draft and
 * the explanation for one partner. Every answer comes from the same engine routing uses; nothing
 * is written.
 */
@Injectable()
export class ItemViewsService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly items: ItemRepository,
    private readonly outbox: OutboxRepository,
    private readonly decisionRecords: DecisionRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly organisations: OrganisationRepository,
    private readonly directory: PartnerDirectory,
    private readonly intake: ItemIntakeService,
    private readonly availabilities: Availabilities,
    private readonly clock: Clock,
  ) {}

  /**
   * Who would receive this draft, partner by partner and channel by channel, and why: the same
   * engine and the same partner data as publishing, and nothing is written.
   */
  async preview(dto: CreateItemDto, actor: StaffPrincipal): Promise<PreviewView> {
    const draft = await this.intake.draft(dto, actor);
    const now = this.clock.now();
    const targets = await this.directory.allTargets();
    const subject = policyItem({ kind: draft.kind }, draft, this.config.urgency);
    const duty = await this.availabilities.dutyFor(subject, targets, now);
    const decisions = decideForTargets(subject, targets, this.config.team, now, duty).map(
      ({ target, decision, keyFingerprint }) => ({ ...recipientView(target), ...outcome(decision), keyFingerprint }),
    );
    const byCode: Record<string, number> = {};
    for (const decision of decisions) byCode[decision.code] = (byCode[decision.code] ?? 0) + 1;
    const allowed = decisions.filter((decision) => decision.allow).length;
    return {
      item: { type: draft.kind, ...draftView(draft) },
      decidedAt: now,
      summary: { channels: decisions.length, allowed, denied: decisions.length - allowed, byCode },
      decisions: sortDecisions(decisions),
    };
  }

  async get(id: string): Promise<ItemView> {
    const { item, version } = await this.current(id);
    return itemView(item, version);
  }

  /** Every decision taken for the item's current version, with the state of each allowed delivery. */
  async decisions(id: string): Promise<DecisionsView> {
    const { item, version } = await this.current(id);
    const routed = await this.outbox.isRouted(version.id);
    const decisions = await this.decisionRecords.forItemVersion(version.id);
    const views = await this.decisionViews(decisions);
    return { item: itemView(item, version), routed, decisions: sortDecisions(views) };
  }

  /**
   * For one published item and one partner: what was decided for each of the partner's channels
   * (its own and its contacts'), and what the engine would decide now.
   */
  async explain(id: string, organisationId: string): Promise<ExplainView> {
    const { item, version } = await this.current(id);
    const organisation = await this.organisations.findById(organisationId);
    if (!organisation) throw new NotFoundException(`organisation ${organisationId} not found`);
    const targets = (await this.directory.allTargets()).filter((target) => target.organisation.id === organisationId);
    const stored = (await this.decisionRecords.forItemVersion(version.id, { organisationId })).filter(
      (decision) => decision.purpose === 'routing',
    );
    const storedViews = new Map((await this.decisionViews(stored)).map((view) => [view.channelId, view]));
    const decidedAt = new Map(stored.map((decision) => [decision.channelId, decision.decidedAt]));
    const now = this.clock.now();
    const subject = policyItem(item, version, this.config.urgency);
    const duty = await this.availabilities.dutyFor(subject, targets, now);
    const fresh = decideForTargets(subject, targets, this.config.team, now, duty);
    return {
      item: itemView(item, version),
      organisation: organisationSummary(organisation),
      channels: fresh.map((now) => {
        const before = storedViews.get(now.target.channel.id) ?? null;
        return explainChannel(now, before && { ...before, decidedAt: decidedAt.get(before.channelId)! });
      }),
    };
  }

  private async current(id: string): Promise<{ item: ItemEntity; version: ItemVersionEntity }> {
    const item = await this.items.findById(id);
    if (!item) throw new NotFoundException(`item ${id} not found`);
    const version = await this.items.versionOf(id, item.currentVersion);
    return { item, version };
  }

  /** Stored decisions as a person reads them: recipients named, with the delivery each allowed one led to. */
  private async decisionViews(decisions: DecisionEntity[]): Promise<DecisionView[]> {
    if (decisions.length === 0) return [];
    const deliveries = await this.deliveries.itemDeliveriesOfDecisions(decisions.map((decision) => decision.id));
    const targets = await this.directory.targets(decisions.map((decision) => decision.channelId));
    const targetByChannel = new Map(targets.map((target) => [target.channel.id, target]));
    const deliveryByDecision = new Map(deliveries.map((delivery) => [delivery.decisionId, delivery]));
    return decisions.map((decision) => {
      const target = targetByChannel.get(decision.channelId);
      const delivery = deliveryByDecision.get(decision.id);
      return {
        ...(target ? recipientView(target) : unknownRecipientView(decision)),
        purpose: decision.purpose,
        ...outcome(decision),
        keyFingerprint: decision.keyFingerprint,
        delivery: delivery ? deliveryView(delivery) : null,
      };
    });
  }
}

function outcome(decision: Pick<Decision, 'allow' | 'code' | 'reason' | 'handling'>) {
  return { allow: decision.allow, code: decision.code, reason: decision.reason, handling: decision.handling };
}

function deliveryView(delivery: DeliveryEntity): DeliveryView {
  return {
    id: delivery.id,
    state: delivery.state,
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    deliveredAt: delivery.deliveredAt,
  };
}

function organisationSummary(organisation: OrganisationEntity): ExplainView['organisation'] {
  return {
    id: organisation.id,
    name: organisation.name,
    relation: organisation.relation,
    communities: organisation.communities,
    accreditations: organisation.accreditations,
    status: organisation.status,
  };
}

/** One channel of the partner: what was decided at routing (`before`), and what the engine answers now. */
function explainChannel(now: TargetDecision, before: (DecisionView & { decidedAt: Date }) | null): ExplainedChannel {
  const recipient = recipientView(now.target);
  const { delivery, ...decided } = before ?? { delivery: null };
  return {
    channelId: now.target.channel.id,
    channel: recipient.channel,
    contact: recipient.contact,
    decided: before ? (decided as ExplainedChannel['decided']) : null,
    delivery,
    now: outcome(now.decision),
    changed: before !== null && (before.allow !== now.decision.allow || before.code !== now.decision.code),
  };
}
