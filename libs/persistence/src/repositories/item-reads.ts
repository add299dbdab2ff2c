import type { Indicator, ItemKind, ItemState, Severity } from '@tlp-broker/domain';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import { OutboxTopic } from '../entities';

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
