import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { CloseReason, TriageState } from '@tlp-broker/domain';
import { SubmissionAttachmentEntity, SubmissionEntity } from '../entities';

/**
 * A submission as received, before the database gives it its id, reference and time. Fields a
 * way in does not use may be left out: they take the table's defaults (no flags, no indicators,
 * received, not encrypted…).
 */
export type NewSubmission = Pick<SubmissionEntity, 'source' | 'status' | 'senderProof' | 'sizeBytes' | 'rawSizeBytes'> &
  Partial<Omit<SubmissionEntity, 'id' | 'receivedAt' | 'reference'>>;

/** An attachment as received, before its id. */
export type NewAttachment = Omit<SubmissionAttachmentEntity, 'id' | 'submissionId'>;

/** Attachments are listed without their bytes. */
export type AttachmentSummary = Omit<SubmissionAttachmentEntity, 'content'>;

const DEFAULTS: Omit<NewSubmission, 'source' | 'status' | 'senderProof' | 'sizeBytes' | 'rawSizeBytes'> = {
  organisationId: null,
  channelId: null,
  senderContactId: null,
  reason: null,
  detail: null,
  signerFingerprint: null,
  fromAddress: null,
  messageId: null,
  encrypted: false,
  title: null,
  tlp: null,
  pap: null,
  consent: null,
  reportKind: null,
  report: null,
  content: null,
  indicators: [],
  flags: [],
  triageState: 'received',
  closeReason: null,
  closedAt: null,
  itemId: null,
  reporterUserId: null,
  enteredBy: null,
  partnerFeedId: null,
  externalId: null,
  digest: null,
};

/**
 * What came in (submissions) and their attachments.
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

  /** The submission of the e-mail with this Message-ID, if it was taken (or refused) before. */
  byMessageId(messageId: string, tx?: EntityManager): Promise<SubmissionEntity | null> {
    return this.db(tx).getRepository(SubmissionEntity).findOne({ where: { messageId } });
  }

  /** The submission made from this object of a polled partner feed, if it was taken before. */
  byFeedObject(partnerFeedId: string, externalId: string, tx?: EntityManager): Promise<SubmissionEntity | null> {
    return this.db(tx).getRepository(SubmissionEntity).findOne({ where: { partnerFeedId, externalId } });
  }

  byId(id: string, tx?: EntityManager): Promise<SubmissionEntity | null> {
    return this.db(tx).getRepository(SubmissionEntity).findOne({ where: { id } });
  }

  byReference(reference: string, tx?: EntityManager): Promise<SubmissionEntity | null> {
    return this.db(tx).getRepository(SubmissionEntity).findOne({ where: { reference } });
  }

  /** The submission, locked until the caller's transaction ends (triage steps on it run one at a time). */
  lockById(id: string, tx: EntityManager): Promise<SubmissionEntity | null> {
    return tx
      .getRepository(SubmissionEntity)
      .createQueryBuilder('submission')
      .setLock('pessimistic_write')
      .where('submission.id = :id', { id })
      .getOne();
  }

  /**
   * Stores a submission with its attachments and, unless it is rejected, the next reference
   * (`<prefix>-<year>-<six digits>`). Null, storing nothing, when it repeats one already stored
   * (the same digest from the same organisation, the same Message-ID, the same feed object): two
   * copies arriving at once are stored once, the second waiting for the first.
   */
  async insertUnlessKnown(
    submission: NewSubmission,
    attachments: readonly NewAttachment[],
    referencePrefix: string,
    tx: EntityManager,
  ): Promise<SubmissionEntity | null> {
    const reference = submission.status === 'rejected' ? null : await this.nextReference(referencePrefix, tx);
    const result = await tx
      .createQueryBuilder()
      .insert()
      .into(SubmissionEntity)
      .values({ ...DEFAULTS, ...submission, reference } as QueryDeepPartialEntity<SubmissionEntity>)
      .orIgnore()
      .returning('id')
      .execute();
    const id = (result.raw as { id: string }[])[0]?.id;
    if (!id) return null;
    if (attachments.length > 0) {
      await tx
        .getRepository(SubmissionAttachmentEntity)
        .insert(attachments.map((attachment) => ({ ...attachment, submissionId: id })));
    }
    return tx.getRepository(SubmissionEntity).findOneOrFail({ where: { id } });
  }

  /**
   * The next reference of the current year (UTC). The counter row is locked until the caller's
   * transaction ends, so references are handed out in order; a submission that turns out to be a
   * repeat leaves a gap, never a reference given twice.
   */
  async nextReference(prefix: string, tx: EntityManager): Promise<string> {
    const [row]: { year: number; last: number }[] = await tx.query(
      `INSERT INTO submission_reference_counters (year, last)
       VALUES (extract(year FROM now() AT TIME ZONE 'UTC')::int, 1)
       ON CONFLICT (year) DO UPDATE SET last = submission_reference_counters.last + 1
       RETURNING year, last`,
    );
    return `${prefix}-${row.year}-${String(row.last).padStart(6, '0')}`;
  }

  /** The latest submissions, newest first. */
  newest(limit: number, tx?: EntityManager): Promise<SubmissionEntity[]> {
    return this.db(tx)
      .getRepository(SubmissionEntity)
      .find({ order: { receivedAt: 'DESC' }, take: limit });
  }

  /** The triage inbox: submissions in the given states (all when none), newest first, `before` one id's time for paging. */
  inbox(states: readonly TriageState[], limit: number, tx?: EntityManager): Promise<SubmissionEntity[]> {
    return this.db(tx)
      .getRepository(SubmissionEntity)
      .find({
        where: states.length > 0 ? { triageState: In([...states]) } : {},
        order: { receivedAt: 'DESC' },
        take: limit,
      });
  }

  /** What a reporter's portal account sent, newest first. */
  ofReporter(userId: string, limit: number, tx?: EntityManager): Promise<SubmissionEntity[]> {
    return this.db(tx)
      .getRepository(SubmissionEntity)
      .find({ where: { reporterUserId: userId }, order: { receivedAt: 'DESC' }, take: limit });
  }

  /** Submissions that were made into, or attached to, the item. */
  ofItem(itemId: string, tx?: EntityManager): Promise<SubmissionEntity[]> {
    return this.db(tx)
      .getRepository(SubmissionEntity)
      .find({ where: { itemId }, order: { receivedAt: 'ASC' } });
  }

  attachmentsOf(submissionId: string, tx?: EntityManager): Promise<AttachmentSummary[]> {
    return this.db(tx)
      .getRepository(SubmissionAttachmentEntity)
      .find({
        select: {
          id: true,
          submissionId: true,
          position: true,
          filename: true,
          mediaType: true,
          sizeBytes: true,
          sha256: true,
        },
        where: { submissionId },
        order: { position: 'ASC' },
      });
  }

  attachment(
    submissionId: string,
    attachmentId: string,
    tx?: EntityManager,
  ): Promise<SubmissionAttachmentEntity | null> {
    return this.db(tx)
      .getRepository(SubmissionAttachmentEntity)
      .findOne({ where: { submissionId, id: attachmentId } });
  }

  /** Triage moves: in triage, linked to an item, closed with its reason, the label confirmed. */
  async update(
    id: string,
    changes: Partial<
      Pick<SubmissionEntity, 'triageState' | 'itemId' | 'closeReason' | 'closedAt' | 'tlp' | 'pap' | 'flags'>
    >,
    tx: EntityManager,
  ): Promise<void> {
    await tx.getRepository(SubmissionEntity).update({ id }, changes);
  }

  /** Closes it with its reason (the caller holds its lock). */
  close(id: string, reason: CloseReason, tx: EntityManager): Promise<void> {
    return this.update(id, { triageState: 'closed', closeReason: reason, closedAt: new Date() }, tx);
  }
}
