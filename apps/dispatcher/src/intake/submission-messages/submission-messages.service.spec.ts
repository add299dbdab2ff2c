import { UnrecoverableError } from 'bullmq';
import { describe, expect, it, vi } from 'vitest';
import { ChannelError, EncryptedMail } from '@tlp-broker/channels';
import type { AppConfig } from '@tlp-broker/config';
import type { OpenPgpService, TeamKeyService } from '@tlp-broker/crypto';
import type {
  MessageRecipient,
  SubmissionEntity,
  SubmissionMessageEntity,
  SubmissionMessageRepository,
  SubmissionRepository,
} from '@tlp-broker/persistence';
import { fakeAudit, fakeTransactions, tx } from '../../../../../test/support/mocks';
import type { ChannelSenders } from '../../delivery/channel-senders';
import { SubmissionMessagesService } from './submission-messages.service';

const FINGERPRINT = '0011223344556677889900AABBCCDDEEFF001122';
const TEAM_FINGERPRINT = 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678';
const SMTP = {
  host: 'mail.example',
  port: 25,
  secure: false,
  requireTls: false,
  from: { name: 'CSIRT', address: 'a@b.c' },
};

const message = (change: Partial<SubmissionMessageEntity> = {}): SubmissionMessageEntity =>
  ({
    id: 'm-1',
    submissionId: 's-1',
    kind: 'acknowledgement',
    body: null,
    toName: 'Jane Analyst',
    toAddress: 'jane@cert.example',
    recipientFingerprint: FINGERPRINT,
    state: 'queued',
    attempts: 0,
    lastError: null,
    ...change,
  }) as SubmissionMessageEntity;

const submission = {
  id: 's-1',
  reference: 'PJ-2026-000123',
  receivedAt: new Date('2026-03-04T09:05:00Z'),
  source: 'api',
  encrypted: false,
  senderProof: 'signature',
  signerFingerprint: FINGERPRINT,
  title: 'Phishing wave against town halls',
  tlp: 'TLP:AMBER',
  pap: null,
  flags: [],
} as unknown as SubmissionEntity;

const activeRecipient: MessageRecipient = {
  armored: '-----BEGIN PGP PUBLIC KEY BLOCK-----',
  revokedAt: null,
  expiresAt: null,
  organisationStatus: 'active',
  contactStatus: 'active',
};

function setup(
  options: { row?: SubmissionMessageEntity | null; recipient?: MessageRecipient | null; smtp?: boolean } = {},
) {
  const config = { smtp: options.smtp === false ? null : SMTP } as unknown as AppConfig;
  const transactions = fakeTransactions();
  const audit = fakeAudit();
  const messages = {
    byId: vi.fn(async () => (options.row === undefined ? message() : options.row)),
    recipient: vi.fn(async () => (options.recipient === undefined ? activeRecipient : options.recipient)),
    markSent: vi.fn(async () => true),
    markFailed: vi.fn(async () => true),
    markDead: vi.fn(async () => true),
  };
  const submissions = { byId: vi.fn(async () => submission) };
  const keyState = { revoked: false, expiresAt: null as Date | null, canEncrypt: true };
  const openpgp = {
    keyStateAt: vi.fn(async () => keyState),
    sealOnce: vi.fn(async (plaintext: string) => ({ plaintext })),
    addressTo: vi.fn(async () => '-----BEGIN PGP MESSAGE-----'),
  };
  const teamKey = {
    current: vi.fn(async () => ({ key: 'team-private-key', info: { fingerprint: TEAM_FINGERPRINT } })),
    publisherName: () => 'Police CSIRT',
  };
  const email = {
    sendEncrypted: vi.fn<(mail: EncryptedMail) => Promise<{ messageId: string }>>(async () => ({
      messageId: '<abc@b.c>',
    })),
  };
  const channels = { email: () => email };
  const service = new SubmissionMessagesService(
    config,
    transactions,
    audit,
    messages as unknown as SubmissionMessageRepository,
    submissions as unknown as SubmissionRepository,
    openpgp as unknown as OpenPgpService,
    teamKey as unknown as TeamKeyService,
    channels as unknown as ChannelSenders,
  );
  return { service, messages, openpgp, email, audit, keyState, transactions };
}

const first = { made: 0, allowed: 3 };

describe('SubmissionMessagesService.send', () => {
  it('signs and encrypts the acknowledgement to the recipient key, sends it, and records it sent with its audit entry', async () => {
    const s = setup();
    expect(await s.service.send('m-1', first)).toBe('sent');
    const [plaintext, signingKey] = s.openpgp.sealOnce.mock.calls[0] as unknown as [string, string];
    expect(signingKey).toBe('team-private-key');
    expect(plaintext).toMatch(/^Content-Type: text\/plain; charset=utf-8/);
    expect(plaintext).toContain('PJ-2026-000123');
    expect(s.openpgp.addressTo).toHaveBeenCalledWith(
      { plaintext },
      FINGERPRINT,
      activeRecipient.armored,
      expect.any(Date),
    );
    expect(s.email.sendEncrypted).toHaveBeenCalledWith({
      key: 'submission-message-m-1',
      subject: '[PJ-2026-000123] Received: your report',
      to: { name: 'Jane Analyst', address: 'jane@cert.example' },
      armored: '-----BEGIN PGP MESSAGE-----',
    });
    expect(s.messages.markSent).toHaveBeenCalledWith('m-1', '<abc@b.c>', tx);
    expect(s.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'dispatcher',
      action: 'submission.acknowledgement-sent',
      subjectType: 'submission',
      subjectId: 's-1',
      details: {
        messageId: 'm-1',
        reference: 'PJ-2026-000123',
        to: 'jane@cert.example',
        key: FINGERPRINT,
        mailMessageId: '<abc@b.c>',
      },
    });
  });

  it("sends a reply with the analyst's text, audited as a reply", async () => {
    const s = setup({ row: message({ kind: 'reply', body: 'Could you send the full headers?' }) });
    expect(await s.service.send('m-1', first)).toBe('sent');
    const [plaintext] = s.openpgp.sealOnce.mock.calls[0] as unknown as [string];
    expect(plaintext).toContain('Could you send the full headers?');
    expect(s.email.sendEncrypted.mock.calls[0][0].subject).toBe('[PJ-2026-000123] Reply from Police CSIRT');
    expect(s.audit.append.mock.calls[0][1].action).toBe('submission.reply-sent');
  });

  it('sends nothing for a message already sent or dead, nor when another worker recorded it first', async () => {
    for (const state of ['sent', 'dead'] as const) {
      const s = setup({ row: message({ state }) });
      expect(await s.service.send('m-1', first)).toBe('already-done');
      expect(s.email.sendEncrypted).not.toHaveBeenCalled();
    }
    const raced = setup();
    raced.messages.markSent.mockResolvedValueOnce(false);
    expect(await raced.service.send('m-1', first)).toBe('already-done');
    expect(raced.audit.append).not.toHaveBeenCalled();
  });

  it('leaves the message queued, sending nothing, when no SMTP relay is configured', async () => {
    const s = setup({ smtp: false });
    expect(await s.service.send('m-1', first)).toBe('waiting');
    expect(s.email.sendEncrypted).not.toHaveBeenCalled();
    expect(s.messages.markFailed).not.toHaveBeenCalled();
  });

  it('ends a message whose row is gone as a failure no retry can help', async () => {
    await expect(setup({ row: null }).service.send('m-1', first)).rejects.toBeInstanceOf(UnrecoverableError);
  });

  it.each([
    ['revoked in the database', { recipient: { ...activeRecipient, revokedAt: new Date() } }, 'key.revoked', /revoked/],
    ['no longer registered', { recipient: { ...activeRecipient, armored: null } }, 'key.unregistered', /no longer/],
    [
      'expired',
      { recipient: { ...activeRecipient, expiresAt: new Date(Date.now() - 1_000) } },
      'key.expired',
      /expired on/,
    ],
    [
      'of a suspended contact',
      { recipient: { ...activeRecipient, contactStatus: 'suspended' } },
      'sender.suspended',
      /suspended/,
    ],
  ] as const)(
    'sends nothing to a key %s: the message is dead with the reason',
    async (_case, options, code, reason) => {
      const s = setup(options as { recipient: MessageRecipient });
      expect(await s.service.send('m-1', first)).toBe('dead');
      expect(s.email.sendEncrypted).not.toHaveBeenCalled();
      expect(s.messages.markDead).toHaveBeenCalledWith('m-1', expect.stringMatching(reason), tx);
      expect(s.audit.append).toHaveBeenCalledWith(tx, {
        actor: 'dispatcher',
        action: 'submission.acknowledgement-dead',
        subjectType: 'submission',
        subjectId: 's-1',
        details: { messageId: 'm-1', reason: expect.stringMatching(reason), code },
      });
    },
  );

  it('reads the key again: a revocation or an expiry merged into it since stops the message', async () => {
    const revoked = setup();
    revoked.keyState.revoked = true;
    expect(await revoked.service.send('m-1', first)).toBe('dead');
    const expired = setup();
    expired.keyState.expiresAt = new Date(Date.now() - 1_000);
    expect(await expired.service.send('m-1', first)).toBe('dead');
    const unusable = setup();
    unusable.keyState.canEncrypt = false;
    expect(await unusable.service.send('m-1', first)).toBe('dead');
    for (const s of [revoked, expired, unusable]) expect(s.email.sendEncrypted).not.toHaveBeenCalled();
  });

  it('records a temporary failure as failed and throws it again for BullMQ to retry', async () => {
    const s = setup();
    const deferred = new ChannelError('email', 'deferred', 'SMTP server answered 451');
    s.email.sendEncrypted.mockRejectedValueOnce(deferred);
    await expect(s.service.send('m-1', first)).rejects.toBe(deferred);
    expect(s.messages.markFailed).toHaveBeenCalledWith('m-1', 'SMTP server answered 451', false, tx);
    expect(s.audit.append).not.toHaveBeenCalled();
  });

  it('ends the message as dead, audited, on its last attempt or on a refusal no retry can change', async () => {
    const last = setup();
    last.email.sendEncrypted.mockRejectedValueOnce(new ChannelError('email', 'timeout', 'no answer'));
    await expect(last.service.send('m-1', { made: 2, allowed: 3 })).rejects.toBeInstanceOf(UnrecoverableError);
    expect(last.messages.markFailed).toHaveBeenCalledWith('m-1', 'no answer', true, tx);
    expect(last.audit.append.mock.calls[0][1]).toMatchObject({
      action: 'submission.acknowledgement-dead',
      details: { reason: 'no answer', code: 'email.timeout' },
    });

    const refused = setup();
    refused.email.sendEncrypted.mockRejectedValueOnce(new ChannelError('email', 'rejected', '550 no such user'));
    await expect(refused.service.send('m-1', first)).rejects.toBeInstanceOf(UnrecoverableError);
    expect(refused.messages.markFailed).toHaveBeenCalledWith('m-1', '550 no such user', true, tx);
  });

  it('still throws the failure when recording it fails', async () => {
    const s = setup();
    const error = new ChannelError('email', 'network', 'connection refused');
    s.email.sendEncrypted.mockRejectedValueOnce(error);
    s.messages.markFailed.mockRejectedValueOnce(new Error('database down'));
    await expect(s.service.send('m-1', first)).rejects.toBe(error);
  });
});
