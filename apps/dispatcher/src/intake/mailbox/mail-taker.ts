import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { ImapMailbox, MailLimits, MailReading, readIncomingMail, WaitingMessage } from '@tlp-broker/channels';
import type { IncomingKeys } from '@tlp-broker/crypto';
import { SubmissionRecorder } from '@tlp-broker/intake';
import { SubmissionEntity, SubmissionRepository } from '@tlp-broker/persistence';
import { acceptedMail, fromMatchesSigner, MailSubmission, mailIdentity, refusedMail } from './mail-submission';
import { SignerAddresses } from './signer-addresses';
import { SignedReplies } from './signed-replies';

const ACTOR = 'intake:mailbox';

/**
 * Takes one message of the team mailbox in: recorded first (a submission, or a rejected one with
 * the reason), moved after — to the processed folder, or to quarantine marked with the reason. A
 * message whose Message-ID (or, lacking one, whose bytes) is already a submission is only moved:
 * that is how a dispatcher stopped between the two steps resumes, with nothing lost or taken twice.
 */
@Injectable()
export class MailTaker {
  private readonly logger = new Logger('MailboxIntake');

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly submissions: SubmissionRepository,
    private readonly recorder: SubmissionRecorder,
    private readonly signers: SignerAddresses,
    private readonly replies: SignedReplies,
  ) {}

  async take(mailbox: ImapMailbox, message: WaitingMessage, keys: IncomingKeys): Promise<void> {
    if (message.messageId && (await this.settleKnown(mailbox, message.uid, mailIdentity(message.messageId)))) return;
    if (message.sizeBytes > this.config.intake.maxMessageBytes) return this.refuseUnread(mailbox, message);
    const source = await mailbox.source(message.uid);
    if (source.kind === 'gone') return;
    if (source.kind === 'too-large') return this.refuseUnread(mailbox, message);
    const identity = mailIdentity(message.messageId, source.raw);
    if (!message.messageId && (await this.settleKnown(mailbox, message.uid, identity))) return;
    const reading = await readIncomingMail(source.raw, keys, this.limits());
    const submission = await this.record(reading, identity, source.raw.length, message.fromAddress);
    await this.settle(mailbox, message.uid, submission);
  }

  /** Moves the message on if it was taken before; false when it is new. */
  private async settleKnown(mailbox: ImapMailbox, uid: number, identity: string): Promise<boolean> {
    const known = await this.submissions.byMessageId(identity);
    if (!known) return false;
    this.logger.log(`team mailbox: message ${identity} was taken before (submission ${known.id}): moving it on`);
    await this.settle(mailbox, uid, known);
    return true;
  }

  /** Over the size limit: refused from its size alone, never downloaded. */
  private async refuseUnread(mailbox: ImapMailbox, message: WaitingMessage): Promise<void> {
    // Without a Message-ID nor its bytes, the message is named by its place in the mailbox, which
    // it keeps until it is moved to quarantine.
    const identity = message.messageId ? mailIdentity(message.messageId) : `imap:${mailbox.validity}:${message.uid}`;
    const limit = this.config.intake.maxMessageBytes;
    const detail = `the message is ${message.sizeBytes} bytes or more, over the limit of ${limit} (INTAKE_MAX_MESSAGE_BYTES)`;
    const submission = refusedMail(
      { reason: 'too-large', detail, fromAddress: message.fromAddress },
      identity,
      message.sizeBytes,
    );
    await this.settle(mailbox, message.uid, await this.store({ submission, attachments: [] }));
  }

  private async record(
    reading: MailReading,
    identity: string,
    rawSizeBytes: number,
    envelopeFrom: string | null,
  ): Promise<SubmissionEntity> {
    if (!reading.ok) {
      const refusal = { reason: reading.reason, detail: reading.detail, fromAddress: reading.from ?? envelopeFrom };
      return this.store({ submission: refusedMail(refusal, identity, rawSizeBytes), attachments: [] });
    }
    const { mail } = reading;
    const signature = mail.signature;
    if (signature.state === 'invalid') {
      const refusal = { reason: signature.reason, detail: signature.detail, fromAddress: mail.from?.address ?? null };
      return this.store({ submission: refusedMail(refusal, identity, rawSizeBytes), attachments: [] });
    }
    if (signature.state !== 'verified') return this.store(acceptedMail(mail, identity, false));
    const owner = await this.signers.of(signature.signer);
    // Before the submission, which marks the message taken: a restart between the two takes it
    // again, and acknowledging twice records nothing new.
    await this.replies.acknowledge(mail, signature.signer);
    return this.store(acceptedMail(mail, identity, !fromMatchesSigner(mail.from?.address ?? null, owner)));
  }

  private async store({ submission, attachments }: MailSubmission): Promise<SubmissionEntity> {
    const recorded = await this.recorder.record(submission, { actor: ACTOR, attachments });
    const row = recorded.submission;
    const what = row.status === 'rejected' ? `refused (${row.reason})` : `${row.status} ${row.reference}`;
    this.logger.log(
      `team mailbox: message ${submission.messageId} ${recorded.repeated ? 'repeats' : 'is'} submission ${row.id}, ${what}`,
    );
    return row;
  }

  /** Processed, or quarantined with the reason when its submission was refused. */
  private async settle(mailbox: ImapMailbox, uid: number, submission: SubmissionEntity): Promise<void> {
    if (submission.status === 'rejected') await mailbox.quarantine(uid, submission.reason ?? 'rejected');
    else await mailbox.move(uid, 'processed');
  }

  private limits(): MailLimits {
    const intake = this.config.intake;
    return {
      maxMessageBytes: intake.maxMessageBytes,
      maxAttachmentBytes: intake.maxAttachmentBytes,
      maxContentBytes: this.config.submissions.maxBytes,
      maxMimeDepth: intake.maxMimeDepth,
      openPgpTimeoutMs: intake.openPgpTimeoutMs,
    };
  }
}
