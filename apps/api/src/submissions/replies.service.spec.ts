import { ConflictException, NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type {
  SenderRoute,
  SubmissionEntity,
  SubmissionMessageEntity,
  SubmissionMessageRepository,
  SubmissionRepository,
} from '@tlp-broker/persistence';
import { fakeAudit, fakeTransactions, staffPrincipal, tx } from '../../../../test/support/mocks';
import { RepliesService } from './replies.service';

const FINGERPRINT = '0011223344556677889900AABBCCDDEEFF001122';

const verified = {
  id: 's-1',
  status: 'verified',
  organisationId: 'org-1',
  senderContactId: 'contact-1',
  signerFingerprint: FINGERPRINT,
  reference: 'PJ-2026-000123',
} as SubmissionEntity;

const route: SenderRoute = {
  toName: 'Jane Analyst',
  toAddress: 'jane@cert.example',
  recipientFingerprint: FINGERPRINT,
};

const stored = (change: Partial<SubmissionMessageEntity> = {}): SubmissionMessageEntity =>
  ({
    id: 'm-1',
    submissionId: 's-1',
    kind: 'reply',
    body: 'Could you send the full headers?',
    ...route,
    state: 'queued',
    attempts: 0,
    lastError: null,
    mailMessageId: null,
    enqueuedAt: null,
    createdBy: 'user:u-7',
    createdAt: new Date('2026-03-04T10:00:00Z'),
    sentAt: null,
    ...change,
  }) as SubmissionMessageEntity;

function setup(submission: SubmissionEntity | null = verified, senderRoute: SenderRoute | null = route) {
  const transactions = fakeTransactions();
  const audit = fakeAudit();
  const submissions = { lockById: vi.fn(async () => submission), byId: vi.fn(async () => submission) };
  const messages = {
    senderRoute: vi.fn(async () => senderRoute),
    insert: vi.fn(async () => stored()),
    ofSubmission: vi.fn(async () => [stored({ kind: 'acknowledgement', body: null, state: 'sent' }), stored()]),
  };
  const service = new RepliesService(
    transactions,
    audit,
    submissions as unknown as SubmissionRepository,
    messages as unknown as SubmissionMessageRepository,
  );
  return { service, submissions, messages, audit };
}

const analyst = staffPrincipal(['analyst'], 'u-7');

describe('RepliesService.reply', () => {
  it("queues the reply to the sender's own route with its audit entry, in one transaction, and answers its view", async () => {
    const s = setup();
    const view = await s.service.reply('s-1', 'Could you send the full headers?', analyst);
    expect(s.submissions.lockById).toHaveBeenCalledWith('s-1', tx);
    expect(s.messages.senderRoute).toHaveBeenCalledWith(
      { organisationId: 'org-1', contactId: 'contact-1', fingerprint: FINGERPRINT },
      tx,
    );
    expect(s.messages.insert).toHaveBeenCalledWith(
      {
        submissionId: 's-1',
        kind: 'reply',
        body: 'Could you send the full headers?',
        ...route,
        createdBy: 'user:u-7',
      },
      tx,
    );
    expect(s.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-7',
      action: 'submission.reply-queued',
      subjectType: 'submission',
      subjectId: 's-1',
      details: { reference: 'PJ-2026-000123', to: 'jane@cert.example', key: FINGERPRINT, messageId: 'm-1' },
    });
    expect(view).toEqual({
      id: 'm-1',
      kind: 'reply',
      state: 'queued',
      toName: 'Jane Analyst',
      toAddress: 'jane@cert.example',
      recipientFingerprint: FINGERPRINT,
      attempts: 0,
      lastError: null,
      createdBy: 'user:u-7',
      createdAt: new Date('2026-03-04T10:00:00Z'),
      sentAt: null,
    });
    expect(view).not.toHaveProperty('body');
  });

  it('answers 404 for an unknown submission', async () => {
    await expect(setup(null).service.reply('s-9', 'hello', analyst)).rejects.toBeInstanceOf(NotFoundException);
  });

  it.each([
    ['unverified', { status: 'unverified', organisationId: null }],
    ['rejected', { status: 'rejected', reference: null }],
  ])('refuses to reply to an %s sender, saying so, and queues nothing', async (_status, change) => {
    const s = setup({ ...verified, ...change } as SubmissionEntity);
    const error = await s.service.reply('s-1', 'hello', analyst).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictException);
    expect((error as ConflictException).getResponse()).toMatchObject({
      statusCode: 409,
      message: 'no reply can be sent: unverified senders receive no reply',
      details: [{ field: 'id', message: 'unverified senders receive no reply' }],
    });
    expect(s.messages.insert).not.toHaveBeenCalled();
    expect(s.audit.append).not.toHaveBeenCalled();
  });

  it('refuses when the sender has no e-mail route with a usable key', async () => {
    const s = setup(verified, null);
    const error = await s.service.reply('s-1', 'hello', analyst).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictException);
    expect(((error as ConflictException).getResponse() as { message: string }).message).toMatch(
      /no active e-mail route/,
    );
    expect(s.messages.insert).not.toHaveBeenCalled();
  });
});

describe('RepliesService.list', () => {
  it('lists what was sent back about the submission, oldest first, without the text', async () => {
    const views = await setup().service.list('s-1');
    expect(views.map((view) => [view.kind, view.state])).toEqual([
      ['acknowledgement', 'sent'],
      ['reply', 'queued'],
    ]);
  });

  it('answers 404 for an unknown submission', async () => {
    await expect(setup(null).service.list('s-9')).rejects.toBeInstanceOf(NotFoundException);
  });
});
