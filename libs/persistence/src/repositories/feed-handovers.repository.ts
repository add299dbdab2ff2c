import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { OPEN_DELIVERY_STATES, type ItemKind } from '@tlp-broker/domain';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import { DeliveryEntity } from '../entities';

const OPEN_STATES = [...OPEN_DELIVERY_STATES];

/** Item deliveries of one version to pull feeds, handed over together. */
export interface FeedHandover {
  readonly itemId: string;
  readonly itemVersion: number;
  readonly kind: ItemKind;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly deliveredAt: Date;
  readonly entries: readonly FeedHandoverEntry[];
}

export interface FeedHandoverEntry {
  readonly deliveryId: string;
  readonly channelId: string;
  readonly handling: string | null;
  /** The key the message is encrypted to; null when it goes signed only. */
  readonly keyFingerprint: string | null;
  readonly message: string;
}

/**
 * A fan-out's deliveries to pull feeds, carried out together: one statement marks every open
 * delivery of the batch delivered and writes its entry in its channel's feed (with the channel's
 * feed clock, as a single delivery does), one statement closes those the rules stopped. A delivery
 * another worker closed first is left as it is, and gets no entry.
 */
@Injectable()
export class FeedHandoverRepository {
  constructor(private readonly dataSource: DataSource) {}

  findByIds(ids: readonly string[], tx?: EntityManager): Promise<DeliveryEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return (tx ?? this.dataSource.manager).getRepository(DeliveryEntity).findBy({ id: In([...ids]) });
  }

  /** Marks the open deliveries delivered and writes their feed entries; returns the ids it carried. */
  async handOver(handover: FeedHandover, tx: EntityManager): Promise<string[]> {
    const { entries } = handover;
    if (entries.length === 0) return [];
    const rows: { delivery_id: string }[] = await tx.query(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[])
           AS t(delivery_id, channel_id, handling, key_fingerprint, message)
       ), carried AS (
         UPDATE deliveries d
            SET state = 'delivered', attempts = d.attempts + 1, delivered_at = $6, updated_at = now(),
                handed_at = coalesce(d.handed_at, now()), last_error = NULL, message_id = NULL,
                key_fingerprint = input.key_fingerprint
           FROM input
          WHERE d.id = input.delivery_id AND d.channel_id = input.channel_id AND d.state = ANY($7::text[])
         RETURNING d.id, d.channel_id
       ), width AS (
         SELECT (2 + coalesce(sum(jsonb_array_length(indicators)), 0)) * interval '1 microsecond' AS room
           FROM item_versions WHERE item_id = $8
       ), clock AS (
         -- Clocks taken in channel order: two batches of different items to the same feeds never deadlock.
         INSERT INTO feed_clocks AS c (channel_id, added_until)
         SELECT carried.channel_id, clock_timestamp() + width.room FROM carried, width ORDER BY carried.channel_id
         ON CONFLICT (channel_id) DO UPDATE SET added_until = greatest(clock_timestamp(), c.added_until) + (SELECT room FROM width)
         RETURNING channel_id, added_until
       )
       INSERT INTO feed_entries (delivery_id, channel_id, item_id, item_version, entry, kind, tlp, pap, handling, key_fingerprint, message, added_at)
       SELECT input.delivery_id, input.channel_id, $8, $9, 'item', $10, $11, $12, input.handling,
              coalesce(input.key_fingerprint, ''), input.message, clock.added_until - width.room
         FROM carried
         JOIN input ON input.delivery_id = carried.id
         JOIN clock ON clock.channel_id = carried.channel_id
         CROSS JOIN width
       ON CONFLICT (delivery_id) DO NOTHING
       RETURNING delivery_id`,
      [
        entries.map((entry) => entry.deliveryId),
        entries.map((entry) => entry.channelId),
        entries.map((entry) => entry.handling),
        entries.map((entry) => entry.keyFingerprint),
        entries.map((entry) => entry.message),
        handover.deliveredAt,
        OPEN_STATES,
        handover.itemId,
        handover.itemVersion,
        handover.kind,
        handover.tlp,
        handover.pap,
      ],
    );
    return rows.map((row) => row.delivery_id);
  }

  /** Closes the open deliveries as cancelled, each with its reason; returns the ids it closed. */
  async cancel(reasons: ReadonlyMap<string, string>, tx: EntityManager): Promise<string[]> {
    if (reasons.size === 0) return [];
    const [rows]: [{ id: string }[], number] = await tx.query(
      `UPDATE deliveries d SET state = 'cancelled', last_error = t.reason, updated_at = now()
         FROM unnest($1::uuid[], $2::text[]) AS t(id, reason)
        WHERE d.id = t.id AND d.state = ANY($3::text[])
       RETURNING d.id`,
      [[...reasons.keys()], [...reasons.values()], OPEN_STATES],
    );
    return rows.map((row) => row.id);
  }
}
