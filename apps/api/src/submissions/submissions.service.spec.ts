import { HttpException, HttpStatus } from '@nestjs/common';
import * as openpgp from 'openpgp';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import { decryptToSigned, TeamKeyService, verifySignedBy, VerifyResult } from '@tlp-broker/crypto';
import type { AcknowledgementSealer, Recorded, SubmissionRecorder } from '@tlp-broker/intake';
import type { NewSubmission, OrganisationRepository, SubmissionEntity } from '@tlp-broker/persistence';
import { rejection } from '../../../../test/support/errors';
import { partnerPrincipal } from '../../../../test/support/mocks';
import type { SubmissionView } from './submission-views';
import type { SubmissionViewsService } from './submission-views.service';
import { SubmissionsService } from './submissions.service';

vi.mock('@tlp-broker/crypto', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@tlp-broker/crypto')>()),
  verifySignedBy: vi.fn(),
  decryptToSigned: vi.fn(),
}));
const verify = vi.mocked(verifySignedBy);
const decrypt = vi.mocked(decryptToSigned);

const partner = partnerPrincipal(['submit']);
const config = { submissions: { maxBytes: 4096 }, intake: { openPgpTimeoutMs: 20_000 } } as unknown as AppConfig;
const MESSAGE = '-----BEGIN PGP MESSAGE-----\nsigned\n-----END PGP MESSAGE-----\n';
const SIGNER = 'A'.repeat(40);
/** What TeamKeyService.decryptionKeys answers: passed on as they are. */
const TEAM_KEYS = ['active team key', 'retired team key'] as unknown as openpgp.PrivateKey[];
const INNER = '-----BEGIN PGP MESSAGE-----\nthe signed message inside\n-----END PGP MESSAGE-----\n';
/** A message encrypted to some key: what decides that it is decrypted first is its packets, not its armor. */
let encrypted: string;

beforeAll(async () => {
  const { publicKey } = await openpgp.generateKey({ userIDs: [{ name: 'Team' }], format: 'object' });
  encrypted = await openpgp.encrypt({ message: await openpgp.createMessage({ text: 'x' }), encryptionKeys: publicKey });
});

const signed = (text: string): VerifyResult => ({
  ok: true,
  text,
  signer: SIGNER as never,
  sizeBytes: Buffer.byteLength(text),
  digest: 'd'.repeat(64),
});
const tooLarge: VerifyResult = { ok: false, reason: 'too-large', detail: 'more than 4096 bytes once decompressed' };

/** What the views service answers for a stored submission: enough of a view for the answers built from it. */
const viewOf = (id: string): SubmissionView =>
  ({ id, reference: 'PJ-2026-000001', receivedAt: new Date('2026-12-01T10:00:00Z') }) as SubmissionView;

function service(options: { repeated?: boolean } = {}) {
  const recorder = {
    record: vi.fn(async (fields: NewSubmission): Promise<Recorded> => ({
      submission: { ...fields, id: options.repeated ? 'submission-first' : 'submission-1' } as SubmissionEntity,
      repeated: options.repeated ?? false,
      acknowledgement: null,
    })),
  };
  const organisations = {
    keysOfOrganisation: vi.fn(async () => [{ fingerprint: SIGNER, armored: 'armored key', contactId: 'contact-1' }]),
  };
  const views = { view: vi.fn(async (id: string) => viewOf(id)) };
  const acknowledgements = { seal: vi.fn(async (submission: SubmissionEntity) => `sealed for ${submission.id}`) };
  const teamKey = { decryptionKeys: vi.fn(async () => TEAM_KEYS) };
  return {
    recorder,
    views,
    acknowledgements,
    teamKey,
    service: new SubmissionsService(
      config,
      recorder as unknown as SubmissionRecorder,
      organisations as unknown as OrganisationRepository,
      views as unknown as SubmissionViewsService,
      acknowledgements as unknown as AcknowledgementSealer,
      teamKey as unknown as TeamKeyService,
    ),
  };
}

/** What a refused call answers: its status and body. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; body: Record<string, any> }> {
  const error = await rejection(call, HttpException);
  return { status: error.getStatus(), body: error.getResponse() as never };
}

describe('SubmissionsService', () => {
  beforeEach(() => {
    verify.mockReset();
    decrypt.mockReset();
  });

  it("records a message signed by one of the organisation's keys, its signer's contact, label, title and indicators read from it", async () => {
    const text = '\n  [TLP:AMBER+STRICT] Phishing wave against town halls  \nPAP:GREEN\nC2: 198.51.100[.]7\n';
    verify.mockResolvedValue(signed(text));
    const { service: submissions, recorder } = service();
    const view = await submissions.receive(partner, MESSAGE);
    expect(verify).toHaveBeenCalledWith(MESSAGE, [{ fingerprint: SIGNER, armored: 'armored key' }], expect.any(Date), {
      maxContentBytes: 4096,
    });
    expect(recorder.record).toHaveBeenCalledWith(
      {
        source: 'api',
        senderProof: 'signature',
        status: 'verified',
        organisationId: 'org-1',
        channelId: 'channel-1',
        senderContactId: 'contact-1',
        signerFingerprint: SIGNER,
        content: text,
        sizeBytes: Buffer.byteLength(text),
        encrypted: false,
        rawSizeBytes: Buffer.byteLength(MESSAGE),
        digest: 'd'.repeat(64),
        title: '[TLP:AMBER+STRICT] Phishing wave against town halls',
        tlp: 'TLP:AMBER+STRICT',
        pap: 'PAP:GREEN',
        flags: [],
        indicators: [{ type: 'ipv4', value: '198.51.100.7' }],
      },
      { actor: 'channel:channel-1' },
    );
    expect(view).toEqual({ ...viewOf('submission-1'), signedAcknowledgement: 'sealed for submission-1' });
    expect(decrypt).not.toHaveBeenCalled();
  });

  it('holds an unlabelled message as TLP:AMBER, flagged until an analyst confirms the label', async () => {
    verify.mockResolvedValue(signed('A report without any marking'));
    const { service: submissions, recorder } = service();
    await submissions.receive(partner, MESSAGE);
    expect(recorder.record.mock.calls[0][0]).toMatchObject({ tlp: 'TLP:AMBER', pap: null, flags: ['label-assumed'] });
  });

  it('refuses content over the bound once decompressed with 413, recording it without any of its content', async () => {
    verify.mockResolvedValue(tooLarge);
    const { service: submissions, recorder } = service();
    const { status, body } = await refusal(submissions.receive(partner, MESSAGE));
    expect(status).toBe(HttpStatus.PAYLOAD_TOO_LARGE);
    expect(body).toMatchObject({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'message: rejected (too-large: more than 4096 bytes once decompressed)',
      details: [{ field: 'message', message: 'too-large: more than 4096 bytes once decompressed' }],
      submission: { id: 'submission-1' },
    });
    const recorded = recorder.record.mock.calls[0][0];
    expect(recorded).toMatchObject({ status: 'rejected', senderProof: 'none', reason: 'too-large', sizeBytes: 0 });
    expect(recorded).not.toHaveProperty('content');
    expect(recorded).not.toHaveProperty('tlp');
    expect(recorded.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers 422 for any other refusal, its detail bounded', async () => {
    verify.mockResolvedValue({ ok: false, reason: 'unknown-signer', detail: 'x'.repeat(5_000) });
    const { service: submissions, recorder } = service();
    const { status, body } = await refusal(submissions.receive(partner, MESSAGE));
    expect(status).toBe(HttpStatus.UNPROCESSABLE_ENTITY);
    expect(body.error).toBe('Unprocessable Entity');
    expect(recorder.record.mock.calls[0][0].detail).toHaveLength(1_000);
  });

  it('answers a verified message sent again 409 with the first submission', async () => {
    verify.mockResolvedValue(signed('Phishing report'));
    const { service: submissions } = service({ repeated: true });
    const { status, body } = await refusal(submissions.receive(partner, MESSAGE));
    expect(status).toBe(HttpStatus.CONFLICT);
    const message = 'already received as submission submission-first on 2026-12-01T10:00:00.000Z';
    expect(body).toMatchObject({
      statusCode: 409,
      message: `message: ${message}`,
      details: [{ field: 'message', message }],
      submission: { id: 'submission-first', reference: 'PJ-2026-000001' },
    });
  });

  it('refuses a refused message sent again as before, naming the first record', async () => {
    verify.mockResolvedValue(tooLarge);
    const { service: submissions } = service({ repeated: true });
    const { status, body } = await refusal(submissions.receive(partner, MESSAGE));
    expect(status).toBe(HttpStatus.PAYLOAD_TOO_LARGE);
    expect(body.details[0].message).toBe(
      'too-large: more than 4096 bytes once decompressed (already received as submission submission-first, and refused)',
    );
    expect(body.submission.id).toBe('submission-first');
  });

  it('decrypts a message encrypted to the team key first, then verifies and stores the signed message inside', async () => {
    const text = 'Phishing wave against town halls\nC2: 198.51.100.7\n';
    decrypt.mockResolvedValue({ ok: true, armored: INNER, decryptedWith: 'B'.repeat(40) });
    verify.mockResolvedValue(signed(text));
    const { service: submissions, recorder, teamKey } = service();
    await submissions.receive(partner, encrypted);
    expect(teamKey.decryptionKeys).toHaveBeenCalled();
    expect(decrypt).toHaveBeenCalledWith(encrypted, TEAM_KEYS, { maxContentBytes: 4096, timeoutMs: 20_000 });
    expect(verify).toHaveBeenCalledWith(INNER, [{ fingerprint: SIGNER, armored: 'armored key' }], expect.any(Date), {
      maxContentBytes: 4096,
    });
    expect(recorder.record.mock.calls[0][0]).toMatchObject({
      status: 'verified',
      encrypted: true,
      content: text,
      signerFingerprint: SIGNER,
      rawSizeBytes: Buffer.byteLength(encrypted),
      digest: 'd'.repeat(64),
    });
  });

  it('refuses an encrypted message it cannot decrypt with 422 naming the problem, recorded like any refusal', async () => {
    const detail = 'encrypted to key id 0123456789ABCDEF, none of them a team key (current or retired)';
    decrypt.mockResolvedValue({ ok: false, reason: 'undecryptable', detail });
    const { service: submissions, recorder } = service();
    const { status, body } = await refusal(submissions.receive(partner, encrypted));
    expect(status).toBe(HttpStatus.UNPROCESSABLE_ENTITY);
    expect(body).toMatchObject({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: `message: rejected (undecryptable: ${detail})`,
      details: [{ field: 'message', message: `undecryptable: ${detail}` }],
      submission: { id: 'submission-1' },
    });
    expect(verify).not.toHaveBeenCalled();
    const recorded = recorder.record.mock.calls[0][0];
    expect(recorded).toMatchObject({
      status: 'rejected',
      senderProof: 'none',
      reason: 'undecryptable',
      detail,
      encrypted: false,
      sizeBytes: 0,
      rawSizeBytes: Buffer.byteLength(encrypted),
    });
    expect(recorded).not.toHaveProperty('content');
  });

  it('answers an encrypted message whose inside is over the bound 413, and one not signed inside 422 unsigned', async () => {
    decrypt.mockResolvedValue({ ok: false, reason: 'too-large', detail: 'the content is larger than 4096 bytes' });
    expect((await refusal(service().service.receive(partner, encrypted))).status).toBe(HttpStatus.PAYLOAD_TOO_LARGE);
    decrypt.mockResolvedValue({ ok: false, reason: 'unsigned', detail: 'encrypted to the team key but not signed' });
    const { status, body } = await refusal(service().service.receive(partner, encrypted));
    expect(status).toBe(HttpStatus.UNPROCESSABLE_ENTITY);
    expect(body.details[0].message).toBe('unsigned: encrypted to the team key but not signed');
  });

  it('records a message refused after decryption (signed by an unknown key) as having come encrypted', async () => {
    decrypt.mockResolvedValue({ ok: true, armored: INNER, decryptedWith: null });
    verify.mockResolvedValue({ ok: false, reason: 'unknown-signer', detail: 'signed by key id 0123456789ABCDEF' });
    const { service: submissions, recorder } = service();
    expect((await refusal(submissions.receive(partner, encrypted))).body.details[0].message).toMatch(
      /^unknown-signer: /,
    );
    expect(recorder.record.mock.calls[0][0]).toMatchObject({ reason: 'unknown-signer', encrypted: true });
  });
});
