import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ReadMail } from '@tlp-broker/channels';
import { acceptedMail, fromMatchesSigner, mailIdentity, refusedMail } from './mail-submission';

const SIGNER = { fingerprint: 'AB'.repeat(20), armored: 'key', organisationId: 'org-1', contactId: 'contact-1' };

function aMail(changes: Partial<ReadMail> = {}): ReadMail {
  return {
    messageId: '<m@example>',
    from: { name: 'SOC', address: 'soc@police.example' },
    subject: 'Phishing wave [TLP:GREEN]',
    date: null,
    encrypted: true,
    form: 'pgp-mime',
    signature: { state: 'verified', signer: SIGNER, digest: 'cd'.repeat(32) },
    text: 'Seen at hxxp://bad[.]example/login and 198.51.100.7. PAP:AMBER',
    htmlReduced: false,
    attachments: [],
    attachmentsDropped: 0,
    rawSizeBytes: 4_000,
    decryptedWith: 'EF'.repeat(20),
    ...changes,
  };
}

describe('mailIdentity', () => {
  it('is the Message-ID, or the digest of the bytes when there is none', () => {
    expect(mailIdentity('<m@example>')).toBe('<m@example>');
    const raw = Buffer.from('Subject: x\r\n\r\nbody');
    expect(mailIdentity(null, raw)).toBe(`sha256:${createHash('sha256').update(raw).digest('hex')}`);
  });

  it('keeps an overlong Message-ID as its digest, so the unique index can hold it', () => {
    const identity = mailIdentity(`<${'x'.repeat(5_000)}@example>`);
    expect(identity).toMatch(/^message-id-sha256:[0-9a-f]{64}$/);
  });
});

describe('acceptedMail', () => {
  it('names the signing key’s owner as the verified sender, with the label, PAP and indicators read in the mail', () => {
    const { submission } = acceptedMail(aMail(), '<m@example>', false);
    expect(submission).toMatchObject({
      source: 'email',
      status: 'verified',
      senderProof: 'signature',
      organisationId: 'org-1',
      senderContactId: 'contact-1',
      signerFingerprint: SIGNER.fingerprint,
      digest: 'cd'.repeat(32),
      messageId: '<m@example>',
      fromAddress: 'soc@police.example',
      encrypted: true,
      title: 'Phishing wave [TLP:GREEN]',
      tlp: 'TLP:GREEN',
      pap: 'PAP:AMBER',
      flags: [],
      sizeBytes: Buffer.byteLength(aMail().text),
      rawSizeBytes: 4_000,
    });
    expect(submission.indicators).toEqual(
      expect.arrayContaining([
        { type: 'url', value: 'http://bad.example/login' },
        { type: 'ipv4', value: '198.51.100.7' },
      ]),
    );
  });

  it('accepts a message in the clear, signed by nobody, as unverified; unlabelled, held as TLP:AMBER', () => {
    const { submission } = acceptedMail(
      aMail({ encrypted: false, form: 'clear', signature: { state: 'unsigned' }, subject: 'hello', text: 'hi' }),
      '<m@example>',
      false,
    );
    expect(submission).toMatchObject({
      status: 'unverified',
      senderProof: 'none',
      organisationId: null,
      signerFingerprint: null,
      digest: null,
      tlp: 'TLP:AMBER',
      pap: null,
      flags: ['unencrypted', 'unsigned', 'label-assumed'],
    });
  });

  it('flags an unknown signer, a From: mismatch, a reduced HTML body and dropped attachments', () => {
    expect(
      acceptedMail(aMail({ signature: { state: 'unknown-signer', keyIds: ['1234'] } }), 'id', false).submission.flags,
    ).toEqual(['unknown-signer']);
    const flagged = acceptedMail(aMail({ htmlReduced: true, attachmentsDropped: 2 }), 'id', true).submission.flags;
    expect(flagged).toEqual(['from-mismatch', 'html-reduced', 'attachments-dropped']);
  });

  it('keeps attachments in order with their size and digest', () => {
    const content = Buffer.from('sample');
    const { attachments } = acceptedMail(
      aMail({ attachments: [{ filename: 'a.txt', mediaType: 'text/plain', content }] }),
      'id',
      false,
    );
    expect(attachments).toEqual([
      {
        position: 0,
        filename: 'a.txt',
        mediaType: 'text/plain',
        sizeBytes: 6,
        sha256: createHash('sha256').update(content).digest('hex'),
        content,
      },
    ]);
  });
});

describe('refusedMail', () => {
  it('keeps the reason, the claimed sender and the size, nothing of the content', () => {
    const submission = refusedMail(
      { reason: 'undecryptable', detail: 'x'.repeat(5_000), fromAddress: 'a@b.example' },
      '<m@example>',
      900,
    );
    expect(submission).toEqual({
      source: 'email',
      status: 'rejected',
      senderProof: 'none',
      reason: 'undecryptable',
      detail: 'x'.repeat(1_000),
      messageId: '<m@example>',
      fromAddress: 'a@b.example',
      sizeBytes: 0,
      rawSizeBytes: 900,
    });
  });
});

describe('fromMatchesSigner', () => {
  it('compares the From: address with the owner’s addresses, ignoring case; no From: never matches', () => {
    const owner = new Set(['soc@police.example']);
    expect(fromMatchesSigner('SOC@Police.example', owner)).toBe(true);
    expect(fromMatchesSigner('soc@other.example', owner)).toBe(false);
    expect(fromMatchesSigner(null, owner)).toBe(false);
  });
});
