import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { DeliveryKind, ItemKind } from '@tlp-broker/domain';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import {
  ENTRIES_OF_ITEMS_SELECT,
  FeedEntryHead,
  HeadRow,
  ITEMS_OF_STIX_OBJECT_SELECT,
  LATEST_OF_MISP_EVENT_SELECT,
  latestPerItemSelect,
  PULLED_ENTRY_SELECT,
  PulledEntryRow,
  PulledFeedEntry,
  RunStart,
  runStartKind,
  runStartUs,
  runWithItemsSelect,
  toHead,
  toPulledEntry,
} from './feed-entry-reads';
import { INSTANT, MICROSECONDS } from './microseconds';
import { queryPrepared } from './prepared-statements';

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

  /**
   * Takes the item's versions out of partners' pull feeds (all channels, or only `channelIds`);
   * returns how many entries went. The clocks of the channels it changed are written (to the same
   * time, taken in channel order as appends take them), so that their `stateOf` changes.
   */
  async removeItem(itemId: string, channelIds?: readonly string[], tx?: EntityManager): Promise<number> {
    const [{ removed }]: { removed: number }[] = await this.db(tx).query(
      `WITH gone AS (
         DELETE FROM feed_entries WHERE item_id = $1 AND entry = $3 AND ($2::uuid[] IS NULL OR channel_id = ANY($2::uuid[]))
         RETURNING channel_id
       ), touched AS (
         UPDATE feed_clocks c SET added_until = c.added_until
           FROM (SELECT channel_id FROM feed_clocks WHERE channel_id IN (SELECT channel_id FROM gone)
                  ORDER BY channel_id FOR UPDATE) l
          WHERE c.channel_id = l.channel_id
       )
       SELECT count(*)::int AS removed FROM gone`,
      [itemId, channelIds ?? null, ITEM_ENTRY],
    );
    return removed;
  }

  /**
   * What the channel's feed is now, as text that changes whenever it does: every append and every
   * removal writes the channel's clock row (see append and removeItem), so its row version (xmin)
   * and time change with them. Null for a channel whose feed never had an entry.
   */
  async stateOf(channelId: string, tx?: EntityManager): Promise<string | null> {
    const sql = `SELECT c.xmin::text || '/' || ${MICROSECONDS('c.added_until')} AS state FROM feed_clocks c WHERE c.channel_id = $1`;
    // Read for every request of a pull form: prepared once per connection.
    const [row] = tx
      ? ((await tx.query(sql, [channelId])) as { state: string }[])
      : await queryPrepared<{ state: string }>(this.dataSource, 'feed-entries.state-of', sql, [channelId]);
    return row?.state ?? null;
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
   * A run of at most `limit` entries of the channel's feed in the order they were added, from
   * `start`, without the messages (`run`); and every entry of the channel for the items of the run,
   * in added order (`ofItems`, the run's included): how an entry is served depends on what the
   * channel was handed of its item before and after it. One query, whatever the size of the feed.
   */
  async runWithItems(
    channelId: string,
    start: RunStart,
    limit: number,
    tx?: EntityManager,
  ): Promise<{ run: FeedEntryHead[]; ofItems: FeedEntryHead[] }> {
    const sql = runWithItemsSelect(start);
    const values = [channelId, ITEM_ENTRY, 'TLP:CLEAR' satisfies TlpLabel, runStartUs(start), limit];
    type RunRow = HeadRow & { in_run: boolean };
    // Every page of the TAXII forms reads one or more runs: prepared once per connection (one
    // statement per kind of start), as its plan is the same for any place and length of run.
    const rows = tx
      ? ((await tx.query(sql, values)) as RunRow[])
      : await queryPrepared<RunRow>(this.dataSource, `feed-entries.run.${runStartKind(start)}`, sql, values);
    const ofItems = rows.map(toHead);
    return { run: ofItems.filter((_, i) => rows[i].in_run), ofItems };
  }

  /**
   * The latest entry of each of the next `limit` items of the channel's feed (the highest version, or
   * the recall that withdrew it; of two alike, the one added last), items in the order of their first
   * entry; `afterFirstUs`: after the item whose first entry was added then (microseconds since the
   * epoch), from the start when absent. `nextFirstUs`: where the next call continues, null when done.
   */
  async latestPerItem(
    channelId: string,
    limit: number,
    afterFirstUs?: number,
    tx?: EntityManager,
  ): Promise<{ heads: FeedEntryHead[]; nextFirstUs: number | null }> {
    const rows: (HeadRow & { first_us: string })[] = await this.db(tx).query(
      latestPerItemSelect(afterFirstUs !== undefined),
      [channelId, ITEM_ENTRY, 'TLP:CLEAR' satisfies TlpLabel, afterFirstUs ?? null, limit],
    );
    return {
      heads: rows.map(toHead),
      nextFirstUs: rows.length < limit ? null : Number(rows[rows.length - 1].first_us),
    };
  }

  /** The latest entry (as latestPerItem ranks them) of the channel's item whose MISP event has this UUID; null if none. */
  async latestOfMispEvent(channelId: string, eventUuid: string, tx?: EntityManager): Promise<FeedEntryHead | null> {
    const values = [channelId, ITEM_ENTRY, 'TLP:CLEAR' satisfies TlpLabel, eventUuid];
    const [row] = tx
      ? ((await tx.query(LATEST_OF_MISP_EVENT_SELECT, values)) as HeadRow[])
      : await queryPrepared<HeadRow>(
          this.dataSource,
          'feed-entries.latest-of-misp-event',
          LATEST_OF_MISP_EVENT_SELECT,
          values,
        );
    return row ? toHead(row) : null;
  }

  /**
   * The items of the channel whose entries serve the STIX report, note (`report`) or artifact with
   * this UUID: found through indexes, whatever the size of the feed. Empty when there is none.
   */
  async itemsOfStixObject(
    channelId: string,
    kind: 'report' | 'artifact',
    uuid: string,
    tx?: EntityManager,
  ): Promise<string[]> {
    const rows: { item_id: string }[] = await this.db(tx).query(ITEMS_OF_STIX_OBJECT_SELECT[kind], [channelId, uuid]);
    return [...new Set(rows.map((row) => row.item_id))];
  }

  /** Every entry of the channel for these items, in added order, without the messages. */
  async entriesOfItems(channelId: string, itemIds: readonly string[], tx?: EntityManager): Promise<FeedEntryHead[]> {
    if (itemIds.length === 0) return [];
    const rows: HeadRow[] = await this.db(tx).query(ENTRIES_OF_ITEMS_SELECT, [
      channelId,
      ITEM_ENTRY,
      'TLP:CLEAR' satisfies TlpLabel,
      itemIds,
    ]);
    return rows.map(toHead);
  }

  /** The armored messages of some of the channel's entries, by seq (another channel's are not read). */
  async messagesOfChannel(
    channelId: string,
    seqs: readonly string[],
    tx?: EntityManager,
  ): Promise<Map<string, string>> {
    if (seqs.length === 0) return new Map();
    const sql = 'SELECT seq, message FROM feed_entries WHERE channel_id = $1 AND seq = ANY($2::bigint[])';
    // Read for most pages of the pull forms: prepared once per connection.
    const rows = tx
      ? ((await tx.query(sql, [channelId, seqs])) as { seq: string; message: string }[])
      : await queryPrepared<{ seq: string; message: string }>(this.dataSource, 'feed-entries.messages', sql, [
          channelId,
          seqs,
        ]);
    return new Map(rows.map((row) => [row.seq, row.message]));
  }
}
