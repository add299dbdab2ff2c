import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { verifySignedBy } from '@tlp-broker/crypto';
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
  sizeBytes: number;
  receivedAt: Date;
}

/**
 * Material partners send in. It is accepted only when signed by a key registered for the sending
 * organisation (its own or one of its contacts'); anything else is rejected, and the rejection
 * is recorded and audited as well.
 */
@Injectable()
export class SubmissionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    @InjectRepository(SubmissionEntity) private readonly submissions: Repository<SubmissionEntity>,
  ) {}

  async receive(partner: PartnerPrincipal, message: string): Promise<SubmissionView> {
    const keys = await this.dataSource.getRepository(RecipientKeyEntity).find({ where: { organisationId: partner.organisationId } });
    const result = await verifySignedBy(message, keys.map((key) => ({ fingerprint: key.fingerprint, armored: key.armored })));
    const saved = await this.dataSource.transaction(async (manager) => {
      const row = await manager.getRepository(SubmissionEntity).save(
        manager.getRepository(SubmissionEntity).create({
          organisationId: partner.organisationId,
          channelId: partner.channelId,
          status: result.ok ? 'verified' : 'rejected',
          reason: result.ok ? null : result.reason,
          detail: result.ok ? null : result.detail.slice(0, 1_000),
          signerFingerprint: result.ok ? result.signer : null,
          content: result.ok ? result.text : null,
          sizeBytes: Buffer.byteLength(message, 'utf8'),
        }),
      );
      await this.audit.append(manager, {
        actor: `channel:${partner.channelId}`,
        action: result.ok ? 'submission.verified' : 'submission.rejected',
        subjectType: 'submission',
        subjectId: row.id,
        details: result.ok ? { organisationId: partner.organisationId, signer: result.signer } : { organisationId: partner.organisationId, reason: result.reason },
      });
      return row;
    });
    const view = await this.view(saved);
    if (!result.ok) {
      throw new UnprocessableEntityException({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: `message: rejected (${result.reason}): ${result.detail}`,
        details: [{ field: 'message', message: `${result.reason}: ${result.detail}` }],
        submission: view,
      });
    }
    return view;
  }

  async list(limit = 100): Promise<SubmissionView[]> {
    const rows = await this.submissions.find({ order: { receivedAt: 'DESC' }, take: limit });
    return Promise.all(rows.map((row) => this.view(row)));
  }

  private async view(row: SubmissionEntity): Promise<SubmissionView> {
    const organisation = await this.dataSource.getRepository(OrganisationEntity).findOne({ where: { id: row.organisationId }, select: { name: true } });
    return {
      id: row.id,
      organisationId: row.organisationId,
      organisation: organisation?.name ?? row.organisationId,
      status: row.status,
      reason: row.reason,
      detail: row.detail,
      signerFingerprint: row.signerFingerprint,
      sizeBytes: row.sizeBytes,
      receivedAt: row.receivedAt,
    };
  }
}
