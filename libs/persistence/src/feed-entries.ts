import { EntityManager } from 'typeorm';
import type { TlpLabel, PapLabel } from '@tlp-broker/tlp';
import type { ItemKind } from '@tlp-broker/domain';

export interface NewFeedEntry {
  readonly deliveryId: string;
  readonly channelId: string;
  readonly itemId: string;
  readonly itemVersion: number;
  readonly entry: 'item' | 'recall';
  readonly kind: ItemKind;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly handling: string | null;
  readonly keyFingerprint: string;
  readonly message: string;
}

/**
 * Writes a delivery's entry in its channel's pull feed (once: a repeat writes nothing), in the
 * caller's transaction, with its `added_at`.
 *
 * Partners poll for what was added after the last time they saw (TAXII `added_after` with
 * X-TAXII-Date-Added-Last, the JSON feed's `since`), so an entry must never become visible with a
 * time at or before one a partner may already have read. The channel's clock row is locked by the
 * upsert until this transaction ends, so entries of one channel are added one after the other, in
 * commit order, each later than the room the previous one reserved: one microsecond for each STIX
 * object it may be served as (its report, its artifact, and at most every indicator any version of
 * the item has carried, live or revoked), so that every object of a collection has a date_added of
 * its own. The clock outlives entries a retraction deletes.
 */
export async function appendFeedEntry(manager: EntityManager, entry: NewFeedEntry): Promise<void> {
  await manager.query(
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
