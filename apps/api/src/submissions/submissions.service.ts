import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { decryptToSigned, isEncryptedMessage, TeamKeyService, verifySignedBy } from '@tlp-broker/crypto';
import { AcknowledgementSealer, SubmissionRecorder } from '@tlp-broker/intake';
import { NewSubmission, OrganisationRepository, RecipientKeyEntity } from '@tlp-broker/persistence';
import { PartnerPrincipal } from '../auth/principal';
import { alreadyReceived, Checked, receivedDigest, rejection } from './submission-answers';
import { readSubmittedText } from './submission-text';
import { SubmissionViewsService } from './submission-views.service';
import type { SubmissionReceiptView, SubmissionView } from './submission-views';

/**
 * Material partners send in over the API (POST /submissions). It is accepted only when signed by
 * a key registered for the sending organisation (its own or one of its contacts'), sent signed
 * only or signed and encrypted to the team's key; anything else is rejected, and the rejection is
 * recorded and audited as well. Signed content is bounded once decrypted and decompressed
 * (SUBMISSION_MAX_BYTES), and the same message sent again by the same organisation is recognised
 * and not stored a second time. Its label, PAP, title and indicators are read from the signed text.
 */
@Injectable()
export class SubmissionsService {
  private readonly logger = new Logger(SubmissionsService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly recorder: SubmissionRecorder,
    private readonly organisations: OrganisationRepository,
    private readonly views: SubmissionViewsService,
    private readonly acknowledgements: AcknowledgementSealer,
    private readonly teamKey: TeamKeyService,
  ) {}

  async receive(partner: PartnerPrincipal, message: string): Promise<SubmissionReceiptView> {
    const keys = await this.organisations.keysOfOrganisation(partner.organisationId);
    const { result, encrypted } = await this.check(message, keys);
    // The same message sent twice (or twice at once) is stored once: the recorder answers the first.
    const recorded = await this.recorder.record(submissionOf(partner, message, result, keys, encrypted), {
      actor: `channel:${partner.channelId}`,
    });
    const view = await this.views.view(recorded.submission.id);
    if (recorded.repeated) return this.repeated(partner, view, result);
    if (!result.ok) throw rejection(result, view);
    return { ...view, signedAcknowledgement: await this.acknowledgements.seal(recorded.submission) };
  }

  /**
   * The message's signature checked against the organisation's keys. A message encrypted to the
   * team's key (the active one or a retired one) is decrypted first, and its signed message checked
   * as if it had been sent signed only: the same signed statement, whichever way it came.
   */
  private async check(
    message: string,
    keys: readonly RecipientKeyEntity[],
  ): Promise<{ result: Checked; encrypted: boolean }> {
    const maxContentBytes = this.config.submissions.maxBytes;
    const encrypted = await isEncryptedMessage(message);
    let signed = message;
    if (encrypted) {
      const limits = { maxContentBytes, timeoutMs: this.config.intake.openPgpTimeoutMs };
      const decrypted = await decryptToSigned(message, await this.teamKey.decryptionKeys(), limits);
      if (!decrypted.ok) return { result: decrypted, encrypted: false };
      signed = decrypted.armored;
    }
    const known = keys.map((key) => ({ fingerprint: key.fingerprint, armored: key.armored }));
    return { result: await verifySignedBy(signed, known, new Date(), { maxContentBytes }), encrypted };
  }

  /**
   * A message the organisation already sent: nothing is stored again. Verified, it is answered 409
   * with the reference of the first submission; still refused, with the same refusal as before
   * (the first record as its reference). A message refused earlier that verifies now (its key was
   * renewed since) is not a repeat: its digest names the signed statement, not the bytes.
   */
  private repeated(partner: PartnerPrincipal, earlier: SubmissionView, result: Checked): never {
    this.logger.warn(
      `organisation ${partner.organisationId} sent submission ${earlier.id} again (channel ${partner.channelId}); not stored again`,
    );
    if (!result.ok) throw rejection(result, earlier, `already received as submission ${earlier.id}, and refused`);
    throw alreadyReceived(earlier);
  }
}

/**
 * What is stored of a message: for a verified one, its (decrypted) text with the label, title and
 * indicators read from it. `encrypted`: it was decrypted with a team key.
 */
function submissionOf(
  partner: PartnerPrincipal,
  message: string,
  result: Checked,
  keys: readonly RecipientKeyEntity[],
  encrypted: boolean,
): NewSubmission {
  const received = {
    source: 'api',
    organisationId: partner.organisationId,
    channelId: partner.channelId,
    encrypted,
    rawSizeBytes: Buffer.byteLength(message, 'utf8'),
  } as const;
  if (!result.ok) {
    return {
      ...received,
      senderProof: 'none',
      status: 'rejected',
      reason: result.reason,
      detail: result.detail.slice(0, 1_000),
      sizeBytes: 0,
      digest: receivedDigest(message),
    };
  }
  const reading = readSubmittedText(result.text);
  return {
    ...received,
    senderProof: 'signature',
    status: 'verified',
    senderContactId: keys.find((key) => key.fingerprint === result.signer)?.contactId ?? null,
    signerFingerprint: result.signer,
    content: result.text,
    sizeBytes: result.sizeBytes,
    digest: result.digest,
    ...reading,
  };
}
