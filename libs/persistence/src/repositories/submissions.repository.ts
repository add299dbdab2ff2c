import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { CloseReason, ItemState, SubmissionSource, TriageState } from '@tlp-broker/domain';
import {
  ContactEntity,
  ItemEntity,
  OrganisationEntity,
  OutboxTopic,
  SubmissionAttachmentEntity,
  SubmissionEntity,
} from '../entities';

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

/** Which submissions the triage inbox shows: an empty list means any. */
export interface InboxFilter {
  readonly states: readonly TriageState[];
  readonly sources: readonly SubmissionSource[];
  readonly limit: number;
}

/** Whose submissions a sender sees the status of. */
export type ReportScope =
  | { readonly kind: 'everyone' }
  | { readonly kind: 'organisation'; readonly organisationId: string }
  /** A portal account: what it sent, and what its contact sent by any other way in. */
  | { readonly kind: 'reporter'; readonly userId: string; readonly contactId: string };

/** A submission with its sender's names and its item's state, as lists and views show it. */
export interface ListedSubmission {
  readonly submission: SubmissionEntity;
  readonly organisation: string | null;
  readonly contact: string | null;
  /** The state of the item drafted from it or attached to it. */
  readonly itemState: ItemState | null;
  /** A version of that item went out (it is published, or was routed before an update or retraction). */
  readonly itemPublished: boolean;
  readonly attachmentCount: number;
}

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

  /** The triage inbox: submissions in the given states and from the given sources (any when none), newest first. */
  async inbox(filter: InboxFilter, tx?: EntityManager): Promise<ListedSubmission[]> {
    const query = this.listing(tx).orderBy('s.received_at', 'DESC').addOrderBy('s.id', 'DESC').limit(filter.limit);
    if (filter.states.length > 0) query.andWhere('s.triage_state IN (:...states)', { states: [...filter.states] });
    if (filter.sources.length > 0) query.andWhere('s.source IN (:...sources)', { sources: [...filter.sources] });
    return listed(await query.getRawAndEntities());
  }

  /** One submission as the inbox lists it, with its sender's names and its item's state. */
  async listedById(id: string, tx?: EntityManager): Promise<ListedSubmission | null> {
    const [found] = listed(await this.listing(tx).where('s.id = :id', { id }).getRawAndEntities());
    return found ?? null;
  }

  /**
   * What a sender follows the status of (everything but rejected submissions, which have no
   * reference), newest first: an organisation's, a portal account's (sent through the portal or
   * by its contact in any other way), or everyone's. `reference` narrows it to that one.
   */
  async reports(
    scope: ReportScope,
    limit: number,
    reference?: string,
    tx?: EntityManager,
  ): Promise<ListedSubmission[]> {
    const query = this.listing(tx)
      .where('s.reference IS NOT NULL')
      .orderBy('s.received_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .limit(limit);
    if (reference !== undefined) query.andWhere('s.reference = :reference', { reference });
    if (scope.kind === 'organisation') query.andWhere('s.organisation_id = :org', { org: scope.organisationId });
    if (scope.kind === 'reporter') {
      query.andWhere(
        new Brackets((sender) =>
          sender
            .where('s.reporter_user_id = :user', { user: scope.userId })
            .orWhere('s.sender_contact_id = :contact', { contact: scope.contactId }),
        ),
      );
    }
    return listed(await query.getRawAndEntities());
  }

  /**
   * Submissions with what a reader needs beside them: the sending organisation's and contact's
   * names, the linked item's state and whether a version of it went out (published now, or routed
   * before it was updated or retracted), and how many attachments came.
   */
  private listing(tx?: EntityManager): SelectQueryBuilder<SubmissionEntity> {
    return this.db(tx)
      .getRepository(SubmissionEntity)
      .createQueryBuilder('s')
      .leftJoin(OrganisationEntity, 'o', 'o.id = s.organisation_id')
      .leftJoin(ContactEntity, 'c', 'c.id = s.sender_contact_id')
      .leftJoin(ItemEntity, 'i', 'i.id = s.item_id')
      .addSelect('o.name', 'listed_organisation')
      .addSelect('c.name', 'listed_contact')
      .addSelect('i.state', 'listed_item_state')
      .addSelect(
        `(i.state = 'published' OR EXISTS (
           SELECT 1 FROM item_versions v JOIN outbox ob ON ob.item_version_id = v.id
            WHERE v.item_id = s.item_id AND ob.topic = :publishedTopic AND ob.processed_at IS NOT NULL))`,
        'listed_item_published',
      )
      .addSelect('(SELECT count(*) FROM submission_attachments a WHERE a.submission_id = s.id)', 'listed_attachments')
      .setParameter('publishedTopic', OutboxTopic.Published);
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

interface ListingRaw {
  s_id: string;
  listed_organisation: string | null;
  listed_contact: string | null;
  listed_item_state: ItemState | null;
  listed_item_published: boolean | null;
  listed_attachments: string;
}

/** Entities paired with their extra columns by id (one joined row each, but nothing relies on their order). */
function listed({ entities, raw }: { entities: SubmissionEntity[]; raw: ListingRaw[] }): ListedSubmission[] {
  const extras = new Map(raw.map((row) => [row.s_id, row]));
  return entities.map((submission) => {
    const row = extras.get(submission.id);
    return {
      submission,
      organisation: row?.listed_organisation ?? null,
      contact: row?.listed_contact ?? null,
      itemState: row?.listed_item_state ?? null,
      itemPublished: row?.listed_item_published === true,
      attachmentCount: Number(row?.listed_attachments ?? 0),
    };
  });
}
