import { describe, expect, it } from 'vitest';
import { aSubmission } from './submission-fixtures';
import {
  attachmentHref,
  enteredByName,
  flagsInWords,
  formatBytes,
  labelOf,
  proofSentence,
  senderLine,
} from './submission-words';

const unverifiedMail = aSubmission({
  source: 'email',
  senderProof: 'none',
  organisationId: null,
  organisation: null,
  sender: { organisationId: null, organisation: null, contactId: null, contact: null },
  status: 'unverified',
  verified: false,
  signerFingerprint: null,
  fromAddress: 'soc@partner.example',
  flags: ['unencrypted', 'unsigned', 'label-assumed', 'html-reduced'],
});

describe('the sender', () => {
  it('is the proven organisation and contact of a verified submission', () => {
    expect(senderLine(aSubmission())).toEqual({ kind: 'proven', organisation: 'Peer CERT', contact: null });
    const portal = aSubmission({
      senderProof: 'portal',
      sender: { organisationId: 'org-1', organisation: 'Gendarmerie', contactId: 'c-1', contact: 'Camille Martin' },
    });
    expect(senderLine(portal)).toEqual({ kind: 'proven', organisation: 'Gendarmerie', contact: 'Camille Martin' });
  });

  it('is only what the From: header (or a refused credential) claimed when it is not verified', () => {
    expect(senderLine(unverifiedMail)).toEqual({ kind: 'claimed', claimed: 'soc@partner.example' });
    expect(senderLine(aSubmission({ status: 'rejected', verified: false }))).toEqual({
      kind: 'claimed',
      claimed: 'Peer CERT',
    });
    expect(senderLine({ ...unverifiedMail, fromAddress: null })).toEqual({ kind: 'unknown' });
  });
});

describe('how the sender is known', () => {
  it('names the signing key and its owner, the credential, the portal account, the feed', () => {
    expect(proofSentence(aSubmission(), null)).toEqual({
      key: 'proof.signature',
      values: { fingerprint: 'AB12CD34', owner: 'Peer CERT' },
    });
    expect(proofSentence(aSubmission({ senderProof: 'credential' }), null).key).toBe('proof.credential');
    expect(
      proofSentence(
        aSubmission({
          senderProof: 'portal',
          sender: { organisationId: 'o', organisation: 'Gendarmerie', contactId: 'c', contact: 'Camille Martin' },
        }),
        null,
      ),
    ).toEqual({ key: 'proof.portal', values: { owner: 'Camille Martin (Gendarmerie)' } });
    expect(proofSentence(aSubmission({ senderProof: 'feed', source: 'feed' }), null)).toEqual({
      key: 'proof.feed',
      values: { owner: 'Peer CERT' },
    });
  });

  it('names the team member who took a report by phone, as the trail names who entered it', () => {
    const phone = aSubmission({ senderProof: 'staff', source: 'form', enteredBy: 'user-uuid' });
    const trail = [
      {
        seq: 1,
        at: '2026-12-01T10:00:00Z',
        actor: 'alice',
        action: 'submission.received',
        subjectType: 'submission',
        subjectId: 'x',
        details: {},
      },
      {
        seq: 2,
        at: '2026-12-01T10:01:00Z',
        actor: 'bob',
        action: 'submission.closed',
        subjectType: 'submission',
        subjectId: 'x',
        details: {},
      },
    ];
    expect(proofSentence(phone, enteredByName(trail))).toEqual({ key: 'proof.staff', values: { name: 'alice' } });
    expect(proofSentence(phone, enteredByName([]))).toEqual({ key: 'proof.staffUnknown', values: {} });
  });

  it('says why an unverified sender is not proven, and why a rejected one was refused', () => {
    expect(proofSentence(unverifiedMail, null).key).toBe('proof.unsigned');
    expect(proofSentence({ ...unverifiedMail, flags: ['unknown-signer'], signerFingerprint: 'FFEE' }, null)).toEqual({
      key: 'proof.unknownSigner',
      values: { fingerprint: 'FFEE' },
    });
    expect(
      proofSentence(aSubmission({ status: 'rejected', reason: 'unknown-signer', detail: 'no key 1234' }), null),
    ).toEqual({ key: 'proof.rejected', values: { reason: 'unknown-signer: no key 1234' } });
  });
});

describe('the label and flags', () => {
  it('say when the label is only assumed', () => {
    expect(labelOf(unverifiedMail)).toEqual({ tlp: 'TLP:GREEN', pap: null, assumed: true });
    expect(labelOf(aSubmission({ tlp: 'TLP:RED', pap: 'PAP:AMBER' }))).toEqual({
      tlp: 'TLP:RED',
      pap: 'PAP:AMBER',
      assumed: false,
    });
  });

  it('are written out in a fixed order, the assumed label left to the label itself', () => {
    expect(flagsInWords(['html-reduced', 'label-assumed', 'unsigned', 'unencrypted'])).toEqual([
      'unencrypted',
      'unsigned',
      'html-reduced',
    ]);
    expect(flagsInWords(['from-mismatch', 'attachments-dropped', 'unknown-signer'])).toEqual([
      'unknown-signer',
      'from-mismatch',
      'attachments-dropped',
    ]);
    expect(flagsInWords([])).toEqual([]);
  });
});

describe('attachments', () => {
  it('link to the download route only, with the ids escaped', () => {
    expect(attachmentHref('s-1', 'a-2')).toBe('/submissions/s-1/attachments/a-2');
    expect(attachmentHref('../items', 'a/b?c')).toBe('/submissions/..%2Fitems/attachments/a%2Fb%3Fc');
  });

  it('have their size written for a person, in the language chosen', () => {
    expect(formatBytes(512, 'en')).toBe('512 bytes');
    expect(formatBytes(1536, 'en')).toBe('1.5 kB');
    expect(formatBytes(1536, 'fr')).toBe('1,5\u202fko');
    expect(formatBytes(3 * 1024 * 1024, 'en')).toBe('3 MB');
  });
});
