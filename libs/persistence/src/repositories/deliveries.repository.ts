import { Injectable } from '@nestjs/common';
import type { DeliveryKind, DeliveryState } from '@tlp-broker/domain';
import type { TlpLabel } from '@tlp-broker/tlp';
import {
  DeliveryOverview,
  DeliveryOverviewFilter,
  OVERVIEW_SELECT,
  OverviewRow,
  SERVED_SELECT,
  ServedDelivery,
  ServedRow,
  toOverview,
  toServed,
} from './delivery-reads';
import { DataSource, EntityManager, In } from 'typeorm';
import {
  CANCELLABLE_DELIVERY_STATES,
  HANDED_OVER_DELIVERY_STATES,
  ItemKind,
  OPEN_DELIVERY_STATES,
} from '@tlp-broker/domain';
import { DeliveryEntity } from '../entities';

const OPEN_STATES = [...OPEN_DELIVERY_STATES];
const INSERT_CHUNK = 1_000;
const ITEM: DeliveryKind = 'item';
const RECALL: DeliveryKind = 'recall';
const QUEUED: DeliveryState = 'queued';
const CANCELLED: DeliveryState = 'cancelled';
const RECALLED: DeliveryState = 'recalled';

/** A delivery to put on the delivery queue: its id, and its item's kind (the job's priority). */
export interface DeliveryToQueue {
  readonly id: string;
  readonly itemKind: ItemKind;
  /** An item delivery to a pull feed: it may be carried in a batch with the rest of its fan-out. */
  readonly toFeed?: boolean;
}

/** An item delivery for an allowed decision, queued as routing creates it. */
export type NewItemDelivery = Pick<
  DeliveryEntity,
  'decisionId' | 'itemVersionId' | 'channelId' | 'organisationId' | 'contactId' | 'keyFingerprint' | 'updatedAt'
>;

/** How a delivery reached its channel: `sent` (accepted by the mail server) or `delivered`. */
export interface HandedOver {
  readonly state: (typeof HANDED_OVER_DELIVERY_STATES)[number];
  readonly deliveredAt: Date;
  readonly messageId: string | null;
  /** The key the message was encrypted to; null when it went signed only. */
  readonly keyFingerprint: string | null;
}

/** A version of an item a channel was handed, with the label it had. */
export interface VersionHanded {
  readonly version: number;
  readonly tlp: TlpLabel;
}

/** A channel that holds (or may hold) a copy of the item it has not been told to withdraw. */
export interface RecallTarget {
  readonly channelId: string;
  readonly organisationId: string;
  readonly contactId: string | null;
  /** The highest version the channel was sent. */
  readonly version: number;
}

/** Recall notices to queue, attached to `itemVersionId` (the version that narrowed the audience, or the item's latest on retraction). */
export interface RecallRequest {
  readonly itemVersionId: string;
  readonly targets: readonly RecallTarget[];
  /** One reason for all, or one per channel id. */
  readonly reason: string | ReadonlyMap<string, string>;
  /** The deny decision behind each channel's recall, by channel id. */
  readonly decisionIds?: ReadonlyMap<string, string>;
}

/**
 * Deliveries and recall notices, and their state transitions (deliveries).
 * Every query on these tables is a named method here; a method that must take part in a
 * caller's transaction takes its `tx` as last argument (default: outside any transaction).
 *
 * What updates and retractions do to deliveries (cancelPending, channelsToRecall, queueRecalls)
 * runs in the caller's transaction, which holds the item's row lock (FOR UPDATE to change the
 * item, FOR SHARE to finish a delivery): the two cannot interleave, so a delivery that reaches a
 * recipient just as the item is retracted or narrowed is either seen there or sees the change itself.
 */
@Injectable()
export class DeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's transaction, or the pool outside any. */
  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  findById(id: string, tx?: EntityManager): Promise<DeliveryEntity | null> {
    return this.db(tx).getRepository(DeliveryEntity).findOne({ where: { id } });
  }

  /**
   * Queues item deliveries, in chunks (a fan-out to thousands of channels is one statement of
   * arrays per thousand). Reminders' ids are returned, for the escalation to enqueue them; a
   * routing fan-out's are not read back (they are enqueued by version).
   */
  async queueItemDeliveries(
    deliveries: readonly NewItemDelivery[],
    tx?: EntityManager,
    kind: 'item' | 'reminder' = 'item',
  ): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) {
      const chunk = deliveries.slice(i, i + INSERT_CHUNK);
      const column = <K extends keyof NewItemDelivery>(key: K) => chunk.map((delivery) => delivery[key]);
      await this.db(tx)
        .query(
          `INSERT INTO deliveries (decision_id, item_version_id, channel_id, organisation_id, contact_id, key_fingerprint, updated_at, kind, state, attempts)
         SELECT t.*, $8, $9, 0
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::timestamptz[]) AS t
         ${kind === 'reminder' ? 'RETURNING id' : ''}`,
          [
            column('decisionId'),
            column('itemVersionId'),
            column('channelId'),
            column('organisationId'),
            column('contactId'),
            column('keyFingerprint'),
            column('updatedAt'),
            kind,
            QUEUED,
          ],
        )
        .then((rows: { id: string }[] | undefined) => ids.push(...(rows ?? []).map((row) => row.id)));
    }
    return ids;
  }

  /** The version's deliveries still `queued`, with their item's kind and whether each is an item delivery to a feed. */
  async queuedOf(itemVersionId: string, tx?: EntityManager): Promise<DeliveryToQueue[]> {
    const rows: { id: string; kind: ItemKind; to_feed: boolean }[] = await this.db(tx).query(
      `SELECT d.id, i.kind, (d.kind = $3 AND c.kind = 'feed') AS to_feed FROM deliveries d
         JOIN item_versions v ON v.id = d.item_version_id
         JOIN items i ON i.id = v.item_id
         JOIN channels c ON c.id = d.channel_id
        WHERE d.item_version_id = $1 AND d.state = $2
        ORDER BY d.id`,
      [itemVersionId, QUEUED, ITEM],
    );
    return rows.map((row) => ({ id: row.id, itemKind: row.kind, toFeed: row.to_feed }));
  }

  /** Open deliveries not changed for `olderThanMs` (by the database's clock), the longest unchanged first. */
  async openOlderThan(olderThanMs: number, limit: number, tx?: EntityManager): Promise<DeliveryToQueue[]> {
    const rows: { id: string; kind: ItemKind }[] = await this.db(tx).query(
      `SELECT d.id, i.kind FROM deliveries d
         JOIN item_versions v ON v.id = d.item_version_id
         JOIN items i ON i.id = v.item_id
        WHERE d.state = ANY($2::text[])
          AND d.updated_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY d.updated_at
        LIMIT $3`,
      [olderThanMs, OPEN_STATES, limit],
    );
    return rows.map((row) => ({ id: row.id, itemKind: row.kind }));
  }

  /**
   * Marks an open delivery as handed to its channel (the first hand-over time is kept): from here
   * its message may have left. False when it is no longer open.
   */
  async markSending(id: string, tx?: EntityManager): Promise<boolean> {
    const result = await this.db(tx)
      .getRepository(DeliveryEntity)
      .update(
        { id, state: In(OPEN_STATES) },
        { state: 'sending', handedAt: () => 'coalesce(handed_at, now())', updatedAt: new Date() },
      );
    return result.affected !== 0;
  }

  /** Records an open delivery's arrival, counting the attempt. False when another worker closed it first. */
  async markHandedOver(id: string, outcome: HandedOver, tx?: EntityManager): Promise<boolean> {
    const result = await this.db(tx)
      .getRepository(DeliveryEntity)
      .update(
        { id, state: In(OPEN_STATES) },
        {
          state: outcome.state,
          attempts: () => 'attempts + 1',
          deliveredAt: outcome.deliveredAt,
          updatedAt: new Date(),
          lastError: null,
          messageId: outcome.messageId,
          keyFingerprint: outcome.keyFingerprint,
        },
      );
    return result.affected !== 0;
  }

  /** A failed attempt of an open delivery, to be retried. False when it is no longer open. */
  async markFailed(id: string, error: string, tx?: EntityManager): Promise<boolean> {
    const result = await this.db(tx)
      .getRepository(DeliveryEntity)
      .update(
        { id, state: In(OPEN_STATES) },
        { state: 'failed', attempts: () => 'attempts + 1', lastError: error, updatedAt: new Date() },
      );
    return result.affected !== 0;
  }

  /** Ends an open delivery as `cancelled` or `dead`, with the reason. False when it is no longer open. */
  async close(id: string, state: 'cancelled' | 'dead', reason: string, tx?: EntityManager): Promise<boolean> {
    const result = await this.db(tx)
      .getRepository(DeliveryEntity)
      .update({ id, state: In(OPEN_STATES) }, { state, lastError: reason, updatedAt: new Date() });
    return result.affected !== 0;
  }

  /** The versions of the item the channel was handed (whatever became of them), oldest first. */
  async versionsHandedTo(itemId: string, channelId: string, tx?: EntityManager): Promise<VersionHanded[]> {
    const rows: { version: number; tlp: TlpLabel }[] = await this.db(tx).query(
      `SELECT DISTINCT v.version, v.tlp FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id
        WHERE v.item_id = $1 AND d.channel_id = $2 AND d.kind = $3 AND d.handed_at IS NOT NULL
        ORDER BY v.version`,
      [itemId, channelId, ITEM],
    );
    return rows.map((row) => ({ version: Number(row.version), tlp: row.tlp }));
  }

  /** Once a recall notice reached the channel: the item deliveries it had received read `recalled`. */
  async markRecalled(itemId: string, channelId: string, tx?: EntityManager): Promise<number> {
    const [, count]: [unknown[], number] = await this.db(tx).query(
      `UPDATE deliveries d SET state = $3, updated_at = now()
         FROM item_versions v
        WHERE v.id = d.item_version_id AND v.item_id = $1 AND d.channel_id = $2
          AND d.kind = $4 AND d.state = ANY($5::text[])`,
      [itemId, channelId, RECALLED, ITEM, [...HANDED_OVER_DELIVERY_STATES]],
    );
    return count;
  }

  /**
   * Cancels item deliveries of the item not yet handed to a channel (`queued`, `failed`), of
   * versions before `beforeVersion` when given, else of every version; optionally only on some
   * channels. Deliveries in `sending` are left to finish: their message may already have left.
   * Returns the ids cancelled.
   */
  async cancelPending(
    itemId: string,
    reason: string,
    options: { beforeVersion?: number; channelIds?: readonly string[] } = {},
    tx?: EntityManager,
  ): Promise<string[]> {
    // TypeORM returns [rows, count] for UPDATE and DELETE.
    const [rows]: [{ id: string }[], number] = await this.db(tx).query(
      `UPDATE deliveries d SET state = $6, last_error = $2, updated_at = now()
         FROM item_versions v
        WHERE v.id = d.item_version_id AND v.item_id = $1 AND d.kind = $7
          AND d.state = ANY($3::text[])
          AND ($4::int IS NULL OR v.version < $4)
          AND ($5::uuid[] IS NULL OR d.channel_id = ANY($5::uuid[]))
        RETURNING d.id`,
      [
        itemId,
        reason,
        [...CANCELLABLE_DELIVERY_STATES],
        options.beforeVersion ?? null,
        options.channelIds ?? null,
        CANCELLED,
        ITEM,
      ],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Channels that were handed a version of the item (so may hold it, whatever the outcome of that
   * delivery) and have had no recall since the latest version they were handed; optionally only
   * among `channelIds`. By channel id.
   */
  async channelsToRecall(itemId: string, channelIds?: readonly string[], tx?: EntityManager): Promise<RecallTarget[]> {
    const rows: { channel_id: string; organisation_id: string; contact_id: string | null; version: number }[] =
      await this.db(tx).query(
        `WITH reached AS (
           SELECT d.channel_id, max(v.version) AS version
             FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id
            WHERE v.item_id = $1 AND d.kind IN ($3, 'reminder') AND d.handed_at IS NOT NULL
              AND ($2::uuid[] IS NULL OR d.channel_id = ANY($2::uuid[]))
            GROUP BY d.channel_id
         ), recalled AS (
           SELECT d.channel_id, max(v.version) AS version
             FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id
            WHERE v.item_id = $1 AND d.kind = $4 AND d.state <> $5
            GROUP BY d.channel_id
         )
         SELECT r.channel_id, c.organisation_id, c.contact_id, r.version
           FROM reached r
           JOIN channels c ON c.id = r.channel_id
           LEFT JOIN recalled x ON x.channel_id = r.channel_id
          WHERE (x.version IS NULL OR x.version < r.version)
            -- A page carried no content: there is nothing to withdraw from a paging hook.
            AND c.kind <> 'pager'
          ORDER BY r.channel_id`,
        [itemId, channelIds ?? null, ITEM, RECALL, CANCELLED],
      );
    return rows.map((row) => ({
      channelId: row.channel_id,
      organisationId: row.organisation_id,
      contactId: row.contact_id,
      version: Number(row.version),
    }));
  }

  /** Queues one recall delivery per target. A repeat adds nothing. Returns the new ids. */
  async queueRecalls(request: RecallRequest, tx?: EntityManager): Promise<string[]> {
    const { itemVersionId, targets, reason, decisionIds } = request;
    if (targets.length === 0) return [];
    const reasonOf = (channelId: string) =>
      typeof reason === 'string' ? reason : (reason.get(channelId) ?? 'recalled');
    const rows: { id: string }[] = await this.db(tx).query(
      `INSERT INTO deliveries (kind, decision_id, item_version_id, channel_id, organisation_id, contact_id, state, attempts, reason, updated_at)
       SELECT $7, t.decision_id, $1, t.channel_id, t.organisation_id, t.contact_id, $8, 0, t.reason, now()
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
        RECALL,
        QUEUED,
      ],
    );
    return rows.map((row) => row.id);
  }

  /** The item deliveries (not recalls) carrying out these decisions. */
  itemDeliveriesOfDecisions(decisionIds: readonly string[], tx?: EntityManager): Promise<DeliveryEntity[]> {
    if (decisionIds.length === 0) return Promise.resolve([]);
    return this.db(tx)
      .getRepository(DeliveryEntity)
      .find({ where: { decisionId: In([...decisionIds]), kind: In([ITEM, 'reminder']) } });
  }

  /** Deliveries, most recently changed first, filtered by state, item and kind when given. */
  async overviews(filter: DeliveryOverviewFilter, limit: number, tx?: EntityManager): Promise<DeliveryOverview[]> {
    const rows: OverviewRow[] = await this.db(tx).query(
      `${OVERVIEW_SELECT}
        WHERE ($1::text IS NULL OR d.state = $1) AND ($3::uuid IS NULL OR i.id = $3) AND ($4::text IS NULL OR d.kind = $4)
        ORDER BY d.updated_at DESC LIMIT $2`,
      [filter.state ?? null, limit, filter.itemId ?? null, filter.kind ?? null],
    );
    return rows.map(toOverview);
  }

  async overview(id: string, tx?: EntityManager): Promise<DeliveryOverview | null> {
    const [row]: OverviewRow[] = await this.db(tx).query(`${OVERVIEW_SELECT} WHERE d.id = $1`, [id]);
    return row ? toOverview(row) : null;
  }

  /** A dead delivery queued again; false when it is not (or no longer) dead. */
  async requeueDead(id: string, tx?: EntityManager): Promise<boolean> {
    const result = await this.db(tx)
      .getRepository(DeliveryEntity)
      .update({ id, state: 'dead' }, { state: 'queued', updatedAt: () => 'now()' });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Every step the channel was handed of these items: item versions delivered to it (recalled
   * since or not) and recall notices that reached its feed, in no particular order.
   */
  async servedToChannel(channelId: string, itemIds: readonly string[], tx?: EntityManager): Promise<ServedDelivery[]> {
    if (itemIds.length === 0) return [];
    const handed: DeliveryState[] = ['delivered', 'recalled'];
    const rows: ServedRow[] = await this.db(tx).query(SERVED_SELECT, [
      channelId,
      itemIds,
      'recall' satisfies DeliveryKind,
      'item' satisfies DeliveryKind,
      'TLP:CLEAR' satisfies TlpLabel,
      handed,
    ]);
    return rows.map(toServed);
  }
}
