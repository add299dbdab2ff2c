import { ConflictException, NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { PublicKeyInfo } from '@tlp-broker/crypto';
import type { OrganisationRepository } from '@tlp-broker/persistence';
import { fakeAudit, fakeTransactions, staffPrincipal, tx } from '../../../../test/support/mocks';
import { ContactsService } from './contacts.service';
import { CreateContactDto } from './organisations.dto';
import type { PartnerSetupService } from './partner-setup.service';

const actor = staffPrincipal();
const KEY = { fingerprint: 'C'.repeat(40) } as PublicKeyInfo;
const keyRow = {
  id: 'key-2',
  fingerprint: KEY.fingerprint,
  version: 4,
  algorithm: 'rsa 4096',
  keyCreatedAt: new Date(0),
  expiresAt: null,
  revokedAt: null,
  userIds: [],
};
const channelView = { id: 'ch-7', kind: 'feed', apiKey: 'tlpb_p_once', scopes: ['feed'] };

function contacts(options: { organisation?: boolean; requireEmailMatch?: boolean } = {}) {
  const organisations = {
    findById: vi.fn(async () => (options.organisation === false ? null : { id: 'org-1', name: 'CERT Example' })),
    insertContact: vi.fn(async (contact: object) => ({ id: 'c-1', status: 'active', ...contact })),
  };
  const setup = {
    checkKey: vi.fn(async () => KEY),
    storeKey: vi.fn(async () => keyRow),
    openChannel: vi.fn(async () => channelView),
  };
  const audit = fakeAudit();
  const transactions = fakeTransactions();
  const service = new ContactsService(
    { keys: { requireEmailMatch: options.requireEmailMatch ?? true } } as never,
    transactions,
    audit,
    setup as unknown as PartnerSetupService,
    organisations as unknown as OrganisationRepository,
  );
  return { service, organisations, setup, audit, transactions };
}

const dto = Object.assign(new CreateContactDto(), {
  name: ' Jane Analyst ',
  email: ' jane@cert.example ',
  publicKey: 'armored',
  fingerprint: 'CCCC',
  scopes: ['feed'],
});

describe('ContactsService', () => {
  it('registers the person with a personal key and a personal feed, audited, in one transaction', async () => {
    const c = contacts();
    const view = await c.service.addContact('org-1', dto, actor);
    expect(c.setup.checkKey).toHaveBeenCalledWith('armored', {
      pinnedFingerprint: 'CCCC',
      expectedEmail: ' jane@cert.example ',
    });
    expect(c.organisations.insertContact).toHaveBeenCalledWith(
      { organisationId: 'org-1', name: 'Jane Analyst', email: 'jane@cert.example' },
      tx,
    );
    const holder = { organisationId: 'org-1', contactId: 'c-1' };
    expect(c.setup.storeKey).toHaveBeenCalledWith(KEY, holder, tx);
    expect(c.setup.openChannel).toHaveBeenCalledWith(
      holder,
      keyRow,
      { kind: 'feed', redistributes: false, scopes: ['feed'] },
      tx,
    );
    expect(c.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'contact.registered',
      subjectType: 'contact',
      subjectId: 'c-1',
      details: { organisationId: 'org-1', name: 'Jane Analyst', keyFingerprint: KEY.fingerprint },
    });
    expect(view).toMatchObject({
      id: 'c-1',
      name: 'Jane Analyst',
      email: 'jane@cert.example',
      status: 'active',
      key: { fingerprint: KEY.fingerprint },
      channels: [channelView],
    });
  });

  it("does not ask the key for the person's address when KEY_REQUIRE_EMAIL_MATCH is off", async () => {
    const c = contacts({ requireEmailMatch: false });
    await c.service.addContact('org-1', dto, actor);
    expect(c.setup.checkKey).toHaveBeenCalledWith('armored', { pinnedFingerprint: 'CCCC', expectedEmail: undefined });
  });

  it('answers 404 for an unknown organisation, before checking the key or storing anything', async () => {
    const c = contacts({ organisation: false });
    const error = await c.service.addContact('org-9', dto, actor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundException);
    expect((error as NotFoundException).message).toBe('organisation org-9 not found');
    expect(c.setup.checkKey).not.toHaveBeenCalled();
    expect(c.transactions.run).not.toHaveBeenCalled();
  });

  it('stores nothing when the key is refused', async () => {
    const c = contacts();
    c.setup.checkKey.mockRejectedValue(new Error('refused'));
    await expect(c.service.addContact('org-1', dto, actor)).rejects.toThrow('refused');
    expect(c.transactions.run).not.toHaveBeenCalled();
  });

  it('answers 409 when the address is already a contact of the organisation', async () => {
    const c = contacts();
    c.organisations.insertContact.mockRejectedValue(Object.assign(new Error('dup'), { code: '23505' }));
    const error = await c.service.addContact('org-1', dto, actor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictException);
    expect((error as ConflictException).message).toBe(' jane@cert.example  is already a contact of CERT Example');
  });
});
