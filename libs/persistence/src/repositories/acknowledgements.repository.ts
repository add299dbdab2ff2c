import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { AcknowledgementWay } from '@tlp-broker/domain';
import { AcknowledgementRequestEntity, DutyOfficerNoticeEntity } from '../entities';

export type NewAcknowledgementRequest = Pick<
  AcknowledgementRequestEntity,
  'itemId' | 'organisationId' | 'itemVersionId' | 'requestedAt' | 'escalateAt' | 'dutyOfficerAt'
>;

/** Who acknowledged, when and how. */
export interface Acknowledging {
  readonly at: Date;
  readonly by: string;
  readonly contactId: string | null;
  readonly via: AcknowledgementWay;
  readonly deliveryId: string | null;
}

/** A request as the team reads it: with the organisation, and when the item first reached it. */
export interface AcknowledgementRow {
  readonly request: AcknowledgementRequestEntity;
  readonly organisation: string;
  /** When the first copy of the item reached one of its channels (null: none yet). */
  readonly deliveredAt: Date | null;
}

interface NoticeRow {
  id: string;
  organisation: string | null;
  kind: string | null;
  tlp: string | null;
  severity: string | null;
  reference: string | null;
  report_kind: string | null;
  urgency: string | null;
  received_at: Date | null;
}

/** What the team's duty officer is told, without content: an item unacknowledged, or an urgent report in. */
export type DutyOfficerNoticeToSend =
  | {
      readonly kind: 'unacknowledged';
      readonly notice: DutyOfficerNoticeEntity;
      readonly request: AcknowledgementRequestEntity;
      readonly organisation: string;
      readonly itemKind: string;
      readonly tlp: string;
      readonly severity: string | null;
    }
  | {
      readonly kind: 'urgent-report';
      readonly notice: DutyOfficerNoticeEntity;
      readonly reference: string;
      readonly organisation: string | null;
      readonly reportKind: string | null;
      readonly urgency: string | null;
      readonly receivedAt: Date;
    };

/**
 * Requests for acknowledgement of urgent items, one per item and organisation
 * (acknowledgement_requests), and the notices to the team's duty officer (duty_officer_notices).
 */
@Injectable()
export class AcknowledgementRepository {
  constructor(private readonly dataSource: DataSource) {}

  private db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  /** Asks each organisation once per item: a later version keeps the request (and its deadlines) it had. */
  async request(requests: readonly NewAcknowledgementRequest[], tx: EntityManager): Promise<number> {
    if (requests.length === 0) return 0;
    const column = <K extends keyof NewAcknowledgementRequest>(key: K) => requests.map((request) => request[key]);
    const rows: unknown[] = await tx.query(
      `INSERT INTO acknowledgement_requests (item_id, organisation_id, item_version_id, requested_at, escalate_at, duty_officer_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[])
       ON CONFLICT (item_id, organisation_id) DO NOTHING
       RETURNING id`,
      [
        column('itemId'),
        column('organisationId'),
        column('itemVersionId'),
        column('requestedAt'),
        column('escalateAt'),
        column('dutyOfficerAt'),
      ],
    );
    return rows.length;
  }

  /** The organisation's requests not yet acknowledged, of the items among `itemIds`, or whose id starts with one of `prefixes`. */
  async openOf(
    organisationId: string,
    itemIds: readonly string[],
    prefixes: readonly string[],
  ): Promise<AcknowledgementRequestEntity[]> {
    if (itemIds.length === 0 && prefixes.length === 0) return [];
    return this.dataSource
      .getRepository(AcknowledgementRequestEntity)
      .createQueryBuilder('r')
      .where('r.organisation_id = :organisationId AND r.acknowledged_at IS NULL', { organisationId })
      .andWhere('(r.item_id = ANY(:itemIds::uuid[]) OR left(r.item_id::text, 8) = ANY(:prefixes::text[]))', {
        itemIds,
        prefixes,
      })
      .getMany();
  }

  find(itemId: string, organisationId: string, tx?: EntityManager): Promise<AcknowledgementRequestEntity | null> {
    return this.db(tx).getRepository(AcknowledgementRequestEntity).findOne({ where: { itemId, organisationId } });
  }

  /** The request a delivery answers to: of its item, for its organisation. */
  async forDelivery(deliveryId: string, tx?: EntityManager): Promise<AcknowledgementRequestEntity | null> {
    const rows: { id: string }[] = await this.db(tx).query(
      `SELECT r.id FROM deliveries d
         JOIN item_versions v ON v.id = d.item_version_id
         JOIN acknowledgement_requests r ON r.item_id = v.item_id AND r.organisation_id = d.organisation_id
        WHERE d.id = $1`,
      [deliveryId],
    );
    if (rows.length === 0) return null;
    return this.db(tx).getRepository(AcknowledgementRequestEntity).findOneBy({ id: rows[0]!.id });
  }

  /**
   * Records the acknowledgement unless one is recorded already (the first stands, and stops the
   * escalation); returns the request as it is now, and whether this call recorded it.
   */
  async acknowledge(
    requestId: string,
    acknowledging: Acknowledging,
    tx: EntityManager,
  ): Promise<{ request: AcknowledgementRequestEntity; recorded: boolean }> {
    const updated: unknown[] = await tx.query(
      // Through a CTE: an UPDATE's own answer comes back as [rows, count].
      `WITH recorded AS (
         UPDATE acknowledgement_requests
            SET acknowledged_at = $2, acknowledged_by = $3, acknowledged_contact_id = $4, acknowledged_via = $5,
                acknowledged_delivery_id = $6
          WHERE id = $1 AND acknowledged_at IS NULL
          RETURNING id)
       SELECT id FROM recorded`,
      [
        requestId,
        acknowledging.at,
        acknowledging.by,
        acknowledging.contactId,
        acknowledging.via,
        acknowledging.deliveryId,
      ],
    );
    const request = await tx.getRepository(AcknowledgementRequestEntity).findOneByOrFail({ id: requestId });
    return { request, recorded: updated.length > 0 };
  }

  /** Every request of the item, by organisation name, with when the item first reached each organisation. */
  async ofItem(itemId: string, tx?: EntityManager): Promise<AcknowledgementRow[]> {
    const rows: { id: string; organisation: string; delivered_at: Date | null }[] = await this.db(tx).query(
      `SELECT r.id, o.name AS organisation,
              (SELECT min(d.handed_at) FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id
                 JOIN channels c ON c.id = d.channel_id
                WHERE v.item_id = r.item_id AND d.organisation_id = r.organisation_id
                  AND d.kind = 'item' AND c.kind <> 'pager') AS delivered_at
         FROM acknowledgement_requests r JOIN organisations o ON o.id = r.organisation_id
        WHERE r.item_id = $1
        ORDER BY o.name, r.id`,
      [itemId],
    );
    if (rows.length === 0) return [];
    const requests = await this.db(tx).getRepository(AcknowledgementRequestEntity).find({ where: { itemId } });
    const byId = new Map(requests.map((request) => [request.id, request]));
    return rows.map((row) => ({
      request: byId.get(row.id)!,
      organisation: row.organisation,
      deliveredAt: row.delivered_at,
    }));
  }

  /**
   * Unacknowledged requests with an escalation step due at `now`, locked until the caller's
   * transaction ends (others skip them): a step is taken once, by one process.
   */
  claimDue(now: Date, limit: number, tx: EntityManager): Promise<AcknowledgementRequestEntity[]> {
    return tx
      .getRepository(AcknowledgementRequestEntity)
      .createQueryBuilder('r')
      .where('r.acknowledged_at IS NULL')
      .andWhere(
        '((r.escalation_step = 0 AND r.escalate_at <= :now) OR (r.escalation_step = 1 AND r.duty_officer_at <= :now))',
        {
          now,
        },
      )
      .orderBy('r.escalate_at')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  async setStep(requestId: string, step: 1 | 2, tx: EntityManager): Promise<void> {
    await tx.getRepository(AcknowledgementRequestEntity).update({ id: requestId }, { escalationStep: step });
  }

  async queueNotice(requestId: string, at: Date, tx: EntityManager): Promise<void> {
    await tx.query(
      `INSERT INTO duty_officer_notices (request_id, created_at, next_attempt_at) VALUES ($1, $2, $2)
       ON CONFLICT (request_id) DO NOTHING`,
      [requestId, at],
    );
  }

  /** An urgent report received outside the team's hours: its notice, once. */
  async queueReportNotice(submissionId: string, at: Date, tx: EntityManager): Promise<void> {
    await tx.query(
      `INSERT INTO duty_officer_notices (submission_id, created_at, next_attempt_at) VALUES ($1, $2, $2)
       ON CONFLICT (submission_id) DO NOTHING`,
      [submissionId, at],
    );
  }

  /** Notices due to be sent (first time or again), with what they say. */
  async dueNotices(now: Date, limit: number): Promise<DutyOfficerNoticeToSend[]> {
    const rows: NoticeRow[] = await this.dataSource.query(
      `SELECT n.id, coalesce(o.name, so.name) AS organisation, i.kind, v.tlp, v.severity,
              s.reference, s.report_kind, s.report->>'urgency' AS urgency, s.received_at
         FROM duty_officer_notices n
         LEFT JOIN acknowledgement_requests r ON r.id = n.request_id
         LEFT JOIN organisations o ON o.id = r.organisation_id
         LEFT JOIN items i ON i.id = r.item_id
         LEFT JOIN item_versions v ON v.id = r.item_version_id
         LEFT JOIN submissions s ON s.id = n.submission_id
         LEFT JOIN organisations so ON so.id = s.organisation_id
        WHERE n.state = 'queued' AND n.next_attempt_at <= $1
        ORDER BY n.next_attempt_at LIMIT $2`,
      [now, limit],
    );
    if (rows.length === 0) return [];
    const notices = await this.dataSource
      .getRepository(DutyOfficerNoticeEntity)
      .findBy({ id: In(rows.map((row) => row.id)) });
    const requestIds = notices.flatMap((notice) => (notice.requestId ? [notice.requestId] : []));
    const requests = await this.dataSource.getRepository(AcknowledgementRequestEntity).findBy({ id: In(requestIds) });
    const noticeById = new Map(notices.map((notice) => [notice.id, notice]));
    const requestById = new Map(requests.map((request) => [request.id, request]));
    return rows.map((row): DutyOfficerNoticeToSend => {
      const notice = noticeById.get(row.id)!;
      if (notice.requestId === null)
        return {
          kind: 'urgent-report',
          notice,
          reference: row.reference ?? notice.submissionId!,
          organisation: row.organisation,
          reportKind: row.report_kind,
          urgency: row.urgency,
          receivedAt: row.received_at!,
        };
      return {
        kind: 'unacknowledged',
        notice,
        request: requestById.get(notice.requestId)!,
        organisation: row.organisation ?? '',
        itemKind: row.kind ?? '',
        tlp: row.tlp ?? '',
        severity: row.severity,
      };
    });
  }

  /** Marks a notice sent; false when another process did it first. */
  async noticeSent(noticeId: string, at: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH sent AS (UPDATE duty_officer_notices SET state = 'sent', sent_at = $2, attempts = attempts + 1
                      WHERE id = $1 AND state = 'queued' RETURNING id)
       SELECT id FROM sent`,
      [noticeId, at],
    );
    return rows.length > 0;
  }

  /** A failed attempt: tried again at `retryAt`, or given up (`dead`) when null. */
  async noticeFailed(noticeId: string, error: string, retryAt: Date | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE duty_officer_notices
          SET attempts = attempts + 1, last_error = $2, state = CASE WHEN $3::timestamptz IS NULL THEN 'dead' ELSE state END,
              next_attempt_at = coalesce($3::timestamptz, next_attempt_at)
        WHERE id = $1 AND state = 'queued'`,
      [noticeId, error.slice(0, 1_000), retryAt],
    );
  }
}
