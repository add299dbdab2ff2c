import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig, Clock, InjectConfig } from '@tlp-broker/config';
import { isUrgentReport } from '@tlp-broker/domain';
import {
  AcknowledgementRepository,
  AuditLog,
  Availabilities,
  NewAttachment,
  NewSubmission,
  SubmissionEntity,
  SubmissionMessageEntity,
  SubmissionMessageRepository,
  SubmissionRepository,
  Transactions,
} from '@tlp-broker/persistence';

/** What recording a submission came to. */
export interface Recorded {
  readonly submission: SubmissionEntity;
  /** It repeats one stored before (same signed statement, Message-ID or feed object): `submission` is the first. */
  readonly repeated: boolean;
  /** The acknowledgement queued to the sender's own e-mail route; null when none is (unverified, no route, a repeat). */
  readonly acknowledgement: SubmissionMessageEntity | null;
}

export interface RecordOptions {
  /** Who brought it in, for the audit trail: `channel:<id>`, `user:<id>`, `intake:mailbox`, `feed:<id>`. */
  readonly actor: string;
  readonly attachments?: readonly NewAttachment[];
  /** Queue the acknowledgement by e-mail (default true). A polled feed's objects are not acknowledged: nobody sent them. */
  readonly acknowledge?: boolean;
}

/**
 * The one way every way in (the API, reporting forms, the team mailbox, the TAXII inbox,
 * partners' feeds) stores what came in. In one transaction: the submission with its attachments
 * and reference, its audit event, and — for a verified sender reachable over its own e-mail
 * route — the acknowledgement the dispatcher signs, encrypts and sends. A repeat of something
 * already stored writes nothing and answers the first. Unverified senders are never acknowledged
 * (no backscatter to a forged sender).
 */
@Injectable()
export class SubmissionRecorder {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly submissions: SubmissionRepository,
    private readonly messages: SubmissionMessageRepository,
    private readonly availabilities: Availabilities,
    private readonly notices: AcknowledgementRepository,
    private readonly clock: Clock,
  ) {}

  async record(submission: NewSubmission, options: RecordOptions): Promise<Recorded> {
    const earlier = await this.earlier(submission);
    if (earlier) return { submission: earlier, repeated: true, acknowledgement: null };
    const recorded = await this.transactions.run(async (tx) => {
      const row = await this.submissions.insertUnlessKnown(
        submission,
        options.attachments ?? [],
        this.config.submissions.referencePrefix,
        tx,
      );
      if (!row) return null;
      await this.audit.append(tx, {
        actor: options.actor,
        action: row.status === 'rejected' ? 'submission.rejected' : 'submission.received',
        subjectType: 'submission',
        subjectId: row.id,
        details: auditDetails(row),
      });
      const acknowledgement = options.acknowledge === false ? null : await this.acknowledge(row, options.actor, tx);
      await this.tellDutyOfficerIfClosed(row, options.actor, tx);
      return { submission: row, repeated: false, acknowledgement };
    });
    if (recorded) return recorded;
    // Two copies at once: the second waited for the first, and stored nothing.
    const first = await this.earlier(submission);
    if (!first) throw new Error('a submission was refused as a repeat, and no earlier one is stored');
    return { submission: first, repeated: true, acknowledgement: null };
  }

  /**
   * An urgent report received outside the team's hours: the team's duty officer is told, as an
   * unacknowledged urgent item is (a notice the dispatcher sends, without the report's content).
   */
  private async tellDutyOfficerIfClosed(row: SubmissionEntity, actor: string, tx: EntityManager): Promise<void> {
    if (row.status === 'rejected' || !isUrgentReport(row.reportKind, row.report?.['urgency'])) return;
    const now = this.clock.now();
    const team = await this.availabilities.ofTeam(now, tx);
    if (team.open) return;
    await this.notices.queueReportNotice(row.id, now, tx);
    await this.audit.append(tx, {
      actor,
      action: 'escalation.duty-officer',
      subjectType: 'submission',
      subjectId: row.id,
      details: { reference: row.reference, urgency: row.report?.['urgency'], team: team.reason },
    });
  }

  /** The submission this one repeats, if any: the same Message-ID, the same feed object, or the same signed statement from the organisation. */
  private async earlier(submission: NewSubmission): Promise<SubmissionEntity | null> {
    if (submission.messageId) {
      const byMessageId = await this.submissions.byMessageId(submission.messageId);
      if (byMessageId) return byMessageId;
    }
    if (submission.partnerFeedId && submission.externalId) {
      const byFeedObject = await this.submissions.byFeedObject(submission.partnerFeedId, submission.externalId);
      if (byFeedObject) return byFeedObject;
    }
    if (submission.organisationId && submission.digest)
      return this.submissions.sentBefore(submission.organisationId, submission.digest);
    return null;
  }

  private async acknowledge(
    row: SubmissionEntity,
    actor: string,
    tx: EntityManager,
  ): Promise<SubmissionMessageEntity | null> {
    if (row.status !== 'verified' || !row.organisationId || row.senderProof === 'feed') return null;
    const route = await this.messages.senderRoute(
      { organisationId: row.organisationId, contactId: row.senderContactId, fingerprint: row.signerFingerprint },
      tx,
    );
    if (!route) return null;
    const message = await this.messages.insert(
      { submissionId: row.id, kind: 'acknowledgement', body: null, ...route, createdBy: actor },
      tx,
    );
    if (message) {
      await this.audit.append(tx, {
        actor,
        action: 'submission.acknowledgement-queued',
        subjectType: 'submission',
        subjectId: row.id,
        details: {
          reference: row.reference,
          to: route.toAddress,
          key: route.recipientFingerprint,
          messageId: message.id,
        },
      });
    }
    return message;
  }
}

function auditDetails(row: SubmissionEntity): Record<string, unknown> {
  return {
    source: row.source,
    status: row.status,
    reference: row.reference,
    organisationId: row.organisationId,
    senderProof: row.senderProof,
    signer: row.signerFingerprint,
    tlp: row.tlp,
    flags: row.flags,
    ...(row.reason ? { reason: row.reason } : {}),
  };
}
