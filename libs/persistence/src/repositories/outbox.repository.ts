import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, Not } from 'typeorm';
import type { ItemKind } from '@tlp-broker/domain';
import { currentCorrelationId } from '@tlp-broker/observability';
import { OutboxEntity, OutboxTopic } from '../entities';

/** An outbox row the relay hands to the routing queue. */
export interface DueOutboxRow {
  readonly id: string;
  readonly jobKey: string;
  readonly itemVersionId: string;
  readonly itemKind: ItemKind;
  /** Handed to the queue before: its job may have been lost, or have ended without the row being processed. */
  readonly handed: boolean;
  /** The correlation id of the request that wrote the row, when it was written in one: its work logs under it. */
  readonly correlationId?: string;
}

interface DueRow {
  id: string;
  job_key: string;
  item_version_id: string;
  kind: ItemKind;
  handed: boolean;
  correlation_id: string | null;
}

/**
 * The outbox: released item versions and retractions waiting for the dispatcher (outbox).
 * Every query on these tables is a named method here; a method that must take part in a
 * caller's transaction takes its `tx` as last argument (default: outside any transaction).
 */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's transaction, or the pool outside any. */
  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  /**
   * Asks the dispatcher to route a released version, not before `notBefore` (its embargo) when
   * given. The row keeps the correlation id of the request it is written in.
   */
  async queueRelease(itemVersionId: string, notBefore: Date | null, tx?: EntityManager): Promise<void> {
    await this.db(tx)
      .getRepository(OutboxEntity)
      .insert({
        topic: OutboxTopic.Published,
        itemVersionId,
        notBefore,
        correlationId: currentCorrelationId() ?? null,
      });
  }

  /**
   * Asks the dispatcher to send the recall notices a retraction queued against `itemVersionId`;
   * the row keeps the correlation id of the request it is written in.
   */
  async queueRetraction(itemVersionId: string, tx?: EntityManager): Promise<void> {
    await this.db(tx)
      .getRepository(OutboxEntity)
      .insert({
        topic: OutboxTopic.Retracted,
        itemVersionId,
        notBefore: null,
        correlationId: currentCorrelationId() ?? null,
      });
  }

  /** Whether the version's release was routed (its decisions are all stored). */
  isRouted(itemVersionId: string, tx?: EntityManager): Promise<boolean> {
    return this.db(tx)
      .getRepository(OutboxEntity)
      .exists({ where: { itemVersionId, topic: OutboxTopic.Published, processedAt: Not(IsNull()) } });
  }

  /** The row a routing job names by its job key, or null. */
  findByJobKey(jobKey: string, tx?: EntityManager): Promise<OutboxEntity | null> {
    return this.db(tx).getRepository(OutboxEntity).findOne({ where: { jobKey } });
  }

  /**
   * The version's release row, locked until `tx` ends (FOR UPDATE): concurrent routings of one
   * version wait here, and the second finds it processed. Null when the version has none.
   */
  async lockRelease(
    itemVersionId: string,
    tx?: EntityManager,
  ): Promise<{ id: string; processedAt: Date | null } | null> {
    const rows: { id: string; processed_at: Date | null }[] = await this.db(tx).query(
      'SELECT id, processed_at FROM outbox WHERE item_version_id = $1 AND topic = $2 FOR UPDATE',
      [itemVersionId, OutboxTopic.Published],
    );
    return rows.length === 0 ? null : { id: rows[0].id, processedAt: rows[0].processed_at };
  }

  /** The row's work is done; a repeat keeps the first time. */
  async markProcessed(id: string, tx?: EntityManager): Promise<void> {
    await this.db(tx).query('UPDATE outbox SET processed_at = now() WHERE id = $1 AND processed_at IS NULL', [id]);
  }

  /**
   * Rows for the relay, oldest first, at most `limit`, locked until `tx` ends (other relays skip
   * them): not processed, due (no embargo, or its time has come by the database's clock), and
   * either never handed to the queue or handed over `reconcileAfterMs` ago.
   */
  async lockDue(reconcileAfterMs: number, limit: number, tx?: EntityManager): Promise<DueOutboxRow[]> {
    const rows: DueRow[] = await this.db(tx).query(
      `SELECT o.id, o.job_key, o.item_version_id, i.kind, o.enqueued_at IS NOT NULL AS handed, o.correlation_id
         FROM outbox o
         JOIN item_versions v ON v.id = o.item_version_id
         JOIN items i ON i.id = v.item_id
        WHERE o.processed_at IS NULL
          AND (o.not_before IS NULL OR o.not_before <= now())
          AND (o.enqueued_at IS NULL OR o.enqueued_at < now() - make_interval(secs => $1::double precision / 1000))
        ORDER BY o.id
        LIMIT $2
        FOR UPDATE OF o SKIP LOCKED`,
      [reconcileAfterMs, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      jobKey: row.job_key,
      itemVersionId: row.item_version_id,
      itemKind: row.kind,
      handed: row.handed,
      ...(row.correlation_id === null ? {} : { correlationId: row.correlation_id }),
    }));
  }

  /** The rows were handed to the routing queue now. */
  async markEnqueued(ids: readonly string[], tx?: EntityManager): Promise<void> {
    await this.db(tx).query('UPDATE outbox SET enqueued_at = now() WHERE id = ANY($1::bigint[])', [ids]);
  }
}
