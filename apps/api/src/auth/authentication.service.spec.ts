import { Logger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { ApiKeyRepository, hashApiKey, LiveApiKey } from '@tlp-broker/persistence';
import { AuthenticationService } from './authentication.service';

const KEY = `tlpb_p_${'k'.repeat(43)}`;
const NOW = 1_800_000_000_000;

const staffKey: LiveApiKey = {
  id: 'key-s',
  scopes: [],
  lastUsedAt: null,
  user: { id: 'u-1', name: 'alice', roles: ['analyst'], status: 'active' },
  channel: null,
};
const partnerKey: LiveApiKey = {
  id: 'key-p',
  scopes: ['feed', 'taxii'],
  lastUsedAt: new Date(NOW - 120_000),
  user: null,
  channel: {
    id: 'ch-1',
    status: 'active',
    organisationId: 'org-1',
    organisationStatus: 'active',
    contactId: null,
    contactStatus: null,
  },
};

function authentication(found: LiveApiKey | null) {
  const apiKeys = { findLive: vi.fn(async () => found), markUsed: vi.fn(async () => undefined) };
  return { apiKeys, service: new AuthenticationService(apiKeys as unknown as ApiKeyRepository) };
}

const withChannel = (changes: Partial<NonNullable<LiveApiKey['channel']>>): LiveApiKey => ({
  ...partnerKey,
  channel: { ...partnerKey.channel!, ...changes },
});

describe('AuthenticationService', () => {
  it('looks a key up by its SHA-256 and refuses what is not shaped like a key without a lookup', async () => {
    const { apiKeys, service } = authentication(null);
    expect(await service.authenticate(KEY, NOW)).toBeNull();
    expect(apiKeys.findLive).toHaveBeenCalledWith(hashApiKey(KEY));
    apiKeys.findLive.mockClear();
    for (const token of ['password123', 'tlpb_p_short', `tlpb_x_${'k'.repeat(43)}`])
      expect(await service.authenticate(token, NOW)).toBeNull();
    expect(apiKeys.findLive).not.toHaveBeenCalled();
  });

  it("makes an active team member's key a staff principal, and a suspended member's key nothing", async () => {
    expect(await authentication(staffKey).service.authenticate(KEY, NOW)).toEqual({
      kind: 'staff',
      userId: 'u-1',
      name: 'alice',
      roles: ['analyst'],
    });
    const suspended = { ...staffKey, user: { ...staffKey.user!, status: 'suspended' as const } };
    expect(await authentication(suspended).service.authenticate(KEY, NOW)).toBeNull();
  });

  it("makes an active channel's key a partner principal with the key's scopes", async () => {
    expect(await authentication(partnerKey).service.authenticate(KEY, NOW)).toEqual({
      kind: 'partner',
      channelId: 'ch-1',
      organisationId: 'org-1',
      contactId: null,
      apiKeyId: 'key-p',
      scopes: ['feed', 'taxii'],
    });
  });

  it('refuses the key of a suspended channel, of a suspended organisation, and of a suspended contact', async () => {
    for (const key of [
      withChannel({ status: 'suspended' }),
      withChannel({ organisationStatus: 'suspended' }),
      withChannel({ contactId: 'c-1', contactStatus: 'suspended' }),
      withChannel({ contactId: 'c-1', contactStatus: null }),
    ]) {
      const { apiKeys, service } = authentication(key);
      expect(await service.authenticate(KEY, NOW)).toBeNull();
      expect(apiKeys.markUsed).not.toHaveBeenCalled();
    }
    const personal = await authentication(
      withChannel({ contactId: 'c-1', contactStatus: 'active' }),
    ).service.authenticate(KEY, NOW);
    expect(personal).toMatchObject({ kind: 'partner', contactId: 'c-1' });
  });

  it("records a partner key's use when none was recorded in the last minute, and only then", async () => {
    const cases: [Date | null, boolean][] = [
      [null, true],
      [new Date(NOW - 60_000), true],
      [new Date(NOW - 59_000), false],
      [new Date(NOW - 1_000), false],
    ];
    for (const [lastUsedAt, written] of cases) {
      const { apiKeys, service } = authentication({ ...partnerKey, lastUsedAt });
      await service.authenticate(KEY, NOW);
      expect(apiKeys.markUsed.mock.calls, String(lastUsedAt)).toEqual(written ? [['key-p']] : []);
    }
    const { apiKeys, service } = authentication(staffKey);
    await service.authenticate(KEY, NOW);
    expect(apiKeys.markUsed).not.toHaveBeenCalled();
  });

  it('does not wait for the write, and logs it when it fails', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { apiKeys, service } = authentication({ ...partnerKey, lastUsedAt: null });
    apiKeys.markUsed.mockReturnValue(new Promise(() => undefined));
    await expect(service.authenticate(KEY, NOW)).resolves.toMatchObject({ kind: 'partner' });
    apiKeys.markUsed.mockRejectedValue(new Error('connection terminated'));
    await expect(service.authenticate(KEY, NOW)).resolves.toMatchObject({ kind: 'partner' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(warn).toHaveBeenCalledWith('could not record the use of credential key-p: connection terminated');
    warn.mockRestore();
  });
});
