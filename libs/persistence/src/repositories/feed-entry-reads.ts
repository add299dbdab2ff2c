import type { DeliveryKind, Indicator, ItemKind, Severity } from '@tlp-broker/domain';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import { MICROSECONDS } from './microseconds';

/** A feed entry as the JSON feed serves it: the entry, its message, and when its version was released. */
export interface PulledFeedEntry {
  readonly seq: string;
  readonly deliveryId: string;
  readonly entry: DeliveryKind;
  readonly itemId: string;
  readonly itemVersion: number;
  readonly kind: ItemKind;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly handling: string | null;
  readonly keyFingerprint: string;
  readonly message: string;
  /** When the entry was added to the feed: ISO 8601 in UTC with six fraction digits (microseconds). */
  readonly addedAt: string;
  /** When the team released the entry's item version. */
  readonly publishedAt: Date;
}

/**
 * A feed entry without its message, with what every pull form (JSON, TAXII, MISP) orders,
 * filters and describes it by.
 */
export interface FeedEntryHead {
  readonly seq: string;
  /** When the entry was written. */
  readonly deliveredAt: Date;
  /** When the entry was added to the channel's feed, in microseconds since the epoch (see FeedEntryRepository.append). */
  readonly addedUs: number;
  readonly entry: DeliveryKind;
  readonly itemId: string;
  readonly version: number;
  readonly kind: ItemKind;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly deliveryId: string;
  readonly keyFingerprint: string;
  readonly severity: Severity | null;
  readonly itemCreatedAt: Date;
  readonly versionCreatedAt: Date;
  /** Indicators of a TLP:CLEAR item version (served in the clear); empty otherwise. */
  readonly indicators: readonly Indicator[];
}

export const PULLED_ENTRY_SELECT = `
  SELECT f.seq, f.delivery_id, f.entry, f.item_id, f.item_version, f.kind, f.tlp, f.pap, f.handling, f.key_fingerprint, f.message,
         to_char(f.added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS added_at, v.created_at AS published_at
    FROM feed_entries f JOIN item_versions v ON v.item_id = f.item_id AND v.version = f.item_version`;

export interface PulledEntryRow {
  seq: string;
  delivery_id: string;
  entry: DeliveryKind;
  item_id: string;
  item_version: number;
  kind: ItemKind;
  tlp: TlpLabel;
  pap: PapLabel | null;
  handling: string | null;
  key_fingerprint: string;
  message: string;
  added_at: string;
  published_at: Date;
}

export function toPulledEntry(row: PulledEntryRow): PulledFeedEntry {
  return {
    seq: row.seq,
    deliveryId: row.delivery_id,
    entry: row.entry,
    itemId: row.item_id,
    itemVersion: row.item_version,
    kind: row.kind,
    tlp: row.tlp,
    pap: row.pap,
    handling: row.handling,
    keyFingerprint: row.key_fingerprint,
    message: row.message,
    addedAt: row.added_at,
    publishedAt: row.published_at,
  };
}

/** $1 channel, $2 the kind of entry that carries an item version, $3 the label served in the clear. */
export const HEAD_SELECT = `
  SELECT f.seq, f.created_at, ${MICROSECONDS('f.added_at')} AS added_us, f.entry, f.item_id, f.item_version, f.kind, f.tlp, f.pap,
         f.delivery_id, f.key_fingerprint, v.severity, i.created_at AS item_created_at, v.created_at AS version_created_at,
         CASE WHEN f.entry = $2 AND f.tlp = $3 THEN v.indicators END AS indicators
    FROM feed_entries f
    JOIN items i ON i.id = f.item_id
    JOIN item_versions v ON v.item_id = f.item_id AND v.version = f.item_version`;

export interface HeadRow {
  seq: string;
  created_at: Date;
  added_us: string;
  entry: DeliveryKind;
  item_id: string;
  item_version: number;
  kind: ItemKind;
  tlp: TlpLabel;
  pap: PapLabel | null;
  delivery_id: string;
  key_fingerprint: string;
  severity: Severity | null;
  item_created_at: Date;
  version_created_at: Date;
  indicators: Indicator[] | null;
}

export function toHead(row: HeadRow): FeedEntryHead {
  return {
    seq: row.seq,
    deliveredAt: row.created_at,
    addedUs: Number(row.added_us),
    entry: row.entry,
    itemId: row.item_id,
    version: row.item_version,
    kind: row.kind,
    tlp: row.tlp,
    pap: row.pap,
    deliveryId: row.delivery_id,
    keyFingerprint: row.key_fingerprint,
    severity: row.severity,
    itemCreatedAt: row.item_created_at,
    versionCreatedAt: row.version_created_at,
    indicators: row.indicators ?? [],
  };
}
