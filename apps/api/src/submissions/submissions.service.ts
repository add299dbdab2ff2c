import { createHash } from 'node:crypto';
import { ConflictException, HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, QueryFailedError, Repository } from 'typeorm';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { verifySignedBy, VerifyResult } from '@tlp-broker/crypto';
import { AuditLog, OrganisationEntity, RecipientKeyEntity, SubmissionEntity } from '@tlp-broker/persistence';
import { PartnerPrincipal } from '../auth/principal';

export interface SubmissionView {
  id: string;
  organisationId: string;
  organisation: string;
  status: 'verified' | 'rejected';
  reason: string | null;
  detail: string | null;
  signerFingerprint: string | null;
  /** Bytes of signed content kept (0 for a rejected submission). */
  sizeBytes: number;
  /** Bytes received, before any decompression. */
  rawSizeBytes: number;
  receivedAt: Date;
}

type Rejection = Extract<VerifyResult, { ok: false }>;

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
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    @InjectRepository(SubmissionEntity) private readonly submissions: Repository<SubmissionEntity>,
  ) {}

  async receive(partner: PartnerPrincipal, message: string): Promise<SubmissionView> {
    const keys = await this.dataSource
      .getRepository(RecipientKeyEntity)
      .find({ where: { organisationId: partner.organisationId } });
    const result = await verifySignedBy(
      message,
      keys.map((key) => ({ fingerprint: key.fingerprint, armored: key.armored })),
      new Date(),
      { maxContentBytes: this.config.submissions.maxBytes },
    );
    const digest = result.ok ? result.digest : receivedDigest(message);
    const earlier = await this.submissions.findOne({ where: { organisationId: partner.organisationId, digest } });
    if (earlier) return this.repeated(partner, earlier, result);
    let saved: SubmissionEntity;
    try {
      saved = await this.record(partner, message, result, digest);
    } catch (error) {
      // The same message sent twice at once: the second insert meets the first one's digest.
      const first = isUniqueViolation(error)
        ? await this.submissions.findOne({ where: { organisationId: partner.organisationId, digest } })
        : null;
      if (first) return this.repeated(partner, first, result);
      throw error;
    }
    const view = await this.view(saved);
    if (!result.ok) throw rejection(result, view);
    return view;
  }

  async list(limit = 100): Promise<SubmissionView[]> {
    const rows = await this.submissions.find({ order: { receivedAt: 'DESC' }, take: limit });
    return Promise.all(rows.map((row) => this.view(row)));
  }

  private record(
    partner: PartnerPrincipal,
    message: string,
    result: VerifyResult,
    digest: string,
  ): Promise<SubmissionEntity> {
    return this.dataSource.transaction(async (manager) => {
      const row = await manager.getRepository(SubmissionEntity).save(
        manager.getRepository(SubmissionEntity).create({
          organisationId: partner.organisationId,
          channelId: partner.channelId,
          status: result.ok ? 'verified' : 'rejected',
          reason: result.ok ? null : result.reason,
          detail: result.ok ? null : result.detail.slice(0, 1_000),
          signerFingerprint: result.ok ? result.signer : null,
          content: result.ok ? result.text : null,
          sizeBytes: result.ok ? result.sizeBytes : 0,
          rawSizeBytes: Buffer.byteLength(message, 'utf8'),
          digest,
        }),
      );
      await this.audit.append(manager, {
        actor: `channel:${partner.channelId}`,
        action: result.ok ? 'submission.verified' : 'submission.rejected',
        subjectType: 'submission',
        subjectId: row.id,
        details: result.ok
          ? { organisationId: partner.organisationId, signer: result.signer }
          : { organisationId: partner.organisationId, reason: result.reason },
      });
      return row;
    });
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
    const message = `already received as submission ${earlier.id} on ${earlier.receivedAt.toISOString()}`;
    throw new ConflictException({
      statusCode: 409,
      error: 'Conflict',
      message: `message: ${message}`,
      details: [{ field: 'message', message }],
      submission: view,
    });
  }

  private async view(row: SubmissionEntity): Promise<SubmissionView> {
    const organisation = await this.dataSource
      .getRepository(OrganisationEntity)
      .findOne({ where: { id: row.organisationId }, select: { name: true } });
    return {
      id: row.id,
      organisationId: row.organisationId,
      organisation: organisation?.name ?? row.organisationId,
      status: row.status,
      reason: row.reason,
      detail: row.detail,
      signerFingerprint: row.signerFingerprint,
      sizeBytes: row.sizeBytes,
      rawSizeBytes: row.rawSizeBytes,
      receivedAt: row.receivedAt,
    };
  }
}

/** A refused message's digest: its exact bytes, in a domain of its own (never equal to a signed statement's). */
function receivedDigest(message: string): string {
  return createHash('sha256').update('tlp-broker/received-bytes@1\n').update(message, 'utf8').digest('hex');
}

/** 413 when the content is over SUBMISSION_MAX_BYTES once decompressed, 422 for every other refusal. */
function rejection(result: Rejection, view: SubmissionView, note?: string): HttpException {
  const status = result.reason === 'too-large' ? HttpStatus.PAYLOAD_TOO_LARGE : HttpStatus.UNPROCESSABLE_ENTITY;
  const detail = `${result.reason}: ${result.detail}${note ? ` (${note})` : ''}`;
  return new HttpException(
    {
      statusCode: status,
      error: status === HttpStatus.PAYLOAD_TOO_LARGE ? 'Payload Too Large' : 'Unprocessable Entity',
      message: `message: rejected (${detail})`,
      details: [{ field: 'message', message: detail }],
      submission: view,
    },
    status,
  );
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string } | undefined)?.code === '23505';
}
