import { HttpException, HttpStatus } from '@nestjs/common';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import { verifySignedBy, VerifyResult } from '@tlp-broker/crypto';
import type {
  NewSubmission,
  OrganisationRepository,
  SubmissionEntity,
  SubmissionRepository,
} from '@tlp-broker/persistence';
import { rejection } from '../../../../test/support/errors';
import { fakeAudit, fakeTransactions, partnerPrincipal, tx } from '../../../../test/support/mocks';
import { SubmissionsService } from './submissions.service';

vi.mock('@tlp-broker/crypto', () => ({ verifySignedBy: vi.fn() }));
const verify = vi.mocked(verifySignedBy);

const partner = partnerPrincipal(['submit']);
const config = { submissions: { maxBytes: 4096 } } as unknown as AppConfig;
const MESSAGE = '-----BEGIN PGP MESSAGE-----\nsigned\n-----END PGP MESSAGE-----\n';

const verified: VerifyResult = {
  ok: true,
  text: 'Phishing report',
  signer: 'A'.repeat(40) as never,
  sizeBytes: 15,
  digest: 'd'.repeat(64),
};
const tooLarge: VerifyResult = { ok: false, reason: 'too-large', detail: 'more than 4096 bytes once decompressed' };

const stored = (fields: NewSubmission, id = 'submission-1'): SubmissionEntity =>
  ({ ...fields, id, receivedAt: new Date('2026-12-01T10:00:00Z') }) as SubmissionEntity;

function service(options: { earlier?: SubmissionEntity | null; raced?: SubmissionEntity } = {}) {
  const submissions = {
    sentBefore: vi.fn(async () => options.earlier ?? null),
    insertUnlessSent: vi.fn(async (fields: NewSubmission) => (options.raced ? null : stored(fields))),
    newest: vi.fn(async () => [] as SubmissionEntity[]),
  };
  if (options.raced) submissions.sentBefore.mockResolvedValueOnce(null).mockResolvedValueOnce(options.raced);
  const organisations = {
    keysOfOrganisation: vi.fn(async () => [{ fingerprint: 'A'.repeat(40), armored: 'armored key' }]),
    organisationNames: vi.fn(
      async (ids: readonly string[]) => new Map(ids.filter((id) => id === 'org-1').map((id) => [id, 'Reporting CERT'])),
    ),
  };
  const audit = fakeAudit();
  return {
    submissions,
    organisations,
    audit,
    service: new SubmissionsService(
      config,
      fakeTransactions(),
      audit,
      submissions as unknown as SubmissionRepository,
      organisations as unknown as OrganisationRepository,
    ),
  };
}

/** What a refused call answers: its status and body. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; body: Record<string, any> }> {
  const error = await rejection(call, HttpException);
  return { status: error.getStatus(), body: error.getResponse() as never };
}

describe('SubmissionsService', () => {
  beforeEach(() => verify.mockReset());

  it("stores a message signed by one of the organisation's keys, with its audit event in the same transaction", async () => {
    verify.mockResolvedValue(verified);
    const { service: submissions, submissions: repository, audit } = service();
    const view = await submissions.receive(partner, MESSAGE);
    expect(verify).toHaveBeenCalledWith(
      MESSAGE,
      [{ fingerprint: 'A'.repeat(40), armored: 'armored key' }],
      expect.any(Date),
      {
        maxContentBytes: 4096,
      },
    );
    expect(repository.insertUnlessSent).toHaveBeenCalledWith(
      {
        organisationId: 'org-1',
        channelId: 'channel-1',
        status: 'verified',
        reason: null,
        detail: null,
        signerFingerprint: 'A'.repeat(40),
        content: 'Phishing report',
        sizeBytes: 15,
        rawSizeBytes: Buffer.byteLength(MESSAGE),
        digest: 'd'.repeat(64),
      },
      tx,
    );
    expect(audit.append).toHaveBeenCalledWith(tx, {
      actor: 'channel:channel-1',
      action: 'submission.verified',
      subjectType: 'submission',
      subjectId: 'submission-1',
      details: { organisationId: 'org-1', signer: 'A'.repeat(40) },
    });
    expect(view).toMatchObject({
      id: 'submission-1',
      organisation: 'Reporting CERT',
      status: 'verified',
      sizeBytes: 15,
    });
  });

  it('refuses content over the bound once decompressed with 413, recording it without any of its content', async () => {
    verify.mockResolvedValue(tooLarge);
    const { service: submissions, submissions: repository, audit } = service();
    const { status, body } = await refusal(submissions.receive(partner, MESSAGE));
    expect(status).toBe(HttpStatus.PAYLOAD_TOO_LARGE);
    expect(body).toMatchObject({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'message: rejected (too-large: more than 4096 bytes once decompressed)',
      details: [{ field: 'message', message: 'too-large: more than 4096 bytes once decompressed' }],
      submission: { status: 'rejected', reason: 'too-large', sizeBytes: 0 },
    });
    const recorded = repository.insertUnlessSent.mock.calls[0][0];
    expect(recorded).toMatchObject({ status: 'rejected', content: null, signerFingerprint: null, sizeBytes: 0 });
    expect(recorded.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(audit.append).toHaveBeenCalledWith(
      tx,
      expect.objectContaining({
        action: 'submission.rejected',
        details: { organisationId: 'org-1', reason: 'too-large' },
      }),
    );
  });

  it('answers 422 for any other refusal, its detail bounded', async () => {
    verify.mockResolvedValue({ ok: false, reason: 'unknown-signer', detail: 'x'.repeat(5_000) });
    const { service: submissions, submissions: repository } = service();
    const { status, body } = await refusal(submissions.receive(partner, MESSAGE));
    expect(status).toBe(HttpStatus.UNPROCESSABLE_ENTITY);
    expect(body.error).toBe('Unprocessable Entity');
    expect(repository.insertUnlessSent.mock.calls[0][0].detail).toHaveLength(1_000);
  });

  it('answers a verified message sent again 409 with the first submission, storing and auditing nothing', async () => {
    verify.mockResolvedValue(verified);
    const earlier = stored({ organisationId: 'org-1', status: 'verified' } as NewSubmission, 'submission-first');
    const { service: submissions, submissions: repository, audit } = service({ earlier });
    const { status, body } = await refusal(submissions.receive(partner, MESSAGE));
    expect(status).toBe(HttpStatus.CONFLICT);
    const message = 'already received as submission submission-first on 2026-12-01T10:00:00.000Z';
    expect(body).toMatchObject({
      statusCode: 409,
      message: `message: ${message}`,
      details: [{ field: 'message', message }],
      submission: { id: 'submission-first' },
    });
    expect(repository.sentBefore).toHaveBeenCalledWith('org-1', 'd'.repeat(64));
    expect(repository.insertUnlessSent).not.toHaveBeenCalled();
    expect(audit.append).not.toHaveBeenCalled();
  });

  it('refuses a refused message sent again as before, naming the first record, and stores nothing', async () => {
    verify.mockResolvedValue(tooLarge);
    const earlier = stored({ organisationId: 'org-1', status: 'rejected' } as NewSubmission, 'submission-first');
    const { service: submissions, submissions: repository } = service({ earlier });
    const { status, body } = await refusal(submissions.receive(partner, MESSAGE));
    expect(status).toBe(HttpStatus.PAYLOAD_TOO_LARGE);
    expect(body.details[0].message).toBe(
      'too-large: more than 4096 bytes once decompressed (already received as submission submission-first, and refused)',
    );
    expect(body.submission.id).toBe('submission-first');
    expect(repository.insertUnlessSent).not.toHaveBeenCalled();
  });

  it('answers the second of two copies sent at once 409 with the first, without auditing it', async () => {
    verify.mockResolvedValue(verified);
    const first = stored({ organisationId: 'org-1', status: 'verified' } as NewSubmission, 'submission-first');
    const { service: submissions, audit } = service({ raced: first });
    const { status, body } = await refusal(submissions.receive(partner, MESSAGE));
    expect(status).toBe(HttpStatus.CONFLICT);
    expect(body.submission.id).toBe('submission-first');
    expect(audit.append).not.toHaveBeenCalled();
  });

  it('lists submissions newest first with their organisations named in one read', async () => {
    const { service: submissions, submissions: repository, organisations } = service();
    repository.newest.mockResolvedValue([
      stored({ organisationId: 'org-1', status: 'verified' } as NewSubmission, 's-2'),
      stored({ organisationId: 'org-gone', status: 'rejected' } as NewSubmission, 's-1'),
    ]);
    const list = await submissions.list(50);
    expect(repository.newest).toHaveBeenCalledWith(50);
    expect(organisations.organisationNames).toHaveBeenCalledTimes(1);
    expect(list.map((view) => [view.id, view.organisation])).toEqual([
      ['s-2', 'Reporting CERT'],
      ['s-1', 'org-gone'],
    ]);
  });
});
