import { createHash } from 'node:crypto';
import { ConflictException, HttpException, HttpStatus } from '@nestjs/common';
import { VerifyResult } from '@tlp-broker/crypto';
import type { SubmissionStatus } from '@tlp-broker/domain';
import { SubmissionEntity } from '@tlp-broker/persistence';

export interface SubmissionView {
  id: string;
  /** Given back to the sender (`PJ-2026-000123`); null for a rejected submission. */
  reference: string | null;
  organisationId: string | null;
  organisation: string | null;
  status: SubmissionStatus;
  reason: string | null;
  detail: string | null;
  signerFingerprint: string | null;
  /** Bytes of signed content kept (0 for a rejected submission). */
  sizeBytes: number;
  /** Bytes received, before any decompression. */
  rawSizeBytes: number;
  receivedAt: Date;
}

export type Rejection = Extract<VerifyResult, { ok: false }>;

export function submissionView(row: SubmissionEntity, organisation: string | undefined): SubmissionView {
  return {
    id: row.id,
    reference: row.reference,
    organisationId: row.organisationId,
    organisation: organisation ?? row.organisationId,
    status: row.status,
    reason: row.reason,
    detail: row.detail,
    signerFingerprint: row.signerFingerprint,
    sizeBytes: row.sizeBytes,
    rawSizeBytes: row.rawSizeBytes,
    receivedAt: row.receivedAt,
  };
}

/** A refused message's digest: its exact bytes, in a domain of its own (never equal to a signed statement's). */
export function receivedDigest(message: string): string {
  return createHash('sha256').update('tlp-broker/received-bytes@1\n').update(message, 'utf8').digest('hex');
}

/** 413 when the content is over SUBMISSION_MAX_BYTES once decompressed, 422 for every other refusal. */
export function rejection(result: Rejection, view: SubmissionView, note?: string): HttpException {
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

/** 409 naming the first submission of a verified message sent again. */
export function alreadyReceived(view: SubmissionView): ConflictException {
  const message = `already received as submission ${view.id} on ${view.receivedAt.toISOString()}`;
  return new ConflictException({
    statusCode: 409,
    error: 'Conflict',
    message: `message: ${message}`,
    details: [{ field: 'message', message }],
    submission: view,
  });
}
