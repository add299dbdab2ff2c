import { NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type {
  AttachmentSummary,
  AuditEventRepository,
  ListedSubmission,
  SubmissionEntity,
  SubmissionMessageRepository,
  SubmissionRepository,
} from '@tlp-broker/persistence';
import { rejection } from '../../../../test/support/errors';
import { SubmissionViewsService } from './submission-views.service';

const RECEIVED_AT = new Date('2026-12-01T10:00:00Z');

function listed(fields: Partial<SubmissionEntity> = {}, extra: Partial<ListedSubmission> = {}): ListedSubmission {
  return {
    submission: {
      id: 'sub-1',
      reference: 'PJ-2026-000005',
      source: 'email',
      senderProof: 'signature',
      organisationId: 'org-1',
      senderContactId: 'contact-1',
      status: 'verified',
      reason: null,
      detail: null,
      signerFingerprint: 'F'.repeat(40),
      fromAddress: 'duty@cert.example',
      messageId: '<m1@cert.example>',
      externalId: null,
      encrypted: true,
      flags: ['from-mismatch'],
      title: 'Skimmers',
      tlp: 'TLP:AMBER',
      pap: 'PAP:GREEN',
      consent: null,
      reportKind: null,
      report: null,
      content: 'Skimmers at 203.0.113.9',
      indicators: [{ type: 'ipv4', value: '203.0.113.9' }],
      triageState: 'in-triage',
      closeReason: null,
      closedAt: null,
      itemId: 'item-1',
      enteredBy: null,
      sizeBytes: 23,
      rawSizeBytes: 2048,
      receivedAt: RECEIVED_AT,
      ...fields,
    } as SubmissionEntity,
    organisation: 'National CERT',
    contact: 'Duty Officer',
    itemState: 'published',
    itemPublished: true,
    attachmentCount: 1,
    ...extra,
  };
}

const ATTACHMENT = {
  id: 'att-1',
  submissionId: 'sub-1',
  position: 0,
  filename: 'skimmer.jpg',
  mediaType: 'image/jpeg',
  sizeBytes: 1234,
  sha256: 'a'.repeat(64),
} as AttachmentSummary;

function views(found: ListedSubmission | null = listed()) {
  const submissions = {
    inbox: vi.fn(async () => (found ? [found] : [])),
    listedById: vi.fn(async () => found),
    byId: vi.fn(async () => found?.submission ?? null),
    attachmentsOf: vi.fn(async () => [ATTACHMENT]),
    attachment: vi.fn(async () => null),
  };
  const auditEvents = {
    aboutSubject: vi.fn(async () => [
      {
        seq: 3,
        at: RECEIVED_AT,
        actor: 'user:u-1',
        actorName: 'alice',
        action: 'submission.closed',
        subjectType: 'submission',
        subjectId: 'sub-1',
        details: {},
      },
      {
        seq: 4,
        at: RECEIVED_AT,
        actor: 'dispatcher',
        actorName: null,
        action: 'submission.reply-sent',
        subjectType: 'submission',
        subjectId: 'sub-1',
        details: {},
      },
    ]),
  };
  const messages = {
    senderRoute: vi.fn(async () => ({
      toName: 'Duty Officer',
      toAddress: 'duty@cert.example',
      recipientFingerprint: 'F'.repeat(40),
    })),
  };
  const service = new SubmissionViewsService(
    submissions as unknown as SubmissionRepository,
    auditEvents as unknown as AuditEventRepository,
    messages as unknown as SubmissionMessageRepository,
  );
  return { service, submissions, auditEvents, messages };
}

describe('SubmissionViewsService', () => {
  it('lists the inbox with each sender named, whether it verified, and where its sender sees it', async () => {
    const { service, submissions } = views();
    const [entry] = await service.inbox({ state: ['in-triage'], source: ['email'], limit: 20 });
    expect(submissions.inbox).toHaveBeenCalledWith({ states: ['in-triage'], sources: ['email'], limit: 20 });
    expect(entry).toEqual({
      id: 'sub-1',
      reference: 'PJ-2026-000005',
      source: 'email',
      senderProof: 'signature',
      organisationId: 'org-1',
      organisation: 'National CERT',
      sender: {
        organisationId: 'org-1',
        organisation: 'National CERT',
        contactId: 'contact-1',
        contact: 'Duty Officer',
      },
      status: 'verified',
      verified: true,
      reason: null,
      detail: null,
      signerFingerprint: 'F'.repeat(40),
      fromAddress: 'duty@cert.example',
      encrypted: true,
      flags: ['from-mismatch'],
      title: 'Skimmers',
      tlp: 'TLP:AMBER',
      pap: 'PAP:GREEN',
      reportKind: null,
      triageState: 'in-triage',
      closeReason: null,
      closedAt: null,
      reportStatus: 'item-published',
      itemId: 'item-1',
      itemState: 'published',
      indicatorCount: 1,
      attachmentCount: 1,
      enteredBy: null,
      sizeBytes: 23,
      rawSizeBytes: 2048,
      receivedAt: RECEIVED_AT,
    });
    expect(entry).not.toHaveProperty('content');
    await service.inbox({});
    expect(submissions.inbox).toHaveBeenLastCalledWith({ states: [], sources: [], limit: 100 });
  });

  it('says a submission is in triage until its item goes out, and closed whatever its item', async () => {
    const draft = await views(listed({}, { itemState: 'draft', itemPublished: false })).service.view('sub-1');
    expect(draft.reportStatus).toBe('in-triage');
    const closed = await views(listed({ triageState: 'closed', closeReason: 'duplicate' })).service.view('sub-1');
    expect(closed.reportStatus).toBe('closed');
    const unverified = await views(
      listed({ status: 'unverified', organisationId: null }, { organisation: null }),
    ).service.view('sub-1');
    expect(unverified).toMatchObject({ verified: false, organisation: null });
  });

  it('shows one submission in full: content, indicators, attachments described without their bytes', async () => {
    const detail = await views().service.detail('sub-1');
    expect(detail).toMatchObject({
      content: 'Skimmers at 203.0.113.9',
      report: null,
      indicators: [{ type: 'ipv4', value: '203.0.113.9' }],
      attachments: [
        { id: 'att-1', filename: 'skimmer.jpg', mediaType: 'image/jpeg', sizeBytes: 1234, sha256: 'a'.repeat(64) },
      ],
      consent: null,
      messageId: '<m1@cert.example>',
      externalId: null,
      replyTo: { toName: 'Duty Officer', toAddress: 'duty@cert.example', recipientFingerprint: 'F'.repeat(40) },
    });
    expect(detail.attachments[0]).not.toHaveProperty('submissionId');
  });

  it("says where a reply would go: the signer's own route, and nowhere for an unverified sender", async () => {
    const { service, messages } = views();
    await service.detail('sub-1');
    expect(messages.senderRoute).toHaveBeenCalledWith({
      organisationId: 'org-1',
      contactId: 'contact-1',
      fingerprint: 'F'.repeat(40),
    });
    const unverified = views(listed({ status: 'unverified', organisationId: null }, { organisation: null }));
    expect((await unverified.service.detail('sub-1')).replyTo).toBeNull();
    expect(unverified.messages.senderRoute).not.toHaveBeenCalled();
    messages.senderRoute.mockResolvedValueOnce(null as never);
    expect((await service.detail('sub-1')).replyTo).toBeNull();
  });

  it('gives its audit trail with the acting members named', async () => {
    const { service, auditEvents } = views();
    const trail = await service.audit('sub-1', { after: 2 });
    expect(auditEvents.aboutSubject).toHaveBeenCalledWith('submission', 'sub-1', { after: 2, limit: 200 });
    expect(trail.map((event) => event.actor)).toEqual(['alice', 'dispatcher']);
    expect(trail[0]).not.toHaveProperty('actorName');
  });

  it('answers 404 naming what is missing: the submission, or the attachment', async () => {
    for (const call of [
      views(null).service.view('x'),
      views(null).service.detail('x'),
      views(null).service.audit('x', {}),
    ]) {
      const error = await rejection(call, NotFoundException);
      expect(error.getResponse()).toMatchObject({ details: [{ field: 'id', message: 'no submission x' }] });
    }
    const missing = await rejection(views().service.attachment('sub-1', 'att-9'), NotFoundException);
    expect(missing.getResponse()).toMatchObject({ details: [{ field: 'attachmentId' }] });
  });
});
