import type { DeliveryKind, Indicator, ItemKind, Severity } from '@tlp-broker/domain';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import { INSTANT, MICROSECONDS } from './microseconds';

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
const HEAD_COLUMNS = `f.seq, f.created_at, ${MICROSECONDS('f.added_at')} AS added_us, f.entry, f.item_id, f.item_version, f.kind, f.tlp, f.pap,
         f.delivery_id, f.key_fingerprint, v.severity, i.created_at AS item_created_at, v.created_at AS version_created_at,
         CASE WHEN f.entry = $2 AND f.tlp = $3 THEN v.indicators END AS indicators`;

const HEAD_FROM = `
    FROM feed_entries f
    JOIN items i ON i.id = f.item_id
    JOIN item_versions v ON v.item_id = f.item_id AND v.version = f.item_version`;

/** Where a run of a channel's entries (in added order) starts. */
export type RunStart =
  /** The entries that may hold objects added after this time (µs): the one added at or before it, and those after. */
  | { readonly coverUs: number }
  /** The entries added after this time (µs). */
  | { readonly afterUs: number }
  /** The channel's first entry. */
  | null;

/** $4: the time of `start` in microseconds (null from the first entry). */
function runLowerBound(start: RunStart): string {
  // $4 is null then; named all the same, or PostgreSQL cannot tell its type.
  if (start === null) return '$4::bigint IS NULL';
  if ('afterUs' in start) return `f.added_at > ${INSTANT('$4::bigint')}`;
  return `f.added_at >= coalesce(
      (SELECT max(p.added_at) FROM feed_entries p WHERE p.channel_id = $1 AND p.added_at <= ${INSTANT('$4::bigint')}), '-infinity')`;
}

/** What kind of start a run has (each kind is a query of its own). */
export function runStartKind(start: RunStart): 'first' | 'after' | 'cover' {
  return start === null ? 'first' : 'afterUs' in start ? 'after' : 'cover';
}

export function runStartUs(start: RunStart): number | null {
  return start === null ? null : 'afterUs' in start ? start.afterUs : start.coverUs;
}

/**
 * At most $5 entries of channel $1 in added order from `start` (see RunStart), and every entry of
 * the channel for their items (those too, flagged `in_run`), in added order.
 */
export function runWithItemsSelect(start: RunStart): string {
  return `
    WITH run AS (
      SELECT f.seq, f.item_id FROM feed_entries f
       WHERE f.channel_id = $1 AND ${runLowerBound(start)}
       ORDER BY f.added_at LIMIT $5
    )
    SELECT ${HEAD_COLUMNS}, f.seq IN (SELECT seq FROM run) AS in_run ${HEAD_FROM}
     WHERE f.channel_id = $1 AND f.item_id IN (SELECT item_id FROM run)
     ORDER BY f.added_at`;
}

/** How an entry of an item ranks for the item's latest entry: a higher version, and a version's recall above it. */
const LATEST_RANK = (alias: string) =>
  `${alias}.item_version * 2 + (${alias}.entry <> $2)::int DESC, ${alias}.added_at DESC`;

/**
 * For the next $5 items of channel $1 by their first entry (after the item whose first entry was
 * added at $4 µs with `after`, from the start without): the item's latest entry (LATEST_RANK),
 * with when the item's first entry was added (`first_us`), in that order.
 */
export function latestPerItemSelect(after: boolean): string {
  return `
    WITH firsts AS (
      SELECT f.item_id, f.added_at FROM feed_entries f
       WHERE f.channel_id = $1 AND ${after ? `f.added_at > ${INSTANT('$4::bigint')}` : '$4::bigint IS NULL'}
         AND NOT EXISTS (
           SELECT 1 FROM feed_entries e WHERE e.channel_id = $1 AND e.item_id = f.item_id AND e.added_at < f.added_at)
       ORDER BY f.added_at LIMIT $5
    ), latest AS (
      -- One index lookup per item (a join could read the whole channel's entries to find them).
      SELECT l.seq, firsts.added_at AS first_added
        FROM firsts CROSS JOIN LATERAL (
          SELECT l.seq FROM feed_entries l WHERE l.channel_id = $1 AND l.item_id = firsts.item_id
           ORDER BY ${LATEST_RANK('l')} LIMIT 1) l
    )
    SELECT ${HEAD_COLUMNS}, ${MICROSECONDS('latest.first_added')} AS first_us ${HEAD_FROM}
      JOIN latest ON latest.seq = f.seq
     ORDER BY latest.first_added`;
}

/**
 * The latest entry (LATEST_RANK) in channel $1 of the item whose MISP event UUID is $4: the UUIDv5
 * of `misp-event:<item id>` in tlp-broker's STIX namespace (mispEventUuid in libs/stix), written
 * exactly as the index feed_entries_misp_event computes it, so that the index finds it.
 */
export const LATEST_OF_MISP_EVENT_SELECT = `
    SELECT ${HEAD_COLUMNS} ${HEAD_FROM}
     WHERE f.channel_id = $1
       AND uuid_generate_v5('6f1c1d5e-9a3b-5c2e-8d47-2b1e3f0a9c61'::uuid, 'misp-event:' || f.item_id::text) = $4::uuid
     ORDER BY ${LATEST_RANK('f')} LIMIT 1`;

/** Every entry of channel $1 for the items $4, in added order. */
export const ENTRIES_OF_ITEMS_SELECT = `
    SELECT ${HEAD_COLUMNS} ${HEAD_FROM}
     WHERE f.channel_id = $1 AND f.item_id = ANY($4::uuid[])
     ORDER BY f.added_at`;

/**
 * The items of channel $1 whose entries serve the STIX object with UUID $2 (libs/stix names
 * objects with UUIDv5 in its namespace), written exactly as the indexes of migration 1764860000000
 * compute them: for a report or note, `item:<item id>`, and `item:<item id>:<n>` once the channel
 * had n recalls of the item (the report's generation); for an artifact, `delivery:<delivery id>`.
 */
export const ITEMS_OF_STIX_OBJECT_SELECT = {
  report: `
    SELECT item_id FROM feed_entries
     WHERE channel_id = $1 AND uuid_generate_v5('6f1c1d5e-9a3b-5c2e-8d47-2b1e3f0a9c61'::uuid, 'item:' || item_id::text) = $2::uuid
    UNION
    SELECT r.item_id
      FROM (SELECT item_id, count(*)::int AS recalls FROM feed_entries
             WHERE channel_id = $1 AND entry = 'recall' GROUP BY item_id) r
     CROSS JOIN LATERAL generate_series(1, r.recalls) g
     WHERE uuid_generate_v5('6f1c1d5e-9a3b-5c2e-8d47-2b1e3f0a9c61'::uuid, 'item:' || r.item_id::text || ':' || g) = $2::uuid`,
  artifact: `
    SELECT item_id FROM feed_entries
     WHERE channel_id = $1
       AND uuid_generate_v5('6f1c1d5e-9a3b-5c2e-8d47-2b1e3f0a9c61'::uuid, 'delivery:' || delivery_id::text) = $2::uuid`,
} as const;

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
