import { BadRequestException, ConflictException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { CaveatRepository } from '@tlp-broker/persistence';
import { fakeAudit, fakeTransactions, staffPrincipal, tx } from '../../../../test/support/mocks';
import { CaveatsService } from './caveats.service';

const actor = staffPrincipal();

function service(existing: string[] = []) {
  const caveats = {
    exists: vi.fn(async (name: string) => existing.includes(name)),
    insert: vi.fn(async (caveat: { name: string; description: string }) => ({ ...caveat, createdAt: new Date(0) })),
    registered: vi.fn(async (names: readonly string[]) => new Set(names.filter((name) => existing.includes(name)))),
    list: vi.fn(),
  };
  const audit = fakeAudit();
  return {
    caveats,
    audit,
    service: new CaveatsService(fakeTransactions(), audit, caveats as unknown as CaveatRepository),
  };
}

describe('CaveatsService', () => {
  it('registers a caveat with its description trimmed, and audits it in the same transaction', async () => {
    const { service: caveats, caveats: repository, audit } = service();
    const created = await caveats.create('need-to-know', '  Shared only with named analysts ', actor);
    expect(created).toMatchObject({ name: 'need-to-know', description: 'Shared only with named analysts' });
    expect(repository.insert).toHaveBeenCalledWith(
      { name: 'need-to-know', description: 'Shared only with named analysts' },
      tx,
    );
    expect(audit.append).toHaveBeenCalledWith(
      tx,
      expect.objectContaining({ action: 'caveat.created', subjectId: 'need-to-know', actor: 'user:u-1' }),
    );
  });

  it('refuses a name that marks national defence secret, however it is spelled, and stores nothing', async () => {
    const { service: caveats, caveats: repository } = service();
    for (const name of ['secret-defense', 'nat0-secret', 'nato--secret']) {
      await expect(caveats.create(name, 'x', actor)).rejects.toBeInstanceOf(BadRequestException);
    }
    expect(repository.insert).not.toHaveBeenCalled();
  });

  it('answers 409 for a caveat that exists', async () => {
    const { service: caveats, caveats: repository } = service(['judicial-secret']);
    await expect(caveats.create('judicial-secret', 'x', actor)).rejects.toBeInstanceOf(ConflictException);
    expect(repository.insert).not.toHaveBeenCalled();
  });

  it('answers 409, not a server error, when the caveat was registered by someone else since the check', async () => {
    const { service: caveats, caveats: repository, audit } = service();
    repository.insert.mockRejectedValueOnce(Object.assign(new Error('duplicate key value'), { code: '23505' }));
    await expect(caveats.create('need-to-know', 'x', actor)).rejects.toBeInstanceOf(ConflictException);
    expect(audit.append).not.toHaveBeenCalled();
  });

  it('names the caveats that are not registered, in the order given', async () => {
    const { service: caveats } = service(['judicial-secret']);
    expect(await caveats.unknown(['zeta', 'judicial-secret', 'alpha'])).toEqual(['zeta', 'alpha']);
  });
});
