import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { verifySignedBy, VerifyResult } from '@tlp-broker/crypto';
import { SubmissionRecorder } from '@tlp-broker/intake';
import { OrganisationRepository, SubmissionEntity, SubmissionRepository } from '@tlp-broker/persistence';
import { PartnerPrincipal } from '../auth/principal';
import { alreadyReceived, receivedDigest, rejection, submissionView, SubmissionView } from './submission-answers';

export type { SubmissionView } from './submission-answers';

/**
 * Material partners send in. It is accepted only when signed by a key registered for the sending
 * organisation (its own or one of its contacts'); anything else is rejected, and the rejection
 * is recorded and audited as well. Signed content is bounded once decompressed
 * (SUBMISSION_MAX_BYTES), and the same message sent again by the same organisation is recognised
 * and not stored a second time.
 */
@Injectable()
export class SubmissionsService {
  private readonly logger = new Logger(SubmissionsService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly recorder: SubmissionRecorder,
    private readonly submissions: SubmissionRepository,
    private readonly organisations: OrganisationRepository,
  ) {}

  async receive(partner: PartnerPrincipal, message: string): Promise<SubmissionView> {
    const keys = await this.organisations.keysOfOrganisation(partner.organisationId);
    const result = await verifySignedBy(
      message,
      keys.map((key) => ({ fingerprint: key.fingerprint, armored: key.armored })),
      new Date(),
      { maxContentBytes: this.config.submissions.maxBytes },
    );
    const digest = result.ok ? result.digest : receivedDigest(message);
    const earlier = await this.submissions.sentBefore(partner.organisationId, digest);
    if (earlier) return this.repeated(partner, earlier, result);
    const signerContactId = result.ok
      ? (keys.find((key) => key.fingerprint === result.signer)?.contactId ?? null)
      : null;
    const saved = await this.record(partner, message, result, digest, signerContactId);
    // The same message sent twice at once: the second waited for the first, and stored nothing.
    if (!saved) return this.repeated(partner, await this.first(partner, digest), result);
    const view = await this.view(saved);
    if (!result.ok) throw rejection(result, view);
    return view;
  }

  async list(limit = 100): Promise<SubmissionView[]> {
    const rows = await this.submissions.newest(limit);
    const names = await this.organisations.organisationNames(rows.flatMap((row) => row.organisationId ?? []));
    return rows.map((row) => submissionView(row, row.organisationId ? names.get(row.organisationId) : undefined));
  }

  /** The submission, its audit event and acknowledgement, together; null (nothing written) when the organisation already sent it. */
  private async record(
    partner: PartnerPrincipal,
    message: string,
    result: VerifyResult,
    digest: string,
    signerContactId: string | null,
  ): Promise<SubmissionEntity | null> {
    const recorded = await this.recorder.record(
      {
        source: 'api',
        senderProof: result.ok ? 'signature' : 'none',
        organisationId: partner.organisationId,
        channelId: partner.channelId,
        senderContactId: signerContactId,
        status: result.ok ? 'verified' : 'rejected',
        reason: result.ok ? null : result.reason,
        detail: result.ok ? null : result.detail.slice(0, 1_000),
        signerFingerprint: result.ok ? result.signer : null,
        content: result.ok ? result.text : null,
        sizeBytes: result.ok ? result.sizeBytes : 0,
        rawSizeBytes: Buffer.byteLength(message, 'utf8'),
        digest,
      },
      { actor: `channel:${partner.channelId}` },
    );
    return recorded.repeated ? null : recorded.submission;
  }

  private async first(partner: PartnerPrincipal, digest: string): Promise<SubmissionEntity> {
    const first = await this.submissions.sentBefore(partner.organisationId, digest);
    if (!first)
      throw new Error(`submission ${digest} of organisation ${partner.organisationId} neither stored nor found`);
    return first;
  }

  /**
   * A message the organisation already sent: nothing is stored again. Verified, it is answered 409
   * with the reference of the first submission; still refused, with the same refusal as before
   * (the first record as its reference). A message refused earlier that verifies now (its key was
   * renewed since) is not a repeat: its digest names the signed statement, not the bytes.
   */
  private async repeated(partner: PartnerPrincipal, earlier: SubmissionEntity, result: VerifyResult): Promise<never> {
    const view = await this.view(earlier);
    this.logger.warn(
      `organisation ${partner.organisationId} sent submission ${earlier.id} again (channel ${partner.channelId}); not stored again`,
    );
    if (!result.ok) throw rejection(result, view, `already received as submission ${earlier.id}, and refused`);
    throw alreadyReceived(view);
  }

  private async view(row: SubmissionEntity): Promise<SubmissionView> {
    const names = await this.organisations.organisationNames(row.organisationId ? [row.organisationId] : []);
    return submissionView(row, row.organisationId ? names.get(row.organisationId) : undefined);
  }
}
