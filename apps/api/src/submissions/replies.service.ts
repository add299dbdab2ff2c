import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { SubmissionMessageKind, SubmissionMessageState } from '@tlp-broker/domain';
import {
  AuditLog,
  SubmissionEntity,
  SubmissionMessageEntity,
  SubmissionMessageRepository,
  SubmissionRepository,
  Transactions,
} from '@tlp-broker/persistence';
import { StaffPrincipal } from '../auth/principal';

/** A message the team sends back about a submission: its acknowledgement, or an analyst's reply. */
export interface SubmissionMessageView {
  id: string;
  kind: SubmissionMessageKind;
  /** queued → sent; failed while it is retried; dead when it cannot be sent (the reason in `lastError`). */
  state: SubmissionMessageState;
  toName: string;
  toAddress: string;
  /** The sender's key it is encrypted to. */
  recipientFingerprint: string;
  attempts: number;
  lastError: string | null;
  /** `user:<id>` for a reply; for an acknowledgement, what brought the submission in (`channel:<id>`, `intake:mailbox`…). */
  createdBy: string;
  createdAt: Date;
  sentAt: Date | null;
}

/**
 * Analysts' replies to the sender of a submission, and the list of everything sent back about it.
 * A reply goes only to a verified sender, over its own e-mail route, encrypted to its key: an
 * unverified sender may be anyone whose address was written in a header, and never receives one.
 * The dispatcher signs, encrypts and sends what is queued here.
 */
@Injectable()
export class RepliesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly submissions: SubmissionRepository,
    private readonly messages: SubmissionMessageRepository,
  ) {}

  /** Queues the reply with its audit entry, in one transaction. */
  reply(submissionId: string, body: string, actor: StaffPrincipal): Promise<SubmissionMessageView> {
    return this.transactions.run(async (tx) => {
      // Triage steps on one submission run one at a time.
      const submission = await this.submissions.lockById(submissionId, tx);
      if (!submission) throw notFound(submissionId);
      const sender = verifiedSender(submission);
      const route = await this.messages.senderRoute(sender, tx);
      if (!route)
        throw cannotReply(
          'the sender has no active e-mail route with a usable key (a registered address and a key neither revoked nor expired)',
        );
      const message = await this.messages.insert(
        { submissionId, kind: 'reply', body, ...route, createdBy: `user:${actor.userId}` },
        tx,
      );
      if (!message) throw new Error(`the reply to submission ${submissionId} was not stored`);
      await this.audit.append(tx, {
        actor: `user:${actor.userId}`,
        action: 'submission.reply-queued',
        subjectType: 'submission',
        subjectId: submissionId,
        details: {
          reference: submission.reference,
          to: route.toAddress,
          key: route.recipientFingerprint,
          messageId: message.id,
        },
      });
      return messageView(message);
    });
  }

  /** Everything sent back about the submission (or waiting to be), oldest first. */
  async list(submissionId: string): Promise<SubmissionMessageView[]> {
    if (!(await this.submissions.byId(submissionId))) throw notFound(submissionId);
    return (await this.messages.ofSubmission(submissionId)).map(messageView);
  }
}

export function messageView(row: SubmissionMessageEntity): SubmissionMessageView {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    toName: row.toName,
    toAddress: row.toAddress,
    recipientFingerprint: row.recipientFingerprint,
    attempts: row.attempts,
    lastError: row.lastError,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
  };
}

/** The proven sender to reply to; 409 when the submission's sender is not proven. */
function verifiedSender(submission: SubmissionEntity) {
  if (submission.status !== 'verified' || !submission.organisationId || !submission.reference)
    throw cannotReply('unverified senders receive no reply');
  return {
    organisationId: submission.organisationId,
    contactId: submission.senderContactId,
    fingerprint: submission.signerFingerprint,
  };
}

function notFound(submissionId: string): NotFoundException {
  return new NotFoundException(`submission ${submissionId} not found`);
}

function cannotReply(reason: string): ConflictException {
  return new ConflictException({
    statusCode: 409,
    error: 'Conflict',
    message: `no reply can be sent: ${reason}`,
    details: [{ field: 'id', message: reason }],
  });
}
