import { ConflictException, NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { verifyPassword } from '@tlp-broker/persistence';
import type { ApiKeyRepository, SessionRepository, UserEntity, UserRepository } from '@tlp-broker/persistence';
import { fakeAudit, fakeTransactions, tx } from '../../../../test/support/mocks';
import { UsersService } from './users.service';

const CREATED_AT = new Date('2026-03-01T09:00:00Z');

function member(overrides: Partial<UserEntity> = {}): UserEntity {
  return {
    id: 'u-2',
    name: 'bob',
    roles: ['analyst'],
    status: 'active',
    createdAt: CREATED_AT,
    contactId: null,
    passwordHash: null,
    totpSecret: null,
    totpEnrolledAt: null,
    totpLastStep: null,
    ...overrides,
  };
}

function users() {
  const apiKeys = {
    insertUser: vi.fn(async (name: string, roles: string[]) => ({ id: 'u-2', name, roles, status: 'active' })),
    issueForUser: vi.fn(async () => ({ credential: { id: 'key-2' }, apiKey: 'tlpb_s_once' })),
  };
  const userRows = {
    setPasswordHash: vi.fn(async () => true),
    list: vi.fn(async () => [member(), member({ id: 'u-3', name: 'carol', totpEnrolledAt: CREATED_AT })]),
    resetTotp: vi.fn(async () => true),
    findById: vi.fn(async () => member()),
  };
  const sessions = { revokeAllForUser: vi.fn(async () => 2) };
  const audit = fakeAudit();
  const service = new UsersService(
    fakeTransactions(),
    audit,
    apiKeys as unknown as ApiKeyRepository,
    userRows as unknown as UserRepository,
    sessions as unknown as SessionRepository,
  );
  return { service, apiKeys, userRows, sessions, audit };
}

describe('UsersService', () => {
  it('creates a team member with an API key shown once, audited, in one transaction', async () => {
    const u = users();
    const created = await u.service.create('  bob ', ['analyst', 'approver'], 'u-1');
    expect(u.apiKeys.insertUser).toHaveBeenCalledWith('bob', ['analyst', 'approver'], tx);
    expect(u.apiKeys.issueForUser).toHaveBeenCalledWith('u-2', tx);
    expect(u.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'user.created',
      subjectType: 'user',
      subjectId: 'u-2',
      details: { name: 'bob', roles: ['analyst', 'approver'] },
    });
    expect(u.audit.append).toHaveBeenCalledTimes(1);
    expect(created).toEqual({ id: 'u-2', name: 'bob', roles: ['analyst', 'approver'], apiKey: 'tlpb_s_once' });
  });

  it('stores a scrypt hash of the password given, never the password, in the same transaction', async () => {
    const u = users();
    await u.service.create('bob', ['analyst'], 'u-1', 'a long enough passphrase');
    const [userId, hash, manager] = u.userRows.setPasswordHash.mock.calls[0] as unknown as [string, string, unknown];
    expect([userId, manager]).toEqual(['u-2', tx]);
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain('passphrase');
    await expect(verifyPassword('a long enough passphrase', hash)).resolves.toBe(true);
    expect(u.audit.append.mock.calls.map(([manager, entry]) => [manager, entry.action])).toEqual([
      [tx, 'user.created'],
      [tx, 'user.password-set'],
    ]);
  });

  it('answers 409 for a name that is taken, and passes other failures on', async () => {
    const u = users();
    u.apiKeys.insertUser.mockRejectedValueOnce(Object.assign(new Error('dup'), { code: '23505' }));
    const error = await u.service.create(' alice ', ['admin'], 'u-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictException);
    expect((error as ConflictException).message).toBe('a user named "alice" already exists');
    expect(u.audit.append).not.toHaveBeenCalled();
    const failure = new Error('connection lost');
    u.apiKeys.insertUser.mockRejectedValueOnce(failure);
    await expect(u.service.create('carol', ['admin'], 'u-1')).rejects.toBe(failure);
  });

  it('lists members without any credential, saying who has an authenticator', async () => {
    const listed = await users().service.list();
    expect(listed).toEqual([
      {
        id: 'u-2',
        name: 'bob',
        roles: ['analyst'],
        status: 'active',
        totpEnrolled: false,
        createdAt: CREATED_AT.toISOString(),
      },
      {
        id: 'u-3',
        name: 'carol',
        roles: ['analyst'],
        status: 'active',
        totpEnrolled: true,
        createdAt: CREATED_AT.toISOString(),
      },
    ]);
  });

  it("resets a member's authenticator, ends their sessions and audits it, in one transaction", async () => {
    const u = users();
    const view = await u.service.resetTotp('u-2', 'u-1');
    expect(u.userRows.resetTotp).toHaveBeenCalledWith('u-2', tx);
    expect(u.sessions.revokeAllForUser).toHaveBeenCalledWith('u-2', expect.any(Date), tx);
    expect(u.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'user.totp-reset',
      subjectType: 'user',
      subjectId: 'u-2',
      details: { sessionsEnded: 2 },
    });
    expect(view.totpEnrolled).toBe(false);
  });

  it('answers 404 for an unknown member, and audits nothing', async () => {
    const u = users();
    u.userRows.resetTotp.mockResolvedValueOnce(false);
    await expect(u.service.resetTotp('u-9', 'u-1')).rejects.toBeInstanceOf(NotFoundException);
    expect(u.sessions.revokeAllForUser).not.toHaveBeenCalled();
    expect(u.audit.append).not.toHaveBeenCalled();
  });
});
