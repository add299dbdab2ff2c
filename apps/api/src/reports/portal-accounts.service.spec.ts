import { ConflictException, NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { verifyPassword } from '@tlp-broker/persistence';
import type {
  ContactEntity,
  OrganisationRepository,
  SessionRepository,
  UserEntity,
  UserRepository,
} from '@tlp-broker/persistence';
import { rejection } from '../../../../test/support/errors';
import { fakeAudit, fakeTransactions, tx } from '../../../../test/support/mocks';
import { PortalAccountsService } from './portal-accounts.service';

const CREATED_AT = new Date('2026-12-01T09:00:00Z');
const PASSWORD = 'a reporter passphrase';

function account(overrides: Partial<UserEntity> = {}): UserEntity {
  return {
    id: 'u-9',
    name: 'camille',
    roles: ['reporter'],
    status: 'active',
    createdAt: CREATED_AT,
    passwordHash: null,
    totpSecret: null,
    totpEnrolledAt: null,
    totpLastStep: null,
    contactId: 'contact-7',
    ...overrides,
  };
}

function accounts(options: { contact?: Partial<ContactEntity> | null; existing?: UserEntity | null } = {}) {
  const organisations = {
    findContact: vi.fn(async () =>
      options.contact === null
        ? null
        : ({ id: 'contact-7', name: 'Camille Martin', status: 'active', ...options.contact } as ContactEntity),
    ),
  };
  const users = {
    findByContact: vi.fn(async () => options.existing ?? null),
    insertPortalAccount: vi.fn(async () => account()),
    setPasswordHash: vi.fn(async () => true),
  };
  const sessions = { revokeAllForUser: vi.fn(async () => 0) };
  const audit = fakeAudit();
  const service = new PortalAccountsService(
    fakeTransactions(),
    audit,
    organisations as unknown as OrganisationRepository,
    users as unknown as UserRepository,
    sessions as unknown as SessionRepository,
  );
  return { service, users, audit };
}

const conflictOf = async (call: Promise<unknown>) =>
  (await rejection(call, ConflictException)).getResponse() as { details: { field: string; message: string }[] };

describe('PortalAccountsService', () => {
  it('creates the account of a contact with the role reporter and a hashed password, audited in one transaction', async () => {
    const { service, users, audit } = accounts();
    const view = await service.create('org-7', 'contact-7', { name: ' camille ', password: PASSWORD }, 'u-admin');
    expect(users.insertPortalAccount).toHaveBeenCalledWith('camille', 'contact-7', tx);
    const [userId, hash, manager] = users.setPasswordHash.mock.calls[0] as unknown as [string, string, unknown];
    expect([userId, manager]).toEqual(['u-9', tx]);
    await expect(verifyPassword(PASSWORD, hash)).resolves.toBe(true);
    expect(audit.append.mock.calls.map(([, entry]) => entry.action)).toEqual([
      'user.portal-account-created',
      'user.password-set',
    ]);
    expect(audit.append.mock.calls[0][1]).toEqual({
      actor: 'user:u-admin',
      action: 'user.portal-account-created',
      subjectType: 'user',
      subjectId: 'u-9',
      details: { name: 'camille', roles: ['reporter'], organisationId: 'org-7', contactId: 'contact-7' },
    });
    expect(view).toEqual({
      id: 'u-9',
      name: 'camille',
      roles: ['reporter'],
      status: 'active',
      organisationId: 'org-7',
      contactId: 'contact-7',
      totpEnrolled: false,
      createdAt: CREATED_AT.toISOString(),
    });
  });

  it('answers 404 for a contact the organisation does not have, 409 for a suspended one or one with an account', async () => {
    await rejection(
      accounts({ contact: null }).service.create('org-7', 'contact-x', { name: 'x', password: PASSWORD }, 'u-1'),
      NotFoundException,
    );
    const suspended = await conflictOf(
      accounts({ contact: { status: 'suspended' } }).service.create(
        'org-7',
        'contact-7',
        { name: 'x', password: PASSWORD },
        'u-1',
      ),
    );
    expect(suspended.details).toEqual([{ field: 'contactId', message: 'Camille Martin is suspended' }]);
    const { service, users, audit } = accounts({ existing: account() });
    const twice = await conflictOf(service.create('org-7', 'contact-7', { name: 'x', password: PASSWORD }, 'u-1'));
    expect(twice.details).toEqual([{ field: 'contactId', message: 'Camille Martin already has a portal account' }]);
    expect(users.insertPortalAccount).not.toHaveBeenCalled();
    expect(audit.append).not.toHaveBeenCalled();
  });

  it('answers 409 naming the name when a user already holds it', async () => {
    const { service, users } = accounts();
    users.insertPortalAccount.mockRejectedValueOnce(Object.assign(new Error('duplicate'), { code: '23505' }));
    const taken = await conflictOf(service.create('org-7', 'contact-7', { name: 'alice', password: PASSWORD }, 'u-1'));
    expect(taken.details).toEqual([{ field: 'name', message: 'a user named "alice" already exists' }]);
  });

  it("shows a contact's account, and 404 when it has none", async () => {
    expect(
      (await accounts({ existing: account({ totpEnrolledAt: CREATED_AT }) }).service.get('org-7', 'contact-7'))
        .totpEnrolled,
    ).toBe(true);
    await rejection(accounts().service.get('org-7', 'contact-7'), NotFoundException);
  });
});
