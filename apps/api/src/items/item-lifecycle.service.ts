import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ItemState } from '@tlp-broker/domain';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import {
  AuditLog,
  DeliveryRepository,
  FeedEntryRepository,
  ItemEntity,
  ItemRepository,
  ItemVersionEntity,
  NewItemVersion,
  OutboxRepository,
  Transactions,
} from '@tlp-broker/persistence';
import { StaffPrincipal } from '../auth/principal';
import { invalidFields } from '../common/errors';
import { Draft, ItemIntakeService } from './item-intake.service';
import { itemView, ItemView, RetractionView } from './item-view';
import { CreateItemDto } from './items.dto';

/** A version waiting for a second person, locked for the approver's decision. */
interface Pending {
  item: ItemEntity;
  version: ItemVersionEntity;
}

/**
 * What analysts and approvers do to an item: publish, update, approve, reject, retract. Each
 * change is one transaction: the item, its version, the outbox row the dispatcher routes from,
 * and the audit entry succeed or fail together.
 */
@Injectable()
export class ItemLifecycleService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly items: ItemRepository,
    private readonly outbox: OutboxRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly feedEntries: FeedEntryRepository,
    private readonly intake: ItemIntakeService,
  ) {}

  /**
   * Publishes: the item, its first version and an outbox row are committed together. A version
   * that needs a second person's approval waits (pending-approval) with no outbox row; one under
   * embargo is scheduled, its outbox row not relayed before the release time.
   */
  async publish(dto: CreateItemDto, actor: StaffPrincipal): Promise<ItemView> {
    const draft = await this.intake.draft(dto, actor);
    const approvalReason = this.approvalNeeded(draft);
    return this.transactions.run(async (tx) => {
      const state = stateOnSubmission(draft, approvalReason);
      const item = await this.items.insert(
        { kind: draft.kind, state, currentVersion: 1, createdBy: actor.userId, updatedAt: new Date() },
        tx,
      );
      const version = await this.items.insertVersion(newVersion(item.id, 1, draft, actor), tx);
      if (!approvalReason) await this.outbox.queueRelease(version.id, draft.releaseAt, tx);
      const action = approvalReason
        ? 'item.submitted-for-approval'
        : draft.releaseAt
          ? 'item.scheduled'
          : 'item.published';
      await this.audit.append(tx, {
        ...itemSubject(item.id, actor),
        action,
        details: {
          version: 1,
          itemVersionId: version.id,
          type: item.kind,
          ...draftDetails(draft, approvalReason),
        },
      });
      await this.auditConsent(item.id, 1, draft, actor, tx);
      return itemView(item, version);
    });
  }

  /**
   * A draft, in the caller's transaction (triage drafts an item from a submission together with
   * linking the two): the item and its first version, checked like any other, audited, and not
   * released: nothing leaves until it is published (publishDraft).
   */
  async saveDraft(draft: Draft, actor: StaffPrincipal, tx: EntityManager): Promise<ItemView> {
    const item = await this.items.insert(
      { kind: draft.kind, state: 'draft', currentVersion: 1, createdBy: actor.userId, updatedAt: new Date() },
      tx,
    );
    const version = await this.items.insertVersion(newVersion(item.id, 1, draft, actor), tx);
    await this.audit.append(tx, {
      ...itemSubject(item.id, actor),
      action: 'item.drafted',
      details: { version: 1, itemVersionId: version.id, type: item.kind, ...draftDetails(draft, null) },
    });
    await this.auditConsent(item.id, 1, draft, actor, tx);
    return itemView(item, version);
  }

  /**
   * Releases a draft's current version as it stands, as publishing does: at once, after a second
   * person's approval under the same rules, or at its embargo time. 409 for an item that is not a draft.
   */
  async publishDraft(id: string, actor: StaffPrincipal): Promise<ItemView> {
    return this.transactions.run(async (tx) => {
      const item = await this.lock(id, tx);
      if (item.state !== 'draft')
        throw new ConflictException(`item ${id} is ${item.state}; only a draft is published this way`);
      const version = await this.items.versionOf(id, item.currentVersion, tx);
      const approvalReason = this.approvalNeeded(version);
      const state = stateOnSubmission(version, approvalReason);
      const now = new Date();
      await this.items.changeState(id, { state, at: now }, tx);
      if (!approvalReason) await this.outbox.queueRelease(version.id, version.releaseAt, tx);
      await this.audit.append(tx, {
        ...itemSubject(id, actor),
        action: approvalReason
          ? 'item.submitted-for-approval'
          : version.releaseAt
            ? 'item.scheduled'
            : 'item.published',
        details: {
          version: version.version,
          itemVersionId: version.id,
          type: item.kind,
          fromDraft: true,
          ...draftDetails(version, approvalReason),
        },
      });
      return itemView({ ...item, state, updatedAt: now }, version);
    });
  }

  /**
   * A new version of a published item. Once released (at once, after approval, or at its embargo
   * time) it is routed like a first version: it goes to whoever the rules allow for it, earlier
   * versions not yet sent are cancelled, and anyone who was sent an earlier version but may not
   * have this one gets a recall notice.
   */
  async update(id: string, dto: CreateItemDto, actor: StaffPrincipal): Promise<ItemView> {
    const draft = await this.intake.draft(dto, actor);
    const approvalReason = this.approvalNeeded(draft);
    return this.transactions.run(async (tx) => {
      const item = await this.lockUpdatable(id, draft, tx);
      const number = (await this.items.latestVersionNumber(id, tx)) + 1;
      const now = new Date();
      const version = await this.items.insertVersion(newVersion(id, number, draft, actor), tx);
      const state = stateOnSubmission(draft, approvalReason);
      await this.items.changeState(id, { state, currentVersion: number, at: now }, tx);
      if (!approvalReason) await this.outbox.queueRelease(version.id, draft.releaseAt, tx);
      await this.audit.append(tx, {
        ...itemSubject(id, actor),
        action: approvalReason ? 'item.update-submitted-for-approval' : 'item.updated',
        details: { version: number, itemVersionId: version.id, ...draftDetails(draft, approvalReason) },
      });
      await this.auditConsent(id, number, draft, actor, tx);
      return itemView({ ...item, state, currentVersion: number, updatedAt: now }, version);
    });
  }

  /**
   * The second pair of eyes: an approver other than the author releases a pending version
   * (published now, or scheduled for its embargo time).
   */
  async approve(id: string, actor: StaffPrincipal): Promise<ItemView> {
    return this.transactions.run(async (tx) => {
      const { item, version } = await this.lockPending(id, 'approved', actor, tx);
      const now = new Date();
      await this.items.recordApproval(version.id, actor.userId, now, tx);
      const released = version.releaseAt === null || version.releaseAt.getTime() <= now.getTime();
      const state: ItemState = released ? 'published' : 'scheduled';
      await this.items.changeState(id, { state, at: now }, tx);
      await this.outbox.queueRelease(version.id, version.releaseAt, tx);
      await this.audit.append(tx, {
        ...itemSubject(id, actor),
        action: 'item.approved',
        details: {
          version: version.version,
          itemVersionId: version.id,
          author: version.createdBy,
          releaseAt: version.releaseAt,
        },
      });
      return itemView({ ...item, state, updatedAt: now }, { ...version, approvedBy: actor.userId, approvedAt: now });
    });
  }

  /** Sends a pending version back to its author as a draft; nothing leaves. */
  async reject(id: string, reason: string, actor: StaffPrincipal): Promise<ItemView> {
    return this.transactions.run(async (tx) => {
      const { item, version } = await this.lockPending(id, 'rejected', actor, tx);
      // A rejected update leaves the item as it was: its last released version stays current.
      const previous = await this.items.lastReleasedVersionBefore(id, version.version, tx);
      const state: ItemState = previous === null ? 'draft' : 'published';
      const currentVersion = previous ?? item.currentVersion;
      const now = new Date();
      await this.items.changeState(id, { state, currentVersion, at: now }, tx);
      await this.audit.append(tx, {
        ...itemSubject(id, actor),
        action: 'item.rejected',
        details: { version: version.version, reason },
      });
      return itemView({ ...item, state, currentVersion, updatedAt: now }, version);
    });
  }

  /**
   * Withdraws an item: nothing more of it leaves (deliveries not yet handed to a channel are
   * cancelled, versions not yet routed never will be), it leaves every partner feed, and every
   * channel that was sent a version gets a recall notice, with `notice` when given.
   */
  async retract(id: string, reason: string, notice: string | null, actor: StaffPrincipal): Promise<RetractionView> {
    return this.transactions.run(async (tx) => {
      const item = await this.lock(id, tx);
      if (item.state === 'retracted') throw new ConflictException(`item ${id} is already retracted`);
      const version = await this.items.versionOf(id, item.currentVersion, tx);
      const now = new Date();
      await this.items.markRetracted(id, notice, now, tx);
      const withdrawn = await this.withdraw(id, version.id, tx);
      await this.audit.append(tx, {
        ...itemSubject(id, actor),
        action: 'item.retracted',
        details: { version: version.version, reason, notice, ...withdrawn },
      });
      const retracted = {
        ...item,
        state: 'retracted' as const,
        retractedAt: now,
        retractionNotice: notice,
        updatedAt: now,
      };
      return { ...itemView(retracted, version), ...withdrawn };
    });
  }

  /** Why this version needs a second person's approval, or null. */
  private approvalNeeded(draft: Pick<Draft, 'tlp' | 'caveats'>): string | null {
    const rules = this.config.approval;
    if (rules.red && draft.tlp === 'TLP:RED') return 'TLP:RED';
    if (rules.amberStrict && draft.tlp === 'TLP:AMBER+STRICT') return 'TLP:AMBER+STRICT';
    if (rules.caveats && draft.caveats.length > 0) return `caveats ${draft.caveats.join(', ')}`;
    return null;
  }

  private async lock(id: string, tx: EntityManager): Promise<ItemEntity> {
    const item = await this.items.lockForUpdate(id, tx);
    if (!item) throw new NotFoundException(`item ${id} not found`);
    return item;
  }

  /** The item, locked, if it may take a new version of this draft. */
  private async lockUpdatable(id: string, draft: Draft, tx: EntityManager): Promise<ItemEntity> {
    const item = await this.lock(id, tx);
    if (item.state !== 'published') {
      throw new ConflictException(
        `item ${id} is ${item.state}; only a published item can be updated (a pending or scheduled one is approved, rejected or retracted first)`,
      );
    }
    if (draft.kind !== item.kind)
      throw invalidFields([{ field: 'type', message: `an update keeps the item's type (${item.kind})` }]);
    return item;
  }

  /** The item and its pending version, locked, for an approver who is not the version's author. */
  private async lockPending(
    id: string,
    outcome: 'approved' | 'rejected',
    actor: StaffPrincipal,
    tx: EntityManager,
  ): Promise<Pending> {
    const item = await this.lock(id, tx);
    if (item.state !== 'pending-approval')
      throw new ConflictException(`item ${id} is ${item.state}; only an item pending approval can be ${outcome}`);
    const version = await this.items.versionOf(id, item.currentVersion, tx);
    if (version.createdBy === actor.userId)
      throw new ForbiddenException('four eyes: the approver must be someone other than the author');
    return { item, version };
  }

  /** Cancels what has not left, takes the item out of feeds and recalls it from every channel that was handed it. */
  private async withdraw(itemId: string, versionId: string, tx: EntityManager) {
    const cancelled = await this.deliveries.cancelPending(
      itemId,
      'The item was retracted before this delivery was sent.',
      {},
      tx,
    );
    const targets = await this.deliveries.channelsToRecall(itemId, undefined, tx);
    const recalls = await this.deliveries.queueRecalls(
      { itemVersionId: versionId, targets, reason: 'The item was retracted.' },
      tx,
    );
    const removedFromFeeds = await this.feedEntries.removeItem(itemId, undefined, tx);
    // Outbox rows of versions not yet routed stay: routing skips a retracted item and closes them.
    if (recalls.length > 0) await this.outbox.queueRetraction(versionId, tx);
    return { cancelled: cancelled.length, recalls: recalls.length, removedFromFeeds };
  }

  private async auditConsent(itemId: string, version: number, draft: Draft, actor: StaffPrincipal, tx: EntityManager) {
    const provenance = draft.provenance;
    if (!provenance?.consent) return;
    await this.audit.append(tx, {
      ...itemSubject(itemId, actor),
      action: 'item.originator-consent-recorded',
      details: { version, originator: provenance.originator, label: provenance.label, consent: provenance.consent },
    });
  }
}

/** Where a submitted version stands: waiting for approval, under embargo, or out. */
function stateOnSubmission(draft: Pick<Draft, 'releaseAt'>, approvalReason: string | null): ItemState {
  if (approvalReason) return 'pending-approval';
  return draft.releaseAt ? 'scheduled' : 'published';
}

function itemSubject(itemId: string, actor: StaffPrincipal) {
  return { actor: `user:${actor.userId}`, subjectType: 'item', subjectId: itemId };
}

/** What the audit trail keeps of a submitted version's handling. */
function draftDetails(
  draft: Pick<Draft, 'tlp' | 'pap' | 'audience' | 'caveats' | 'releaseAt'>,
  approvalReason: string | null,
) {
  return {
    tlp: draft.tlp,
    pap: draft.pap,
    audience: draft.audience,
    caveats: draft.caveats,
    releaseAt: draft.releaseAt,
    ...(approvalReason ? { approvalReason } : {}),
  };
}

function newVersion(itemId: string, version: number, draft: Draft, actor: StaffPrincipal): NewItemVersion {
  return {
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
  };
}
