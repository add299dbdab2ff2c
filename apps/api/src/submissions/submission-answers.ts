import { createHash } from 'node:crypto';
import { ConflictException, HttpException, HttpStatus, NotFoundException } from '@nestjs/common';
import { DecryptedRefusal, VerifyResult } from '@tlp-broker/crypto';
import type { SubmissionView } from './submission-views';

/** A submission checked: its signature verified, or why not, or why it could not be decrypted first. */
export type Checked = VerifyResult | DecryptedRefusal;

export type Rejection = Extract<Checked, { ok: false }>;

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

/** 404 naming what was not found: the submission (`id`), or a thing the request named (`itemId`, `attachmentId`). */
export function notFound(field: string, message: string): NotFoundException {
  return new NotFoundException({
    statusCode: 404,
    error: 'Not Found',
    message: `${field}: ${message}`,
    details: [{ field, message }],
  });
}

/** 409: the submission's state does not allow the step; `field` names what is in the way. */
export function conflict(field: string, message: string): ConflictException {
  return new ConflictException({
    statusCode: 409,
    error: 'Conflict',
    message: `${field}: ${message}`,
    details: [{ field, message }],
  });
}
