import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import type { EntityManager } from 'typeorm';
import { ChannelError } from '@tlp-broker/channels';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { mimeEntityForItem, OpenPgpService, TeamKeyService } from '@tlp-broker/crypto';
import type { SubmissionMessageKind } from '@tlp-broker/domain';
import { acknowledgementMessage, replyMessage, SubmissionMessageText } from '@tlp-broker/intake';
import {
  AuditLog,
  SubmissionEntity,
  SubmissionMessageEntity,
  SubmissionMessageRepository,
  SubmissionRepository,
  Transactions,
} from '@tlp-broker/persistence';
import { submissionMessageJobId } from '@tlp-broker/queue';
import { ChannelSenders } from '../../delivery/channel-senders';
import { describeError } from '../../delivery/delivery-recorder.service';

/** What carrying out one message came to: `waiting` when no SMTP relay is configured (it stays queued). */
export type SubmissionMessageOutcome = 'sent' | 'dead' | 'already-done' | 'waiting';

/** The job's attempt: how many were made before this one, and how many are allowed. */
export interface MessageAttempt {
  readonly made: number;
  readonly allowed: number;
}

/** Why a message ends without being sent: the reason shown, and a code for the audit trail. */
export interface Stop {
  readonly reason: string;
  readonly code: string;
}

/** The message as it leaves: its subject and the armored OpenPGP message for its one recipient. */
interface Sealed {
  readonly submission: SubmissionEntity;
  readonly text: SubmissionMessageText;
  readonly armored: string;
}

/** The message a dead row names in the audit trail. */
type Ended = Pick<SubmissionMessageEntity, 'id' | 'submissionId' | 'kind'>;

const SENT_ACTION: Readonly<Record<SubmissionMessageKind, string>> = {
  acknowledgement: 'submission.acknowledgement-sent',
  reply: 'submission.reply-sent',
};

/**
 * Sends one message back to the sender of a submission (its acknowledgement, an analyst's reply):
 * read again from PostgreSQL, checked against the recipient's key as it is now (still registered,
 * not revoked, not expired) and the sender's standing, written as plain text, signed by the team
 * and encrypted to that key, sent as PGP/MIME over the sender's own e-mail route, and recorded
 * sent with its audit entry in one transaction. The Message-ID follows from the message's id, so
 * a copy sent again after a lost answer from the relay is recognisable as the same message.
 */
@Injectable()
export class SubmissionMessagesService {
  private readonly logger = new Logger(SubmissionMessagesService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly messages: SubmissionMessageRepository,
    private readonly submissions: SubmissionRepository,
    private readonly openpgp: OpenPgpService,
    private readonly teamKey: TeamKeyService,
    private readonly channels: ChannelSenders,
  ) {}

  /** Whether messages can leave at all: without an SMTP relay they wait, queued, until one is configured. */
  canSend(): boolean {
    return this.config.smtp !== null;
  }

  /**
   * Carries out the message. A failure is recorded (`failed`, or `dead` when no attempt is left or
   * no retry can help, audited) and thrown again for BullMQ to retry, as UnrecoverableError when final.
   */
  async send(messageId: string, attempt: MessageAttempt): Promise<SubmissionMessageOutcome> {
    const message = await this.messages.byId(messageId);
    if (!message) throw new UnrecoverableError(`submission message ${messageId} not found`);
    if (message.state !== 'queued' && message.state !== 'failed') return 'already-done';
    if (!this.canSend()) return 'waiting';
    try {
      return await this.attempt(message);
    } catch (error) {
      throw await this.failed(message, error, attempt);
    }
  }

  /**
   * Ends an open message as dead, audited, in the caller's transaction: after a last failed attempt
   * (`attempted`, counted), or before any when it may not leave. False when it was no longer open.
   */
  async recordDead(message: Ended, stop: Stop, tx: EntityManager, attempted = false): Promise<boolean> {
    const ended = attempted
      ? await this.messages.markFailed(message.id, stop.reason, true, tx)
      : await this.messages.markDead(message.id, stop.reason, tx);
    if (!ended) return false;
    await this.audit.append(tx, {
      actor: 'dispatcher',
      action: `submission.${message.kind}-dead`,
      subjectType: 'submission',
      subjectId: message.submissionId,
      details: { messageId: message.id, reason: stop.reason, code: stop.code },
    });
    this.logger.error(`${message.kind} ${message.id} of submission ${message.submissionId} is dead: ${stop.reason}`);
    return true;
  }

  private async attempt(message: SubmissionMessageEntity): Promise<SubmissionMessageOutcome> {
    const sealed = await this.seal(message);
    if ('reason' in sealed) {
      const ended = await this.transactions.run((tx) => this.recordDead(message, sealed, tx));
      return ended ? 'dead' : 'already-done';
    }
    const sent = await this.channels.email().sendEncrypted({
      key: submissionMessageJobId(message.id),
      subject: sealed.text.subject,
      to: { name: message.toName, address: message.toAddress },
      armored: sealed.armored,
    });
    return this.transactions.run(async (tx) => {
      // Another worker recorded it first: keep its record.
      if (!(await this.messages.markSent(message.id, sent.messageId, tx))) return 'already-done';
      await this.audit.append(tx, {
        actor: 'dispatcher',
        action: SENT_ACTION[message.kind],
        subjectType: 'submission',
        subjectId: message.submissionId,
        details: {
          messageId: message.id,
          reference: sealed.submission.reference,
          to: message.toAddress,
          key: message.recipientFingerprint,
          mailMessageId: sent.messageId,
        },
      });
      return 'sent';
    });
  }

  /** The text signed by the team and encrypted to the recipient's key, or why it may not leave. */
  private async seal(message: SubmissionMessageEntity): Promise<Sealed | Stop> {
    const now = new Date();
    const recipient = await this.recipientKey(message, now);
    if ('reason' in recipient) return recipient;
    const submission = await this.submissions.byId(message.submissionId);
    if (!submission) throw new UnrecoverableError(`submission ${message.submissionId} not found`);
    const team = await this.teamKey.current();
    const signature = { name: this.teamKey.publisherName(), fingerprint: team.info.fingerprint };
    const text =
      message.kind === 'acknowledgement'
        ? acknowledgementMessage(submission, signature)
        : replyMessage(submission, message.body ?? '', signature);
    const payload = await this.openpgp.sealOnce(mimeEntityForItem(text.text), team.key, now);
    const armored = await this.openpgp.addressTo(payload, message.recipientFingerprint, recipient.armored, now);
    return { submission, text, armored };
  }

  /**
   * The recipient's key as registered now, re-read from its armored form (a revocation or expiry
   * merged since it was queued stops the message here), or why nothing may be sent to it.
   */
  private async recipientKey(message: SubmissionMessageEntity, now: Date): Promise<{ armored: string } | Stop> {
    const fingerprint = message.recipientFingerprint;
    const recipient = await this.messages.recipient(message.id);
    if (!recipient?.armored)
      return { reason: `The key ${fingerprint} is no longer registered for the sender.`, code: 'key.unregistered' };
    if (recipient.organisationStatus === 'suspended' || recipient.contactStatus === 'suspended')
      return { reason: 'The sender is suspended: nothing is sent to it.', code: 'sender.suspended' };
    const state = await this.openpgp.keyStateAt(recipient.armored, now);
    if (recipient.revokedAt || state.revoked)
      return { reason: `The sender's key ${fingerprint} was revoked.`, code: 'key.revoked' };
    const expiresAt = [recipient.expiresAt, state.expiresAt].find((date) => date && date <= now);
    if (expiresAt)
      return { reason: `The sender's key ${fingerprint} expired on ${expiresAt.toISOString()}.`, code: 'key.expired' };
    if (!state.canEncrypt)
      return { reason: `The sender's key ${fingerprint} has no usable encryption key.`, code: 'key.unusable' };
    return { armored: recipient.armored };
  }

  /** Records a failed attempt; answers what to throw to BullMQ (UnrecoverableError when it was the last). */
  private async failed(message: SubmissionMessageEntity, error: unknown, attempt: MessageAttempt): Promise<unknown> {
    const permanent = error instanceof UnrecoverableError || (error instanceof ChannelError && error.permanent);
    const final = permanent || attempt.made + 1 >= attempt.allowed;
    const reason = describeError(error);
    try {
      await this.transactions.run(async (tx) => {
        if (final) await this.recordDead(message, { reason, code: failureCode(error) }, tx, true);
        else await this.messages.markFailed(message.id, reason, false, tx);
      });
    } catch (recordError) {
      // The reconciling relay finds the message still open and looks at its job again.
      this.logger.error(
        `could not record the failure of submission message ${message.id}: ${describeError(recordError)}`,
      );
    }
    if (!final) this.logger.warn(`${message.kind} ${message.id} not sent (attempt ${attempt.made + 1}): ${reason}`);
    return final && !(error instanceof UnrecoverableError) ? new UnrecoverableError(reason) : error;
  }
}

/** The audit code of a last failure: the channel's (`email.rejected`…), or `send.failed`. */
function failureCode(error: unknown): string {
  return error instanceof ChannelError ? `email.${error.code}` : 'send.failed';
}
