import type { Audience, Indicator, ItemKind, ItemState, Severity } from '@tlp-broker/domain';
import type { Decision, PapLabel, TlpLabel } from '@tlp-broker/tlp';
import type {
  DecisionEntity,
  ItemEntity,
  ItemVersionEntity,
  RoutingTarget,
  StoredProvenance,
} from '@tlp-broker/persistence';
import type { Draft } from './item-intake.service';

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
  indicators: Indicator[];
  provenance: StoredProvenance | null;
  releaseAt: Date | null;
  approvedBy: string | null;
  approvedAt: Date | null;
  createdAt: Date;
}

/** What a retraction did, beside the retracted item. */
export type RetractionView = ItemView & { cancelled: number; recalls: number; removedFromFeeds: number };

export interface DeliveryView {
  id: string;
  state: string;
  attempts: number;
  lastError: string | null;
  deliveredAt: Date | null;
}

/** Who a decision is about, named as a person reads it. */
export interface RecipientView {
  organisationId: string;
  organisation: string;
  contactId: string | null;
  contact: string | null;
  channelId: string;
  channel: string;
}

export interface DecisionView extends RecipientView {
  /** `routing`: when the version was released; `escalation`: an on-call channel when no one acknowledged in time. */
  purpose?: 'routing' | 'escalation';
  allow: boolean;
  code: string;
  reason: string;
  handling: string | null;
  keyFingerprint: string | null;
  delivery: DeliveryView | null;
}

export interface PreviewView {
  item: Omit<ItemView, 'id' | 'version' | 'state' | 'createdAt' | 'approvedBy' | 'approvedAt'>;
  decidedAt: Date;
  summary: { channels: number; allowed: number; denied: number; byCode: Record<string, number> };
  decisions: Omit<DecisionView, 'delivery'>[];
}

export interface DecisionsView {
  item: ItemView;
  routed: boolean;
  decisions: DecisionView[];
}

export interface ExplainedChannel {
  channelId: string;
  channel: string;
  contact: string | null;
  /** What was decided when the version was routed (null: not routed yet, or the channel came later). */
  decided: (Omit<DecisionView, 'delivery'> & { decidedAt: Date }) | null;
  delivery: DeliveryView | null;
  /** What the engine decides now, with today's partner, channel and key state. */
  now: Pick<Decision, 'allow' | 'code' | 'reason' | 'handling'>;
  changed: boolean;
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
  channels: ExplainedChannel[];
}

export function itemView(item: ItemEntity, version: ItemVersionEntity): ItemView {
  return {
    id: item.id,
    version: version.version,
    type: item.kind,
    state: item.state,
    ...draftView(version),
    approvedBy: version.approvedBy,
    approvedAt: version.approvedAt,
    createdAt: version.createdAt,
  };
}

/** The fields of a version (stored, or a draft) that views show; never the body. */
export function draftView(draft: Omit<Draft, 'kind' | 'body'>) {
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

export function recipientView(target: RoutingTarget): RecipientView {
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

/** A stored decision whose channel has since gone: named by its ids. */
export function unknownRecipientView(decision: DecisionEntity): RecipientView {
  return {
    organisationId: decision.organisationId,
    organisation: decision.organisationId,
    contactId: decision.contactId,
    contact: null,
    channelId: decision.channelId,
    channel: 'unknown',
  };
}

/** By organisation, then contact, then channel: the order a person scans a list of recipients in. */
export function sortDecisions<T extends { organisation: string; contact: string | null; channelId: string }>(
  decisions: T[],
): T[] {
  return decisions.sort(
    (a, b) =>
      a.organisation.localeCompare(b.organisation) ||
      (a.contact ?? '').localeCompare(b.contact ?? '') ||
      a.channelId.localeCompare(b.channelId),
  );
}

/** Who did something, named. */
export interface UserRefView {
  id: string;
  name: string;
}

/** An item in the team's lists (GET /items), described by its current version. */
export interface ItemSummaryView {
  id: string;
  /** The current version: the latest, except after a rejected update, when the version released before stays current. */
  version: number;
  type: ItemKind;
  state: ItemState;
  title: string;
  tlp: TlpLabel;
  pap: PapLabel | null;
  severity: Severity | null;
  /** Who wrote the current version. */
  author: UserRefView;
  /** When its first version was created. */
  createdAt: Date;
  /** When its current version was created. */
  updatedAt: Date;
  releaseAt: Date | null;
  /**
   * Only for an item pending approval: the latest earlier version released to partners (what the
   * pending version is to be compared with), or null when none was.
   */
  lastReleasedVersion?: number | null;
}

/** One version of an item in full, body included (GET /items/:id/versions). */
export interface ItemVersionView {
  /** The version's own id (`itemVersionId` in audit events). */
  id: string;
  itemId: string;
  version: number;
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
  author: UserRefView;
  approvedBy: UserRefView | null;
  approvedAt: Date | null;
  createdAt: Date;
  /**
   * Whether this version was released to partners (routed: the sharing rules were applied for every
   * partner channel). False for a version pending approval, rejected, still under embargo, or
   * never routed because the item was retracted or a later version was released first.
   */
  released: boolean;
}

/** An audit event about an item (GET /items/:id/audit). */
export interface AuditEventView {
  /** The event's place in the trail. */
  seq: number;
  at: Date;
  /** The team member's name when a user acted, otherwise who did (`dispatcher`…), as recorded. */
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown>;
}
