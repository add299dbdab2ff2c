import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { ApiKeyEntity, ApiKeyRepository, OrganisationRepository } from '@tlp-broker/persistence';
import { fakeAudit, fakeTransactions, staffPrincipal, tx } from '../../../../test/support/mocks';
import { CredentialsService } from './credentials.service';

const actor = staffPrincipal();
const created = new Date('2026-03-01T00:00:00Z');

function credential(changes: Partial<ApiKeyEntity> = {}): ApiKeyEntity {
  return {
    id: 'cred-1',
    keyHash: 'hash',
    prefix: 'tlpb_p_abcde',
    userId: null,
    channelId: 'ch-1',
    scopes: ['taxii'],
    createdAt: created,
    revokedAt: null,
    lastUsedAt: null,
    ...changes,
  };
}

function credentials(found: { channel?: object | null; credential?: ApiKeyEntity | null } = {}) {
  const organisations = {
    findChannel: vi.fn(async () => (found.channel === undefined ? { id: 'ch-1', kind: 'feed' } : found.channel)),
  };
  const apiKeys = {
    listForChannel: vi.fn(async () => [credential({ keyHash: 'never shown' })]),
    issueForChannel: vi.fn(async (_channelId: string, scopes: readonly string[]) => ({
      credential: credential({ id: 'cred-2', prefix: 'tlpb_p_fghij', scopes: [...scopes] as ApiKeyEntity['scopes'] }),
      apiKey: 'tlpb_p_new',
    })),
    lockForUpdate: vi.fn(async () => (found.credential === undefined ? credential() : found.credential)),
    revoke: vi.fn(async () => undefined),
  };
  const audit = fakeAudit();
  const service = new CredentialsService(
    fakeTransactions(),
    audit,
    organisations as unknown as OrganisationRepository,
    apiKeys as unknown as ApiKeyRepository,
  );
  return { service, organisations, apiKeys, audit };
}

describe('CredentialsService', () => {
  it("lists a feed channel's credentials without their hashes", async () => {
    const c = credentials();
    const listed = await c.service.list('org-1', 'ch-1');
    expect(c.organisations.findChannel).toHaveBeenCalledWith('org-1', 'ch-1', undefined);
    expect(listed).toEqual([
      {
        id: 'cred-1',
        prefix: 'tlpb_p_abcde',
        scopes: ['taxii'],
        createdAt: created,
        revokedAt: null,
        lastUsedAt: null,
      },
    ]);
  });

  it('issues a key with the scopes asked for, shown once, audited', async () => {
    const c = credentials();
    const issued = await c.service.create('org-1', 'ch-1', ['taxii', 'misp'], actor);
    expect(c.apiKeys.issueForChannel).toHaveBeenCalledWith('ch-1', ['taxii', 'misp'], tx);
    expect(issued).toMatchObject({ id: 'cred-2', apiKey: 'tlpb_p_new', scopes: ['taxii', 'misp'] });
    expect(c.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'credential.created',
      subjectType: 'channel',
      subjectId: 'ch-1',
      details: { credentialId: 'cred-2', prefix: 'tlpb_p_fghij', scopes: ['taxii', 'misp'] },
    });
  });

  it('rotates a key: the old one revoked under a lock, a new one with the same scopes, audited', async () => {
    const c = credentials();
    const issued = await c.service.rotate('org-1', 'ch-1', 'cred-1', actor);
    expect(c.apiKeys.lockForUpdate).toHaveBeenCalledWith('ch-1', 'cred-1', tx);
    expect(c.apiKeys.revoke).toHaveBeenCalledWith('cred-1', expect.any(Date), tx);
    expect(c.apiKeys.issueForChannel).toHaveBeenCalledWith('ch-1', ['taxii'], tx);
    expect(issued.apiKey).toBe('tlpb_p_new');
    expect(c.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'credential.rotated',
      subjectType: 'channel',
      subjectId: 'ch-1',
      details: { revoked: 'cred-1', credentialId: 'cred-2', prefix: 'tlpb_p_fghij', scopes: ['taxii'] },
    });
  });

  it('revokes a key and answers it with its revocation time, audited', async () => {
    const c = credentials();
    const revoked = await c.service.revoke('org-1', 'ch-1', 'cred-1', actor);
    const [[, at]] = c.apiKeys.revoke.mock.calls as unknown as [string, Date][];
    expect(revoked).toMatchObject({ id: 'cred-1', revokedAt: at });
    expect(revoked).not.toHaveProperty('keyHash');
    expect(c.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'credential.revoked',
      subjectType: 'channel',
      subjectId: 'ch-1',
      details: { credentialId: 'cred-1', prefix: 'tlpb_p_abcde' },
    });
  });

  it('answers 409 for a key already revoked and 404 for a key of another channel, changing nothing', async () => {
    const gone = credentials({ credential: credential({ revokedAt: created }) });
    const conflict = await gone.service.revoke('org-1', 'ch-1', 'cred-1', actor).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictException);
    expect((conflict as ConflictException).message).toBe('credential cred-1 is already revoked');
    await expect(gone.service.rotate('org-1', 'ch-1', 'cred-1', actor)).rejects.toBeInstanceOf(ConflictException);
    const missing = credentials({ credential: null });
    const notFound = await missing.service.revoke('org-1', 'ch-1', 'cred-9', actor).catch((e: unknown) => e);
    expect((notFound as NotFoundException).message).toBe('channel ch-1 has no credential cred-9');
    for (const c of [gone, missing]) {
      expect(c.apiKeys.revoke).not.toHaveBeenCalled();
      expect(c.apiKeys.issueForChannel).not.toHaveBeenCalled();
      expect(c.audit.append).not.toHaveBeenCalled();
    }
  });

  it('answers 404 for a channel of another organisation, and 400 naming channelId for a channel without credentials', async () => {
    const missing = await credentials({ channel: null })
      .service.list('org-2', 'ch-1')
      .catch((e: unknown) => e);
    expect((missing as NotFoundException).message).toBe('organisation org-2 has no channel ch-1');
    const webhook = credentials({ channel: { id: 'ch-1', kind: 'webhook' } });
    const error = await webhook.service.create('org-1', 'ch-1', ['feed'], actor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestException);
    expect((error as BadRequestException).getResponse()).toMatchObject({
      details: [{ field: 'channelId', message: 'a webhook channel has no pull credentials' }],
    });
    expect(webhook.apiKeys.issueForChannel).not.toHaveBeenCalled();
  });
});
