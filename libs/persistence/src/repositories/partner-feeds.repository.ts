import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { PartnerFeedEntity } from '../entities';

/** A partner feed as an administrator configures it, before its id, schedule and cursor. */
export type NewPartnerFeed = Pick<
  PartnerFeedEntity,
  'organisationId' | 'kind' | 'name' | 'url' | 'authorizationHeader' | 'intervalSeconds'
>;

/** What an administrator may change; a new URL starts again with an empty cursor. */
export type PartnerFeedChanges = Partial<
  Pick<PartnerFeedEntity, 'name' | 'url' | 'authorizationHeader' | 'intervalSeconds' | 'status' | 'cursor'>
>;

/** A TAXII feed's cursor: the last `X-TAXII-Date-Added-Last` whose objects were all recorded. */
export interface TaxiiFeedCursor {
  readonly addedAfter?: string;
}

/** A MISP feed's cursor: for each event taken, the timestamp of the version taken last. */
export interface MispFeedCursor {
  readonly events?: Readonly<Record<string, number>>;
}

/**
 * One dispatcher's hold on a feed: the feed as it was claimed and the lease's end, exactly as
 * PostgreSQL wrote it (text, to the microsecond), which every later write of that poll names so
 * that a poll whose lease ran out and was taken over writes nothing more.
 */
export interface FeedClaim {
  readonly feed: PartnerFeedEntity;
  readonly lease: string;
}

/** What a feed brought in: submissions taken, and those recorded as refused (undecryptable, a bad signature). */
export interface FeedIntakeCount {
  readonly taken: number;
  readonly rejected: number;
}

/**
 * Partners' own feeds the dispatcher polls (TAXII 2.1 collections, MISP feeds), with their
 * schedule, lease and cursor. Every query on this table is a named method here; a method that
 * must take part in a caller's transaction takes its `tx` as last argument.
 */
@Injectable()
export class PartnerFeedRepository {
  constructor(private readonly dataSource: DataSource) {}

  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  async insert(feed: NewPartnerFeed, tx?: EntityManager): Promise<PartnerFeedEntity> {
    const repository = this.db(tx).getRepository(PartnerFeedEntity);
    return repository.save(repository.create({ ...feed, status: 'active', cursor: {} }));
  }

  byId(id: string, tx?: EntityManager): Promise<PartnerFeedEntity | null> {
    return this.db(tx).getRepository(PartnerFeedEntity).findOne({ where: { id } });
  }

  /** Every feed, oldest first. */
  list(tx?: EntityManager): Promise<PartnerFeedEntity[]> {
    return this.db(tx)
      .getRepository(PartnerFeedEntity)
      .find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The feed, locked until the caller's transaction ends (administrators' changes run one at a time). */
  lockById(id: string, tx: EntityManager): Promise<PartnerFeedEntity | null> {
    return tx
      .getRepository(PartnerFeedEntity)
      .createQueryBuilder('feed')
      .setLock('pessimistic_write')
      .where('feed.id = :id', { id })
      .getOne();
  }

  /**
   * Applies an administrator's changes. A new URL is another collection: its cursor starts empty
   * and it is due at once. A new interval counts from the last poll (a feed never polled keeps its
   * time).
   */
  async update(id: string, changes: PartnerFeedChanges, tx: EntityManager): Promise<void> {
    const moved = changes.url !== undefined;
    const values = moved ? { ...changes, cursor: {}, nextPollAt: () => 'now()' } : changes;
    if (Object.keys(values).length > 0)
      await tx.getRepository(PartnerFeedEntity).update({ id }, values as QueryDeepPartialEntity<PartnerFeedEntity>);
    if (changes.intervalSeconds !== undefined && !moved) {
      await tx.query(
        `UPDATE partner_feeds
            SET next_poll_at = CASE WHEN last_polled_at IS NULL THEN next_poll_at
                                    ELSE last_polled_at + make_interval(secs => interval_seconds) END
          WHERE id = $1`,
        [id],
      );
    }
  }

  /** "Poll now": due at once (a poll under way finishes first). */
  async pollNow(id: string, tx?: EntityManager): Promise<void> {
    await this.db(tx).query('UPDATE partner_feeds SET next_poll_at = now() WHERE id = $1', [id]);
  }

  /**
   * Claims up to `limit` active feeds of active partners that are due and held by no dispatcher,
   * for `leaseMs`: each is marked polled now and due again one interval later (its cadence holds
   * whatever the poll comes to). Rows another dispatcher is claiming at this instant are skipped,
   * not waited for, so two dispatchers never poll one feed at once.
   */
  async claimDue(limit: number, leaseMs: number): Promise<FeedClaim[]> {
    const [rows]: [{ id: string; lease: string }[], number] = await this.db().query(
      `UPDATE partner_feeds f
          SET last_polled_at = now(),
              next_poll_at = now() + make_interval(secs => f.interval_seconds),
              claimed_until = now() + make_interval(secs => $2::double precision / 1000)
        WHERE f.id IN (SELECT due.id FROM partner_feeds due
                         JOIN organisations o ON o.id = due.organisation_id AND o.status = 'active'
                        WHERE due.status = 'active' AND due.next_poll_at <= now()
                          AND (due.claimed_until IS NULL OR due.claimed_until <= now())
                        ORDER BY due.next_poll_at
                        LIMIT $1
                        FOR UPDATE OF due SKIP LOCKED)
        RETURNING f.id, f.claimed_until::text AS lease`,
      [limit, leaseMs],
    );
    if (rows.length === 0) return [];
    const feeds = await this.db()
      .getRepository(PartnerFeedEntity)
      .createQueryBuilder('feed')
      .where('feed.id IN (:...ids)', { ids: rows.map((row) => row.id) })
      .getMany();
    const byId = new Map(feeds.map((feed) => [feed.id, feed]));
    return rows.flatMap((row) => (byId.has(row.id) ? [{ feed: byId.get(row.id)!, lease: row.lease }] : []));
  }

  /**
   * Keeps the cursor reached, while the claim still holds and the feed still has the URL polled.
   * False when either changed (the lease ran out, an administrator pointed the feed elsewhere): the
   * poll stops there.
   */
  async saveCursor(claim: FeedClaim, cursor: Record<string, unknown>): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.db().query(
      `UPDATE partner_feeds SET cursor = $3::jsonb
        WHERE id = $1 AND claimed_until = $2::timestamptz AND url = $4`,
      [claim.feed.id, claim.lease, JSON.stringify(cursor), claim.feed.url],
    );
    return affected > 0;
  }

  /**
   * A MISP feed's cursor for one event (the version taken), written alone: a feed's cursor holds
   * every event it ever served, and is not sent back whole after each one. Same conditions as
   * saveCursor.
   */
  async saveEventCursor(claim: FeedClaim, uuid: string, timestamp: number): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.db().query(
      `UPDATE partner_feeds
          SET cursor = jsonb_set(jsonb_set(cursor, '{events}', coalesce(cursor->'events', '{}'::jsonb)),
                                 ARRAY['events', $3::text], to_jsonb($4::bigint))
        WHERE id = $1 AND claimed_until = $2::timestamptz AND url = $5`,
      [claim.feed.id, claim.lease, uuid, timestamp, claim.feed.url],
    );
    return affected > 0;
  }

  /** Ends the claim with the poll's outcome: the error it met, or null. */
  async release(claim: FeedClaim, lastError: string | null): Promise<void> {
    await this.db().query(
      'UPDATE partner_feeds SET claimed_until = NULL, last_error = $3 WHERE id = $1 AND claimed_until = $2::timestamptz',
      [claim.feed.id, claim.lease, lastError],
    );
  }

  /** Submissions each feed brought in, by feed id (feeds that brought none are left out). */
  async intakeCounts(ids: readonly string[], tx?: EntityManager): Promise<Map<string, FeedIntakeCount>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; taken: string; rejected: string }[] = await this.db(tx).query(
      `SELECT partner_feed_id AS id,
              count(*) FILTER (WHERE status <> 'rejected') AS taken,
              count(*) FILTER (WHERE status = 'rejected') AS rejected
         FROM submissions
        WHERE partner_feed_id = ANY($1::uuid[])
        GROUP BY partner_feed_id`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, { taken: Number(row.taken), rejected: Number(row.rejected) }]));
  }
}
