import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { DeliveryKind, ItemKind } from '@tlp-broker/domain';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import {
  FeedEntryHead,
  HEAD_SELECT,
  HeadRow,
  PULLED_ENTRY_SELECT,
  PulledEntryRow,
  PulledFeedEntry,
  toHead,
  toPulledEntry,
} from './feed-entry-reads';
import { INSTANT } from './microseconds';

const ITEM_ENTRY: DeliveryKind = 'item';

export interface NewFeedEntry {
  readonly deliveryId: string;
  readonly channelId: string;
  readonly itemId: string;
  readonly itemVersion: number;
  readonly entry: DeliveryKind;
  readonly kind: ItemKind;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly handling: string | null;
  readonly keyFingerprint: string;
  readonly message: string;
}

/**
 * Partners' pull inboxes (feed_entries, feed_clocks).
 * Every query on these tables is a named method here; a method that must take part in a
 * caller's transaction takes its `tx` as last argument (default: outside any transaction).
 */
@Injectable()
export class FeedEntryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's transaction, or the pool outside any. */
  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  /**
   * Writes a delivery's entry in its channel's pull feed (once: a repeat writes nothing), with its
   * `added_at`.
   *
   * Partners poll for what was added after the last time they saw (TAXII `added_after` with
   * X-TAXII-Date-Added-Last, the JSON feed's `since`), so an entry must never become visible with a
   * time at or before one a partner may already have read. The channel's clock row is locked by the
   * upsert until the transaction ends, so entries of one channel are added one after the other, in
   * commit order, each later than the room the previous one reserved: one microsecond for each STIX
   * object it may be served as (its report, its artifact, and at most every indicator any version of
   * the item has carried, live or revoked), so that every object of a collection has a date_added of
   * its own. The clock outlives entries a retraction deletes. Run it in the transaction that
   * records the delivery, so the lock is held until the entry commits.
   */
  async append(entry: NewFeedEntry, tx?: EntityManager): Promise<void> {
    await this.db(tx).query(
      `WITH width AS (
         SELECT (2 + coalesce(sum(jsonb_array_length(indicators)), 0)) * interval '1 microsecond' AS room
           FROM item_versions WHERE item_id = $3
       ), clock AS (
         INSERT INTO feed_clocks AS c (channel_id, added_until)
         SELECT $2, clock_timestamp() + room FROM width
         ON CONFLICT (channel_id) DO UPDATE SET added_until = greatest(clock_timestamp(), c.added_until) + (SELECT room FROM width)
         RETURNING added_until
       )
       INSERT INTO feed_entries (delivery_id, channel_id, item_id, item_version, entry, kind, tlp, pap, handling, key_fingerprint, message, added_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, clock.added_until - width.room FROM clock, width
       ON CONFLICT (delivery_id) DO NOTHING`,
      [
        entry.deliveryId,
        entry.channelId,
        entry.itemId,
        entry.itemVersion,
        entry.entry,
        entry.kind,
        entry.tlp,
        entry.pap,
        entry.handling,
        entry.keyFingerprint,
        entry.message,
      ],
    );
  }

  /** Takes the item's versions out of partners' pull feeds (all channels, or only `channelIds`); returns how many entries went. */
  async removeItem(itemId: string, channelIds?: readonly string[], tx?: EntityManager): Promise<number> {
    const [rows]: [unknown[], number] = await this.db(tx).query(
      `DELETE FROM feed_entries WHERE item_id = $1 AND entry = $3 AND ($2::uuid[] IS NULL OR channel_id = ANY($2::uuid[])) RETURNING seq`,
      [itemId, channelIds ?? null, ITEM_ENTRY],
    );
    return rows.length;
  }

  /**
   * A page of the channel's feed, newest first: at most `limit` entries, before the `before` cursor
   * (a seq) and added after `sinceUs` (microseconds since the epoch) when given.
   */
  async newestOfChannel(
    channelId: string,
    page: { limit: number; before?: number; sinceUs?: number },
    tx?: EntityManager,
  ): Promise<PulledFeedEntry[]> {
    const rows: PulledEntryRow[] = await this.db(tx).query(
      `${PULLED_ENTRY_SELECT}
        WHERE f.channel_id = $1 AND ($2::bigint IS NULL OR f.seq < $2) AND ($3::bigint IS NULL OR f.added_at > ${INSTANT('$3::bigint')})
        ORDER BY f.seq DESC LIMIT $4`,
      [channelId, page.before ?? null, page.sinceUs ?? null, page.limit],
    );
    return rows.map(toPulledEntry);
  }

  /** The channel's entry for a delivery: another channel's is indistinguishable from none. */
  async channelEntry(channelId: string, deliveryId: string, tx?: EntityManager): Promise<PulledFeedEntry | null> {
    const [row]: PulledEntryRow[] = await this.db(tx).query(
      `${PULLED_ENTRY_SELECT} WHERE f.channel_id = $1 AND f.delivery_id = $2`,
      [channelId, deliveryId],
    );
    return row ? toPulledEntry(row) : null;
  }

  /**
   * The entries of the channel's feed, in the order they were added, without the messages; with
   * `afterUs` (microseconds since the epoch), only the entries that may hold objects added after it:
   * the entry added at or before it, and those after.
   */
  async headsOfChannel(channelId: string, afterUs?: number, tx?: EntityManager): Promise<FeedEntryHead[]> {
    const rows: HeadRow[] = await this.db(tx).query(
      `${HEAD_SELECT}
        WHERE f.channel_id = $1
          AND ($4::bigint IS NULL OR f.added_at >= coalesce(
                (SELECT max(p.added_at) FROM feed_entries p WHERE p.channel_id = $1 AND p.added_at <= ${INSTANT('$4::bigint')}), '-infinity'))
        ORDER BY f.added_at`,
      [channelId, ITEM_ENTRY, 'TLP:CLEAR' satisfies TlpLabel, afterUs ?? null],
    );
    return rows.map(toHead);
  }

  /** The armored messages of some of the channel's entries, by seq (another channel's are not read). */
  async messagesOfChannel(
    channelId: string,
    seqs: readonly string[],
    tx?: EntityManager,
  ): Promise<Map<string, string>> {
    if (seqs.length === 0) return new Map();
    const rows: { seq: string; message: string }[] = await this.db(tx).query(
      'SELECT seq, message FROM feed_entries WHERE channel_id = $1 AND seq = ANY($2::bigint[])',
      [channelId, seqs],
    );
    return new Map(rows.map((row) => [row.seq, row.message]));
  }
}
