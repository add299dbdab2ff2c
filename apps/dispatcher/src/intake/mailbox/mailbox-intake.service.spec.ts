import { describe, expect, it, vi } from 'vitest';
import type { ImapMailbox, WaitingMessage } from '@tlp-broker/channels';
import type { AppConfig } from '@tlp-broker/config';
import type { TeamKeyService } from '@tlp-broker/crypto';
import type { OrganisationRepository, SessionLocks } from '@tlp-broker/persistence';
import { MailboxIntakeService } from './mailbox-intake.service';
import type { MailTaker } from './mail-taker';

const waiting = (uid: number): WaitingMessage => ({
  uid,
  sizeBytes: 100,
  messageId: `<${uid}@example>`,
  fromAddress: null,
});

function setup(options: { lockFree?: boolean; failing?: number; connected?: boolean } = {}) {
  const release = vi.fn(async () => undefined);
  const lock = { tryHold: vi.fn(async () => (options.lockFree === false ? null : { release })) };
  const taker = {
    take: vi.fn(async (_mailbox: ImapMailbox, message: WaitingMessage) => {
      if (message.uid === options.failing) throw new Error('database unavailable');
    }),
  };
  const mailbox = {
    waiting: vi.fn(async () => [waiting(1), waiting(2), waiting(3)]),
    connected: options.connected ?? true,
  } as unknown as ImapMailbox;
  const service = new MailboxIntakeService(
    { intake: { imap: null } } as unknown as AppConfig,
    { decryptionKeys: vi.fn(async () => []) } as unknown as TeamKeyService,
    { registeredKeyOwners: vi.fn(async () => []) } as unknown as OrganisationRepository,
    lock as unknown as SessionLocks,
    taker as unknown as MailTaker,
  );
  return { service, mailbox, taker, release, lock };
}

describe('MailboxIntakeService.pass', () => {
  it('leaves the mailbox alone while another dispatcher holds the reader lock', async () => {
    const { service, mailbox, taker } = setup({ lockFree: false });
    await service.pass(mailbox);
    expect(mailbox.waiting).not.toHaveBeenCalled();
    expect(taker.take).not.toHaveBeenCalled();
  });

  it('takes every waiting message in order, then releases the lock', async () => {
    const { service, mailbox, taker, release, lock } = setup();
    await service.pass(mailbox);
    expect(lock.tryHold).toHaveBeenCalledWith('mailbox-reader');
    expect(taker.take.mock.calls.map(([, message]) => message.uid)).toEqual([1, 2, 3]);
    expect(release).toHaveBeenCalledOnce();
  });

  it('leaves a message that failed for another pass and goes on with the others while the connection is up', async () => {
    const { service, mailbox, taker, release } = setup({ failing: 2 });
    await service.pass(mailbox);
    expect(taker.take.mock.calls.map(([, message]) => message.uid)).toEqual([1, 2, 3]);
    expect(release).toHaveBeenCalledOnce();
  });

  it('ends the pass when the connection dropped, releasing the lock, for the mailbox to reconnect', async () => {
    const { service, mailbox, taker, release } = setup({ failing: 2, connected: false });
    await expect(service.pass(mailbox)).rejects.toThrow('database unavailable');
    expect(taker.take.mock.calls.map(([, message]) => message.uid)).toEqual([1, 2]);
    expect(release).toHaveBeenCalledOnce();
  });
});
