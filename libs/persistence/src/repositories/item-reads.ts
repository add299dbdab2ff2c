import type { Audience, Indicator, ItemKind, ItemState, Severity } from '@tlp-broker/domain';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import { OutboxTopic, StoredProvenance } from '../entities';

/** An item in the public feed: its latest released version, which is TLP:CLEAR. */
export interface PublicRelease {
  readonly itemId: string;
  readonly kind: ItemKind;
  readonly version: number;
  readonly pap: PapLabel | null;
  readonly severity: Severity | null;
  readonly title: string;
  readonly summary: string;
  readonly body: string;
  readonly indicators: Indicator[];
  readonly itemCreatedAt: Date;
  /** When the version was released. */
  readonly releasedAt: Date;
}

/** The text of one item version, with its label. */
export interface VersionText {
  readonly itemId: string;
  readonly version: number;
  readonly tlp: TlpLabel;
  readonly title: string;
  readonly summary: string;
  readonly body: string;
}

/**
 * Items whose latest released (routed) version is TLP:CLEAR and that are not retracted, newest
 * release first: $1 the outbox topic of a release, $2 the retracted state, $3 TLP:CLEAR, $4 one
 * item's id or null for every item, $5 how many.
 */
const PUBLIC_RELEASES = `
  SELECT * FROM (
    SELECT DISTINCT ON (i.id) i.id, i.kind, i.created_at AS item_created_at, v.version, v.tlp, v.pap, v.severity, v.title, v.summary,
           v.body, v.indicators, v.created_at AS released_at
      FROM items i
      JOIN item_versions v ON v.item_id = i.id
      JOIN outbox o ON o.item_version_id = v.id AND o.topic = $1 AND o.processed_at IS NOT NULL
     WHERE i.state <> $2 AND ($4::uuid IS NULL OR i.id = $4)
     ORDER BY i.id, v.version DESC
  ) latest
  WHERE latest.tlp = $3
  ORDER BY latest.released_at DESC
  LIMIT $5`;

export function publicReleasesQuery(itemId: string | null, limit: number): [string, unknown[]] {
  return [
    PUBLIC_RELEASES,
    [OutboxTopic.Published, 'retracted' satisfies ItemState, 'TLP:CLEAR' satisfies TlpLabel, itemId, limit],
  ];
}

export interface PublicReleaseRow {
  id: string;
  kind: ItemKind;
  item_created_at: Date;
  version: number;
  pap: PapLabel | null;
  severity: Severity | null;
  title: string;
  summary: string;
  body: string;
  indicators: Indicator[];
  released_at: Date;
}

export function toPublicRelease(row: PublicReleaseRow): PublicRelease {
  return {
    itemId: row.id,
    kind: row.kind,
    version: row.version,
    pap: row.pap,
    severity: row.severity,
    title: row.title,
    summary: row.summary,
    body: row.body,
    indicators: row.indicators,
    itemCreatedAt: row.item_created_at,
    releasedAt: row.released_at,
  };
}

/** A team member named where a read shows who did something. */
export interface UserRef {
  readonly id: string;
  readonly name: string;
}

/**
 * An item as the team's lists show it: its current version's headline (the version GET /items/:id
 * shows: the latest, except after a rejected update, when the version released before stays
 * current), who wrote that version, and when the item and that version were created.
 */
export interface ItemSummary {
  readonly id: string;
  readonly kind: ItemKind;
  readonly state: ItemState;
  readonly version: number;
  readonly title: string;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly severity: Severity | null;
  readonly author: UserRef;
  /** When its first version was created. */
  readonly createdAt: Date;
  /** When its current version was created. */
  readonly updatedAt: Date;
  readonly releaseAt: Date | null;
  /** For an item pending approval: the latest earlier version that was released, or null (none was). */
  readonly lastReleasedVersion: number | null;
}

export interface ItemSummaryFilter {
  readonly state?: ItemState;
  /** A piece of the title, in any case. */
  readonly title?: string;
}

/** A version in full, with its author, its approver and whether it was released. */
export interface ItemVersionRecord {
  readonly id: string;
  readonly itemId: string;
  readonly version: number;
  readonly title: string;
  readonly summary: string;
  readonly body: string;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly severity: Severity | null;
  readonly audience: Audience;
  readonly caveats: string[];
  readonly indicators: Indicator[];
  readonly provenance: StoredProvenance | null;
  readonly releaseAt: Date | null;
  readonly author: UserRef;
  readonly approvedBy: UserRef | null;
  readonly approvedAt: Date | null;
  readonly createdAt: Date;
  readonly released: boolean;
}

/**
 * Whether the version `v` was released to partners: routing records a decision for every partner
 * channel in the transaction that marks its release routed. A version never routed has none: one
 * pending, rejected, still under embargo, or skipped at routing (the item was retracted, or a later
 * version was released first).
 */
const RELEASED = (v: string) => `EXISTS (SELECT 1 FROM decisions d WHERE d.item_version_id = ${v}.id)`;

/**
 * Items by their current version, newest version first: $1 the pending-approval state, $2 a state
 * or null, $3 a piece of the title or null, $4 how many.
 */
const ITEM_SUMMARIES = `
  SELECT i.id, i.kind, i.state, f.created_at, v.version, v.title, v.tlp, v.pap, v.severity, v.release_at,
         v.created_at AS updated_at, u.id AS author_id, u.name AS author_name,
         CASE WHEN i.state = $1 THEN (
           SELECT max(p.version) FROM item_versions p
            WHERE p.item_id = i.id AND p.version < v.version AND ${RELEASED('p')}
         ) END AS last_released_version
    FROM items i
    JOIN item_versions v ON v.item_id = i.id AND v.version = i.current_version
    JOIN item_versions f ON f.item_id = i.id AND f.version = 1
    JOIN users u ON u.id = v.created_by
   WHERE ($2::text IS NULL OR i.state = $2::text)
     AND ($3::text IS NULL OR strpos(lower(v.title), lower($3::text)) > 0)
   ORDER BY v.created_at DESC, i.id DESC
   LIMIT $4`;

export function itemSummariesQuery(filter: ItemSummaryFilter, limit: number): [string, unknown[]] {
  return [ITEM_SUMMARIES, ['pending-approval' satisfies ItemState, filter.state ?? null, filter.title ?? null, limit]];
}

export interface ItemSummaryRow {
  id: string;
  kind: ItemKind;
  state: ItemState;
  created_at: Date;
  version: number;
  title: string;
  tlp: TlpLabel;
  pap: PapLabel | null;
  severity: Severity | null;
  release_at: Date | null;
  updated_at: Date;
  author_id: string;
  author_name: string;
  last_released_version: number | null;
}

export function toItemSummary(row: ItemSummaryRow): ItemSummary {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    version: row.version,
    title: row.title,
    tlp: row.tlp,
    pap: row.pap,
    severity: row.severity,
    author: { id: row.author_id, name: row.author_name },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    releaseAt: row.release_at,
    lastReleasedVersion: row.last_released_version === null ? null : Number(row.last_released_version),
  };
}

/** Every version of the item $1, newest first, with their authors and approvers. */
export const ITEM_VERSIONS = `
  SELECT v.id, v.item_id, v.version, v.title, v.summary, v.body, v.tlp, v.pap, v.severity, v.audience, v.caveats,
         v.indicators, v.provenance, v.release_at, v.approved_at, v.created_at,
         a.id AS author_id, a.name AS author_name, p.id AS approver_id, p.name AS approver_name,
         ${RELEASED('v')} AS released
    FROM item_versions v
    JOIN users a ON a.id = v.created_by
    LEFT JOIN users p ON p.id = v.approved_by
   WHERE v.item_id = $1
   ORDER BY v.version DESC`;

export interface ItemVersionRow {
  id: string;
  item_id: string;
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
  release_at: Date | null;
  approved_at: Date | null;
  created_at: Date;
  author_id: string;
  author_name: string;
  approver_id: string | null;
  approver_name: string | null;
  released: boolean;
}

export function toItemVersionRecord(row: ItemVersionRow): ItemVersionRecord {
  return {
    id: row.id,
    itemId: row.item_id,
    version: row.version,
    title: row.title,
    summary: row.summary,
    body: row.body,
    tlp: row.tlp,
    pap: row.pap,
    severity: row.severity,
    audience: row.audience,
    caveats: row.caveats,
    indicators: row.indicators,
    provenance: row.provenance,
    releaseAt: row.release_at,
    author: { id: row.author_id, name: row.author_name },
    approvedBy: row.approver_id === null ? null : { id: row.approver_id, name: row.approver_name ?? row.approver_id },
    approvedAt: row.approved_at,
    createdAt: row.created_at,
    released: row.released,
  };
}
