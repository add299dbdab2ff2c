import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { checkIntake, Decision, PapLabel, parsePapLabel, parseTlpLabel, TlpLabel } from '@tlp-broker/tlp';
import {
  AuditLog,
  cancelPendingItemDeliveries,
  channelsToRecall,
  ContactEntity,
  DecisionEntity,
  decideForTargets,
  DeliveryEntity,
  ItemEntity,
  ItemVersionEntity,
  OrganisationEntity,
  OutboxEntity,
  OutboxTopic,
  PartnerDirectory,
  policyItem,
  queueRecalls,
  removeFromFeeds,
  RoutingTarget,
  StoredProvenance,
} from '@tlp-broker/persistence';
import { checkIndicator } from '@tlp-broker/stix';
import { FieldProblem, invalidFields } from '../common/errors';
import { StaffPrincipal } from '../auth/principal';
import { CaveatsService } from '../caveats/caveats.service';
import { AudienceDto, CreateItemDto } from './items.dto';
import { Audience, Indicator, Severity } from '@tlp-broker/domain';

export const ITEM_PUBLISHED_TOPIC = OutboxTopic.Published;

export interface ItemView {
  id: string;
  version: number;
  type: string;
  state: string;
  title: string;
  summary: string;
  tlp: TlpLabel;
  pap: PapLabel | null;
  severity: Severity | null;
  audience: Audience;
  caveats: string[];
  provenance: StoredProvenance | null;
  releaseAt: Date | null;
  approvedBy: string | null;
  approvedAt: Date | null;
  createdAt: Date;
}

export interface DecisionView {
  organisationId: string;
  organisation: string;
  contactId: string | null;
  contact: string | null;
  channelId: string;
  channel: string;
  allow: boolean;
  code: string;
  reason: string;
  handling: string | null;
  keyFingerprint: string | null;
  delivery: { id: string; state: string; attempts: number; lastError: string | null; deliveredAt: Date | null } | null;
}

export interface PreviewView {
  item: Omit<ItemView, 'id' | 'version' | 'state' | 'createdAt' | 'approvedBy' | 'approvedAt'>;
  decidedAt: Date;
  summary: { channels: number; allowed: number; denied: number; byCode: Record<string, number> };
  decisions: Omit<DecisionView, 'delivery'>[];
}

export interface ExplainView {
  item: ItemView;
  organisation: {
    id: string;
    name: string;
    relation: string;
    communities: string[];
    accreditations: string[];
    status: string;
  };
  channels: {
    channelId: string;
    channel: string;
    contact: string | null;
    /** What was decided when the version was routed (null: not routed yet, or the channel came later). */
    decided: (Omit<DecisionView, 'delivery'> & { decidedAt: Date }) | null;
    delivery: DecisionView['delivery'];
    /** What the engine decides now, with today's partner, channel and key state. */
    now: Pick<Decision, 'allow' | 'code' | 'reason' | 'handling'>;
    changed: boolean;
  }[];
}

/** An item version as checked at intake, ready to be stored or previewed. */
interface Draft {
  kind: ItemEntity['kind'];
  title: string;
  summary: string;
  body: string;
  tlp: TlpLabel;
  pap: PapLabel | null;
  severity: Severity | null;
  audience: Audience;
  caveats: string[];
  indicators: Indicator[];
  provenance: StoredProvenance | null;
  releaseAt: Date | null;
}

@Injectable()
export class ItemsService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly directory: PartnerDirectory,
    private readonly caveats: CaveatsService,
    @InjectRepository(ItemEntity) private readonly items: Repository<ItemEntity>,
    @InjectRepository(ItemVersionEntity) private readonly versions: Repository<ItemVersionEntity>,
  ) {}

  /**
   * Publishes: the item, its first version and an outbox row are committed together. A version
   * that needs a second person's approval waits (pending-approval) with no outbox row; one under
   * embargo is scheduled, its outbox row not relayed before the release time.
   */
  async publish(dto: CreateItemDto, actor: StaffPrincipal): Promise<ItemView> {
    const draft = await this.intake(dto, actor);
    const approvalReason = this.approvalNeeded(draft);
    const { item, version } = await this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const state = approvalReason ? 'pending-approval' : draft.releaseAt ? 'scheduled' : 'published';
      const item = await manager
        .getRepository(ItemEntity)
        .save(
          manager
            .getRepository(ItemEntity)
            .create({ kind: draft.kind, state, currentVersion: 1, createdBy: actor.userId, updatedAt: now }),
        );
      const version = await saveVersion(manager, item.id, 1, draft, actor);
      if (!approvalReason) {
        await manager
          .getRepository(OutboxEntity)
          .insert({ topic: ITEM_PUBLISHED_TOPIC, itemVersionId: version.id, notBefore: draft.releaseAt });
      }
      const subject = { actor: `user:${actor.userId}`, subjectType: 'item', subjectId: item.id };
      await this.audit.append(manager, {
        ...subject,
        action: approvalReason ? 'item.submitted-for-approval' : draft.releaseAt ? 'item.scheduled' : 'item.published',
        details: {
          version: 1,
          itemVersionId: version.id,
          type: item.kind,
          tlp: draft.tlp,
          pap: draft.pap,
          audience: draft.audience,
          caveats: draft.caveats,
          releaseAt: draft.releaseAt,
          ...(approvalReason ? { approvalReason } : {}),
        },
      });
      if (draft.provenance?.consent) {
        await this.audit.append(manager, {
          ...subject,
          action: 'item.originator-consent-recorded',
          details: {
            version: 1,
            originator: draft.provenance.originator,
            label: draft.provenance.label,
            consent: draft.provenance.consent,
          },
        });
      }
      return { item, version };
    });
    return this.view(item, version);
  }

  /**
   * The second pair of eyes: an approver other than the author releases a pending version
   * (published now, or scheduled for its embargo time).
   */
  async approve(id: string, actor: StaffPrincipal): Promise<ItemView> {
    return this.dataSource.transaction(async (manager) => {
      const item = await manager
        .getRepository(ItemEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!item) throw new NotFoundException(`item ${id} not found`);
      if (item.state !== 'pending-approval')
        throw new ConflictException(`item ${id} is ${item.state}; only an item pending approval can be approved`);
      const version = await manager
        .getRepository(ItemVersionEntity)
        .findOneOrFail({ where: { itemId: id, version: item.currentVersion } });
      if (version.createdBy === actor.userId)
        throw new ForbiddenException('four eyes: the approver must be someone other than the author');
      const now = new Date();
      await manager
        .getRepository(ItemVersionEntity)
        .update({ id: version.id }, { approvedBy: actor.userId, approvedAt: now });
      const released = version.releaseAt === null || version.releaseAt.getTime() <= now.getTime();
      item.state = released ? 'published' : 'scheduled';
      item.updatedAt = now;
      await manager.getRepository(ItemEntity).save(item);
      await manager
        .getRepository(OutboxEntity)
        .insert({ topic: ITEM_PUBLISHED_TOPIC, itemVersionId: version.id, notBefore: version.releaseAt });
      await this.audit.append(manager, {
        actor: `user:${actor.userId}`,
        action: 'item.approved',
        subjectType: 'item',
        subjectId: id,
        details: {
          version: version.version,
          itemVersionId: version.id,
          author: version.createdBy,
          releaseAt: version.releaseAt,
        },
      });
      return this.view(item, { ...version, approvedBy: actor.userId, approvedAt: now });
    });
  }

  /**
   * A new version of a published item. Once released (at once, after approval, or at its embargo
   * time) it is routed like a first version: it goes to whoever the rules allow for it, earlier
   * versions not yet sent are cancelled, and anyone who was sent an earlier version but may not
   * have this one gets a recall notice.
   */
  async update(id: string, dto: CreateItemDto, actor: StaffPrincipal): Promise<ItemView> {
    const draft = await this.intake(dto, actor);
    const approvalReason = this.approvalNeeded(draft);
    const { item, version } = await this.dataSource.transaction(async (manager) => {
      const item = await manager
        .getRepository(ItemEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!item) throw new NotFoundException(`item ${id} not found`);
      if (item.state !== 'published') {
        throw new ConflictException(
          `item ${id} is ${item.state}; only a published item can be updated (a pending or scheduled one is approved, rejected or retracted first)`,
        );
      }
      if (draft.kind !== item.kind)
        throw invalidFields([{ field: 'type', message: `an update keeps the item's type (${item.kind})` }]);
      const [{ max }]: { max: number }[] = await manager.query(
        'SELECT max(version) AS max FROM item_versions WHERE item_id = $1',
        [id],
      );
      const number = Number(max) + 1;
      const now = new Date();
      const version = await saveVersion(manager, id, number, draft, actor);
      item.currentVersion = number;
      item.state = approvalReason ? 'pending-approval' : draft.releaseAt ? 'scheduled' : 'published';
      item.updatedAt = now;
      await manager.getRepository(ItemEntity).save(item);
      if (!approvalReason) {
        await manager
          .getRepository(OutboxEntity)
          .insert({ topic: ITEM_PUBLISHED_TOPIC, itemVersionId: version.id, notBefore: draft.releaseAt });
      }
      await this.audit.append(manager, {
        actor: `user:${actor.userId}`,
        action: approvalReason ? 'item.update-submitted-for-approval' : 'item.updated',
        subjectType: 'item',
        subjectId: id,
        details: {
          version: number,
          itemVersionId: version.id,
          tlp: draft.tlp,
          pap: draft.pap,
          audience: draft.audience,
          caveats: draft.caveats,
          releaseAt: draft.releaseAt,
          ...(approvalReason ? { approvalReason } : {}),
        },
      });
      if (draft.provenance?.consent) {
        await this.audit.append(manager, {
          actor: `user:${actor.userId}`,
          action: 'item.originator-consent-recorded',
          subjectType: 'item',
          subjectId: id,
          details: {
            version: number,
            originator: draft.provenance.originator,
            label: draft.provenance.label,
            consent: draft.provenance.consent,
          },
        });
      }
      return { item, version };
    });
    return this.view(item, version);
  }

  /**
   * Withdraws an item: nothing more of it leaves (deliveries not yet handed to a channel are
   * cancelled, versions not yet routed never will be), it leaves every partner feed, and every
   * channel that was sent a version gets a recall notice, with `notice` when given.
   */
  async retract(
    id: string,
    reason: string,
    notice: string | null,
    actor: StaffPrincipal,
  ): Promise<ItemView & { cancelled: number; recalls: number; removedFromFeeds: number }> {
    return this.dataSource.transaction(async (manager) => {
      const item = await manager
        .getRepository(ItemEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!item) throw new NotFoundException(`item ${id} not found`);
      if (item.state === 'retracted') throw new ConflictException(`item ${id} is already retracted`);
      const version = await manager
        .getRepository(ItemVersionEntity)
        .findOneOrFail({ where: { itemId: id, version: item.currentVersion } });
      const now = new Date();
      item.state = 'retracted';
      item.retractedAt = now;
      item.retractionNotice = notice;
      item.updatedAt = now;
      await manager.getRepository(ItemEntity).save(item);
      const cancelled = await cancelPendingItemDeliveries(
        manager,
        id,
        'The item was retracted before this delivery was sent.',
      );
      const recalls = await queueRecalls(
        manager,
        version.id,
        await channelsToRecall(manager, id),
        'The item was retracted.',
      );
      const removedFromFeeds = await removeFromFeeds(manager, id);
      // Outbox rows of versions not yet routed stay: routing skips a retracted item and closes them.
      if (recalls.length > 0)
        await manager
          .getRepository(OutboxEntity)
          .insert({ topic: OutboxTopic.Retracted, itemVersionId: version.id, notBefore: null });
      await this.audit.append(manager, {
        actor: `user:${actor.userId}`,
        action: 'item.retracted',
        subjectType: 'item',
        subjectId: id,
        details: {
          version: version.version,
          reason,
          notice,
          cancelled: cancelled.length,
          recalls: recalls.length,
          removedFromFeeds,
        },
      });
      return { ...this.view(item, version), cancelled: cancelled.length, recalls: recalls.length, removedFromFeeds };
    });
  }

  /** Sends a pending version back to its author as a draft; nothing leaves. */
  async reject(id: string, reason: string, actor: StaffPrincipal): Promise<ItemView> {
    return this.dataSource.transaction(async (manager) => {
      const item = await manager
        .getRepository(ItemEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!item) throw new NotFoundException(`item ${id} not found`);
      if (item.state !== 'pending-approval')
        throw new ConflictException(`item ${id} is ${item.state}; only an item pending approval can be rejected`);
      const version = await manager
        .getRepository(ItemVersionEntity)
        .findOneOrFail({ where: { itemId: id, version: item.currentVersion } });
      if (version.createdBy === actor.userId)
        throw new ForbiddenException('four eyes: the approver must be someone other than the author');
      // A rejected update leaves the item as it was: its last released version stays current.
      const [previous]: { version: number }[] = await manager.query(
        `SELECT v.version FROM item_versions v JOIN outbox o ON o.item_version_id = v.id AND o.topic = $3
          WHERE v.item_id = $1 AND v.version < $2 ORDER BY v.version DESC LIMIT 1`,
        [id, version.version, OutboxTopic.Published],
      );
      item.state = previous ? 'published' : 'draft';
      if (previous) item.currentVersion = previous.version;
      item.updatedAt = new Date();
      await manager.getRepository(ItemEntity).save(item);
      await this.audit.append(manager, {
        actor: `user:${actor.userId}`,
        action: 'item.rejected',
        subjectType: 'item',
        subjectId: id,
        details: { version: version.version, reason },
      });
      return this.view(item, version);
    });
  }

  /** Why this version needs a second person's approval, or null. */
  private approvalNeeded(draft: Draft): string | null {
    const rules = this.config.approval;
    if (rules.red && draft.tlp === 'TLP:RED') return 'TLP:RED';
    if (rules.amberStrict && draft.tlp === 'TLP:AMBER+STRICT') return 'TLP:AMBER+STRICT';
    if (rules.caveats && draft.caveats.length > 0) return `caveats ${draft.caveats.join(', ')}`;
    return null;
  }

  /**
   * Who would receive this draft, partner by partner and channel by channel, and why: the same
   * engine and the same partner data as publishing, and nothing is written.
   */
  async preview(dto: CreateItemDto, actor: StaffPrincipal): Promise<PreviewView> {
    const draft = await this.intake(dto, actor);
    const now = new Date();
    const targets = await this.directory.allTargets();
    const decided = decideForTargets(policyItem({ kind: draft.kind }, draft), targets, this.config.team, now);
    const decisions = decided.map(({ target, decision, keyFingerprint }) => ({
      ...this.recipient(target),
      allow: decision.allow,
      code: decision.code,
      reason: decision.reason,
      handling: decision.handling,
      keyFingerprint,
    }));
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
    return this.view(item, version);
  }

  /** Every decision taken for the item's current version, with the state of each allowed delivery. */
  async decisions(id: string): Promise<{ item: ItemView; routed: boolean; decisions: DecisionView[] }> {
    const { item, version } = await this.current(id);
    const manager = this.dataSource.manager;
    const outbox = await manager.getRepository(OutboxEntity).findOne({ where: { itemVersionId: version.id } });
    const decisions = await manager.getRepository(DecisionEntity).find({ where: { itemVersionId: version.id } });
    const views = await this.decisionViews(decisions);
    return { item: this.view(item, version), routed: outbox?.processedAt != null, decisions: sortDecisions(views) };
  }

  /**
   * For one published item and one partner: what was decided for each of the partner's channels
   * (its own and its contacts'), and what the engine would decide now.
   */
  async explain(id: string, organisationId: string): Promise<ExplainView> {
    const { item, version } = await this.current(id);
    const organisation = await this.dataSource.manager
      .getRepository(OrganisationEntity)
      .findOne({ where: { id: organisationId } });
    if (!organisation) throw new NotFoundException(`organisation ${organisationId} not found`);
    const targets = (await this.directory.allTargets()).filter((target) => target.organisation.id === organisationId);
    const stored = await this.dataSource.manager
      .getRepository(DecisionEntity)
      .find({ where: { itemVersionId: version.id, organisationId } });
    const storedViews = new Map((await this.decisionViews(stored)).map((view) => [view.channelId, view]));
    const decidedAt = new Map(stored.map((decision) => [decision.channelId, decision.decidedAt]));
    const fresh = decideForTargets(policyItem(item, version), targets, this.config.team, new Date());
    return {
      item: this.view(item, version),
      organisation: {
        id: organisation.id,
        name: organisation.name,
        relation: organisation.relation,
        communities: organisation.communities,
        accreditations: organisation.accreditations,
        status: organisation.status,
      },
      channels: fresh.map(({ target, decision }) => {
        const before = storedViews.get(target.channel.id) ?? null;
        const { delivery, ...decided } = before ?? { delivery: null };
        const recipient = this.recipient(target);
        return {
          channelId: target.channel.id,
          channel: recipient.channel,
          contact: recipient.contact,
          decided: before
            ? { ...(decided as Omit<DecisionView, 'delivery'>), decidedAt: decidedAt.get(target.channel.id)! }
            : null,
          delivery,
          now: { allow: decision.allow, code: decision.code, reason: decision.reason, handling: decision.handling },
          changed: before !== null && (before.allow !== decision.allow || before.code !== decision.code),
        };
      }),
    };
  }

  private async current(id: string): Promise<{ item: ItemEntity; version: ItemVersionEntity }> {
    const item = await this.items.findOne({ where: { id } });
    if (!item) throw new NotFoundException(`item ${id} not found`);
    const version = await this.versions.findOneOrFail({ where: { itemId: id, version: item.currentVersion } });
    return { item, version };
  }

  private async decisionViews(decisions: DecisionEntity[]): Promise<DecisionView[]> {
    if (decisions.length === 0) return [];
    const manager = this.dataSource.manager;
    const deliveries = await manager
      .getRepository(DeliveryEntity)
      .find({ where: { decisionId: In(decisions.map((d) => d.id)), kind: 'item' } });
    const targets = await this.directory.targets(decisions.map((d) => d.channelId));
    const targetByChannel = new Map(targets.map((target) => [target.channel.id, target]));
    const deliveryByDecision = new Map(deliveries.map((delivery) => [delivery.decisionId, delivery]));
    return decisions.map((decision) => {
      const delivery = deliveryByDecision.get(decision.id);
      const target = targetByChannel.get(decision.channelId);
      return {
        ...(target
          ? this.recipient(target)
          : {
              organisationId: decision.organisationId,
              organisation: decision.organisationId,
              contactId: decision.contactId,
              contact: null,
              channelId: decision.channelId,
              channel: 'unknown',
            }),
        allow: decision.allow,
        code: decision.code,
        reason: decision.reason,
        handling: decision.handling,
        keyFingerprint: decision.keyFingerprint,
        delivery: delivery
          ? {
              id: delivery.id,
              state: delivery.state,
              attempts: delivery.attempts,
              lastError: delivery.lastError,
              deliveredAt: delivery.deliveredAt,
            }
          : null,
      };
    });
  }

  private recipient(target: RoutingTarget) {
    const { organisation, contact, channel } = target;
    return {
      organisationId: organisation.id,
      organisation: organisation.name,
      contactId: contact?.id ?? null,
      contact: contact?.name ?? null,
      channelId: channel.id,
      channel: `${contact ? 'personal ' : ''}${channel.kind}${channel.redistributes ? ' (redistributes)' : ''}`,
    };
  }

  /** Normalises and checks a draft; every problem is answered at once, naming its field. */
  private async intake(dto: CreateItemDto, actor: StaffPrincipal): Promise<Draft> {
    const problems: FieldProblem[] = [];
    const tlp = parseTlpLabel(dto.tlp);
    const pap = dto.pap === undefined ? null : parsePapLabel(dto.pap);
    if (!tlp.ok) problems.push({ field: 'tlp', message: tlp.error });
    if (pap && !pap.ok) problems.push({ field: 'pap', message: pap.error });
    const provenanceLabel = dto.provenance ? parseTlpLabel(dto.provenance.label) : null;
    if (provenanceLabel && !provenanceLabel.ok)
      problems.push({ field: 'provenance.label', message: provenanceLabel.error });
    if (problems.length > 0 || !tlp.ok || (pap && !pap.ok) || (provenanceLabel && !provenanceLabel.ok))
      throw invalidFields(problems);

    const audience = audienceOf(dto.audience);
    const consent = dto.provenance?.consent;
    const draft: Draft = {
      kind: dto.type,
      title: dto.title,
      summary: dto.summary ?? '',
      body: dto.body,
      tlp: tlp.label,
      pap: pap ? (pap.ok ? pap.label : null) : null,
      severity: dto.severity ?? null,
      audience,
      caveats: dto.caveats ?? [],
      indicators: [],
      releaseAt: dto.releaseAt ? new Date(dto.releaseAt) : null,
      provenance:
        dto.provenance && provenanceLabel?.ok
          ? {
              originator: dto.provenance.originator.trim(),
              label: provenanceLabel.label,
              consent: consent
                ? {
                    audience: audienceOf(consent.audience),
                    reference: consent.reference.trim(),
                    recordedBy: `user:${actor.userId}`,
                    recordedAt: new Date().toISOString(),
                  }
                : null,
            }
          : null,
    };
    problems.push(
      ...checkIntake({
        ...draft,
        provenance: draft.provenance
          ? {
              originator: draft.provenance.originator,
              label: draft.provenance.label,
              consent: draft.provenance.consent,
            }
          : null,
      }),
    );
    // A refusal for defence-secret marking stands alone: nothing else about such a draft matters.
    const secret = problems.filter((problem) => problem.message.includes('national defence secret'));
    if (secret.length > 0) throw invalidFields(secret);
    problems.push(...(await this.checkReferences('audience', audience)));
    if (draft.provenance?.consent)
      problems.push(...(await this.checkReferences('provenance.consent.audience', draft.provenance.consent.audience)));
    problems.push(...(await this.checkCaveats(draft.caveats)));
    const indicators = checkIndicators(dto.indicators ?? []);
    problems.push(...indicators.problems);
    if (problems.length > 0) throw invalidFields(problems);
    return { ...draft, indicators: indicators.indicators };
  }

  /** The audience must name partners and communities that exist. */
  private async checkReferences(field: string, audience: Audience): Promise<FieldProblem[]> {
    const problems: FieldProblem[] = [];
    const manager = this.dataSource.manager;
    if (audience.organisations.length > 0) {
      const found = await manager
        .getRepository(OrganisationEntity)
        .find({ where: { id: In(audience.organisations) }, select: { id: true } });
      const known = new Set(found.map((row) => row.id));
      const unknown = audience.organisations.filter((id) => !known.has(id));
      if (unknown.length > 0)
        problems.push({ field: `${field}.organisations`, message: `unknown organisation ${unknown.join(', ')}` });
    }
    if (audience.contacts.length > 0) {
      const found = await manager
        .getRepository(ContactEntity)
        .find({ where: { id: In(audience.contacts) }, select: { id: true } });
      const known = new Set(found.map((row) => row.id));
      const unknown = audience.contacts.filter((id) => !known.has(id));
      if (unknown.length > 0)
        problems.push({ field: `${field}.contacts`, message: `unknown contact ${unknown.join(', ')}` });
    }
    if (audience.communities.length > 0) {
      const rows: { community: string }[] = await manager.query(
        'SELECT DISTINCT unnest(communities) AS community FROM organisations WHERE communities && $1::text[]',
        [audience.communities],
      );
      const known = new Set(rows.map((row) => row.community));
      const unknown = audience.communities.filter((community) => !known.has(community));
      if (unknown.length > 0)
        problems.push({
          field: `${field}.communities`,
          message: `no partner belongs to ${unknown.map((c) => `"${c}"`).join(', ')}`,
        });
    }
    return problems;
  }

  private async checkCaveats(caveats: string[]): Promise<FieldProblem[]> {
    const unknown = await this.caveats.unknown(caveats);
    return unknown.length > 0
      ? [
          {
            field: 'caveats',
            message: `unknown caveat ${unknown.map((c) => `"${c}"`).join(', ')} (an administrator registers caveats under /caveats)`,
          },
        ]
      : [];
  }

  private view(item: ItemEntity, version: ItemVersionEntity): ItemView {
    return {
      id: item.id,
      version: version.version,
      type: item.kind,
      state: item.state,
      ...draftView({ ...version, kind: item.kind }),
      approvedBy: version.approvedBy,
      approvedAt: version.approvedAt,
      createdAt: version.createdAt,
    };
  }
}

/** Stores one version of an item from a checked draft. */
function saveVersion(
  manager: EntityManager,
  itemId: string,
  version: number,
  draft: Draft,
  actor: StaffPrincipal,
): Promise<ItemVersionEntity> {
  const repository = manager.getRepository(ItemVersionEntity);
  return repository.save(
    repository.create({
      itemId,
      version,
      title: draft.title,
      summary: draft.summary,
      body: draft.body,
      tlp: draft.tlp,
      pap: draft.pap,
      audience: draft.audience,
      severity: draft.severity,
      caveats: draft.caveats,
      indicators: draft.indicators,
      provenance: draft.provenance,
      releaseAt: draft.releaseAt,
      createdBy: actor.userId,
    }),
  );
}

function audienceOf(dto: AudienceDto | undefined): Audience {
  return {
    communities: dto?.communities ?? [],
    organisations: dto?.organisations ?? [],
    contacts: dto?.contacts ?? [],
  };
}

function draftView(draft: Omit<Draft, 'body'> & { body?: string }) {
  return {
    title: draft.title,
    summary: draft.summary,
    tlp: draft.tlp,
    pap: draft.pap,
    severity: draft.severity,
    audience: draft.audience,
    caveats: draft.caveats,
    indicators: draft.indicators,
    provenance: draft.provenance,
    releaseAt: draft.releaseAt,
  };
}

/** Each indicator checked for its type and written canonically; duplicates dropped. */
function checkIndicators(input: { type: Indicator['type']; value: string; description?: string }[]): {
  indicators: Indicator[];
  problems: FieldProblem[];
} {
  const problems: FieldProblem[] = [];
  const indicators: Indicator[] = [];
  const seen = new Set<string>();
  input.forEach((indicator, index) => {
    const checked = checkIndicator(indicator.type, indicator.value);
    if (!checked.ok) {
      problems.push({ field: `indicators.${index}.value`, message: checked.error });
      return;
    }
    const key = `${indicator.type}:${checked.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    indicators.push({
      type: indicator.type,
      value: checked.value,
      ...(indicator.description ? { description: indicator.description.trim() } : {}),
    });
  });
  return { indicators, problems };
}

function sortDecisions<T extends { organisation: string; contact: string | null; channelId: string }>(
  decisions: T[],
): T[] {
  return decisions.sort(
    (a, b) =>
      a.organisation.localeCompare(b.organisation) ||
      (a.contact ?? '').localeCompare(b.contact ?? '') ||
      a.channelId.localeCompare(b.channelId),
  );
}
