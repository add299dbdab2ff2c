import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SubmissionEntity } from '../entities';

/** A submission as received, before the database gives it its id and time. */
export type NewSubmission = Omit<SubmissionEntity, 'id' | 'receivedAt'>;

interface SubmissionRow {
  id: string;
  organisation_id: string;
  channel_id: string;
  status: SubmissionEntity['status'];
  reason: string | null;
  detail: string | null;
  signer_fingerprint: string | null;
  content: string | null;
  size_bytes: number;
  raw_size_bytes: number;
  digest: string | null;
  received_at: Date;
}

/**
 * What partners sent in (submissions).
 * Every query on these tables is a named method here; a method that must take part in a
 * caller's transaction takes its `tx` as last argument (default: outside any transaction).
 */
@Injectable()
export class SubmissionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's transaction, or the pool outside any. */
  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  /** The organisation's submission with this digest (what it sent), if it sent it before. */
  sentBefore(organisationId: string, digest: string, tx?: EntityManager): Promise<SubmissionEntity | null> {
    return this.db(tx).getRepository(SubmissionEntity).findOne({ where: { organisationId, digest } });
  }

  /**
   * Stores a submission, unless the organisation already sent one with its digest (null then,
   * storing nothing): two copies sent at once are stored once, the second waiting for the first.
   */
  async insertUnlessSent(submission: NewSubmission, tx?: EntityManager): Promise<SubmissionEntity | null> {
    const [row]: SubmissionRow[] = await this.db(tx).query(
      `INSERT INTO submissions (organisation_id, channel_id, status, reason, detail, signer_fingerprint, content, size_bytes, raw_size_bytes, digest)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (organisation_id, digest) DO NOTHING
       RETURNING *`,
      [
        submission.organisationId,
        submission.channelId,
        submission.status,
        submission.reason,
        submission.detail,
        submission.signerFingerprint,
        submission.content,
        submission.sizeBytes,
        submission.rawSizeBytes,
        submission.digest,
      ],
    );
    return row ? this.toEntity(row) : null;
  }

  /** The latest submissions, newest first. */
  newest(limit: number, tx?: EntityManager): Promise<SubmissionEntity[]> {
    return this.db(tx)
      .getRepository(SubmissionEntity)
      .find({ order: { receivedAt: 'DESC' }, take: limit });
  }

  private toEntity(row: SubmissionRow): SubmissionEntity {
    return this.db().getRepository(SubmissionEntity).create({
      id: row.id,
      organisationId: row.organisation_id,
      channelId: row.channel_id,
      status: row.status,
      reason: row.reason,
      detail: row.detail,
      signerFingerprint: row.signer_fingerprint,
      content: row.content,
      sizeBytes: row.size_bytes,
      rawSizeBytes: row.raw_size_bytes,
      digest: row.digest,
      receivedAt: row.received_at,
    });
  }
}
