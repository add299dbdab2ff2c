import { Injectable } from '@nestjs/common';
import { mimeEntityForItem, OpenPgpService, TeamKeyService } from '@tlp-broker/crypto';
import { SubmissionEntity, SubmissionMessageRepository } from '@tlp-broker/persistence';
import { acknowledgementMessage } from './acknowledgement';

/**
 * The acknowledgement handed back in the answer to a sender who came in over the API (a signed
 * submission, a reporting form): the same text as the mailed one, signed by the team and encrypted
 * to the sender's own key, so that a partner whose only channel is its credential receives it too.
 * None for a sender who is not verified, nor for a partner's feed the broker pulled itself.
 */
@Injectable()
export class AcknowledgementSealer {
  constructor(
    private readonly teamKey: TeamKeyService,
    private readonly openpgp: OpenPgpService,
    private readonly messages: SubmissionMessageRepository,
  ) {}

  /** The armored OpenPGP message, or null when the sender is not verified or has no usable key. */
  async seal(submission: SubmissionEntity): Promise<string | null> {
    if (submission.status !== 'verified' || !submission.organisationId || submission.senderProof === 'feed')
      return null;
    const key = await this.messages.senderKey({
      organisationId: submission.organisationId,
      contactId: submission.senderContactId,
      fingerprint: submission.signerFingerprint,
      channelId: submission.channelId,
    });
    if (!key) return null;
    const now = new Date();
    const team = await this.teamKey.current();
    const text = acknowledgementMessage(submission, {
      name: this.teamKey.publisherName(),
      fingerprint: team.info.fingerprint,
    });
    const payload = await this.openpgp.sealOnce(mimeEntityForItem(text.text), team.key, now);
    return this.openpgp.addressTo(payload, key.fingerprint, key.armored, now);
  }
}
