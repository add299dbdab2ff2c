import type { Submission, SubmissionDetail } from './submission-words';

/** A verified submission signed by a partner's key, as GET /submissions lists it; `changes` make it another. */
export function aSubmission(changes: Partial<Submission> = {}): Submission {
  return {
    id: '0b0e5f4c-1c1e-4c8e-9b9a-5f0c1d2e3f40',
    reference: 'PJ-2026-000123',
    source: 'api',
    senderProof: 'signature',
    organisationId: 'org-1',
    organisation: 'Peer CERT',
    sender: { organisationId: 'org-1', organisation: 'Peer CERT', contactId: null, contact: null },
    status: 'verified',
    verified: true,
    reason: null,
    detail: null,
    signerFingerprint: 'AB12CD34',
    fromAddress: null,
    encrypted: false,
    flags: [],
    title: 'Skimmers found at fuel stations',
    tlp: 'TLP:GREEN',
    pap: null,
    reportKind: null,
    triageState: 'received',
    closeReason: null,
    closedAt: null,
    reportStatus: 'received',
    itemId: null,
    itemState: null,
    indicatorCount: 1,
    attachmentCount: 0,
    enteredBy: null,
    sizeBytes: 100,
    rawSizeBytes: 400,
    receivedAt: '2026-12-01T10:00:00.000Z',
    ...changes,
  };
}

export function aSubmissionDetail(changes: Partial<SubmissionDetail> = {}): SubmissionDetail {
  return {
    ...aSubmission(),
    content: 'Skimmers found at fuel stations\nIPs: 203.0.113.9',
    report: null,
    indicators: [{ type: 'ipv4', value: '203.0.113.9' }],
    attachments: [],
    consent: null,
    messageId: null,
    externalId: null,
    replyTo: { toName: 'National CERT', toAddress: 'soc@cert.example', recipientFingerprint: 'F'.repeat(40) },
    ...changes,
  };
}
