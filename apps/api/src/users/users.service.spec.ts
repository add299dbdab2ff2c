import { ConflictException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { ApiKeyRepository } from '@tlp-broker/persistence';
import { fakeAudit, fakeTransactions, tx } from '../../../../test/support/mocks';
import { UsersService } from './users.service';

function users() {
  const apiKeys = {
    insertUser: vi.fn(async (name: string, roles: string[]) => ({ id: 'u-2', name, roles, status: 'active' })),
    issueForUser: vi.fn(async () => ({ credential: { id: 'key-2' }, apiKey: 'tlpb_s_once' })),
  };
  const audit = fakeAudit();
  const service = new UsersService(fakeTransactions(), audit, apiKeys as unknown as ApiKeyRepository);
  return { service, apiKeys, audit };
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
    expect(created).toEqual({ id: 'u-2', name: 'bob', roles: ['analyst', 'approver'], apiKey: 'tlpb_s_once' });
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
});
