import { EntityManager } from 'typeorm';
import { CANCELLABLE_DELIVERY_STATES } from '@tlp-broker/domain';

/**
 * What updates and retractions do to deliveries already made or planned. Every function runs in
 * the caller's transaction, which holds the item's row lock (FOR UPDATE to change the item, FOR
 * SHARE to finish a delivery): the two cannot interleave, so a delivery that reaches a recipient
 * just as the item is retracted or narrowed is either seen here or sees the change itself.
 */

/** A channel that holds (or may hold) a copy of the item it has not been told to withdraw. */
export interface RecallTarget {
  readonly channelId: string;
  readonly organisationId: string;
  readonly contactId: string | null;
  /** The highest version the channel was sent. */
  readonly version: number;
}

/**
 * Cancels item deliveries of the item not yet handed to a channel (`queued`, `failed`), of
 * versions before `beforeVersion` when given, else of every version; optionally only on some
 * channels. Deliveries in `sending` are left to finish: their message may already have left.
 */
export async function cancelPendingItemDeliveries(
  manager: EntityManager,
  itemId: string,
  reason: string,
  options: { beforeVersion?: number; channelIds?: readonly string[] } = {},
): Promise<string[]> {
  // TypeORM returns [rows, count] for UPDATE and DELETE.
  const [rows]: [{ id: string }[], number] = await manager.query(
    `UPDATE deliveries d SET state = 'cancelled', last_error = $2, updated_at = now()
       FROM item_versions v
      WHERE v.id = d.item_version_id AND v.item_id = $1 AND d.kind = 'item'
        AND d.state = ANY($3::text[])
        AND ($4::int IS NULL OR v.version < $4)
        AND ($5::uuid[] IS NULL OR d.channel_id = ANY($5::uuid[]))
      RETURNING d.id`,
    [itemId, reason, CANCELLABLE_DELIVERY_STATES, options.beforeVersion ?? null, options.channelIds ?? null],
  );
  return rows.map((row) => row.id);
}

/**
 * Channels that were handed a version of the item (so may hold it, whatever the outcome of that
 * delivery) and have had no recall since the latest version they were handed; optionally only
 * among `channelIds`.
 */
export async function channelsToRecall(
  manager: EntityManager,
  itemId: string,
  channelIds?: readonly string[],
): Promise<RecallTarget[]> {
  const rows: { channel_id: string; organisation_id: string; contact_id: string | null; version: number }[] =
    await manager.query(
      `WITH reached AS (
       SELECT d.channel_id, max(v.version) AS version
         FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id
        WHERE v.item_id = $1 AND d.kind = 'item' AND d.handed_at IS NOT NULL
          AND ($2::uuid[] IS NULL OR d.channel_id = ANY($2::uuid[]))
        GROUP BY d.channel_id
     ), recalled AS (
       SELECT d.channel_id, max(v.version) AS version
         FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id
        WHERE v.item_id = $1 AND d.kind = 'recall' AND d.state <> 'cancelled'
        GROUP BY d.channel_id
     )
     SELECT r.channel_id, c.organisation_id, c.contact_id, r.version
       FROM reached r
       JOIN channels c ON c.id = r.channel_id
       LEFT JOIN recalled x ON x.channel_id = r.channel_id
      WHERE x.version IS NULL OR x.version < r.version
      ORDER BY r.channel_id`,
      [itemId, channelIds ?? null],
    );
  return rows.map((row) => ({
    channelId: row.channel_id,
    organisationId: row.organisation_id,
    contactId: row.contact_id,
    version: Number(row.version),
  }));
}

/**
 * Queues one recall delivery per target, attached to `itemVersionId` (the version that narrowed
 * the audience, or the item's latest on retraction). A repeat adds nothing. Returns the new ids.
 */
export async function queueRecalls(
  manager: EntityManager,
  itemVersionId: string,
  targets: readonly RecallTarget[],
  reason: string | ReadonlyMap<string, string>,
  decisionIds?: ReadonlyMap<string, string>,
): Promise<string[]> {
  if (targets.length === 0) return [];
  const reasonOf = (channelId: string) => (typeof reason === 'string' ? reason : (reason.get(channelId) ?? 'recalled'));
  const rows: { id: string }[] = await manager.query(
    `INSERT INTO deliveries (kind, decision_id, item_version_id, channel_id, organisation_id, contact_id, state, attempts, reason, updated_at)
     SELECT 'recall', t.decision_id, $1, t.channel_id, t.organisation_id, t.contact_id, 'queued', 0, t.reason, now()
       FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[]) AS t(channel_id, organisation_id, contact_id, decision_id, reason)
     ON CONFLICT (item_version_id, channel_id, kind) DO NOTHING
     RETURNING id`,
    [
      itemVersionId,
      targets.map((t) => t.channelId),
      targets.map((t) => t.organisationId),
      targets.map((t) => t.contactId),
      targets.map((t) => decisionIds?.get(t.channelId) ?? null),
      targets.map((t) => reasonOf(t.channelId)),
    ],
  );
  return rows.map((row) => row.id);
}

/** Takes the item's versions out of partners' pull feeds (all channels, or only `channelIds`). */
export async function removeFromFeeds(
  manager: EntityManager,
  itemId: string,
  channelIds?: readonly string[],
): Promise<number> {
  const [rows]: [unknown[], number] = await manager.query(
    `DELETE FROM feed_entries WHERE item_id = $1 AND entry = 'item' AND ($2::uuid[] IS NULL OR channel_id = ANY($2::uuid[])) RETURNING seq`,
    [itemId, channelIds ?? null],
  );
  return rows.length;
}
