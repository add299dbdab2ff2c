import { BadRequestException, ConflictException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { OpenPgpService, PublicKeyInfo } from '@tlp-broker/crypto';
import type { ApiKeyRepository, OrganisationRepository, RecipientKeyEntity } from '@tlp-broker/persistence';
import { tx } from '../../../../test/support/mocks';
import type { CaveatsService } from '../caveats/caveats.service';
import { PartnerSetupService, rethrowConflict } from './partner-setup.service';

const KEY: PublicKeyInfo = {
  fingerprint: 'B'.repeat(40) as PublicKeyInfo['fingerprint'],
  version: 4,
  algorithm: 'rsa 4096',
  bits: 4096,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  expiresAt: new Date('2028-01-01T00:00:00Z'),
  userIds: ['Jane <jane@cert.example>'],
  encryptionKeyId: '0123456789ABCDEF',
  armored: 'armored key',
};
const stored = { id: 'key-9', fingerprint: KEY.fingerprint } as unknown as RecipientKeyEntity;
const team = { organisationId: 'org-1', contactId: null };

function setup(keyCheck: { ok: true; key: PublicKeyInfo } | { ok: false; error: string } = { ok: true, key: KEY }) {
  const organisations = {
    insertKey: vi.fn(async (key: object) => ({ id: 'key-9', ...key })),
    insertChannel: vi.fn(async (channel: object) => ({ id: 'ch-1', status: 'active', ...channel })),
  };
  const apiKeys = {
    issueForChannel: vi.fn(async () => ({ credential: { id: 'cred-1' }, apiKey: 'tlpb_p_once' })),
  };
  const openpgp = { inspectPublicKey: vi.fn(async () => keyCheck) };
  const caveats = { unknown: vi.fn(async (names: readonly string[]) => names.filter((n) => n.startsWith('x-'))) };
  const service = new PartnerSetupService(
    { webhooks: { allowList: [] } } as never,
    openpgp as unknown as OpenPgpService,
    caveats as unknown as CaveatsService,
    organisations as unknown as OrganisationRepository,
    apiKeys as unknown as ApiKeyRepository,
  );
  return { service, organisations, apiKeys, openpgp };
}

describe('PartnerSetupService', () => {
  it('names every unknown accreditation in one refusal', async () => {
    const error = await setup()
      .service.checkAccreditations(['need-to-know', 'x-one', 'x-two'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestException);
    expect((error as BadRequestException).getResponse()).toMatchObject({
      details: [
        { field: 'accreditations', message: 'unknown caveat "x-one", "x-two" (register it under /caveats first)' },
      ],
    });
    await expect(setup().service.checkAccreditations(['need-to-know'])).resolves.toBeUndefined();
  });

  it('checks a key under the rules given, and refuses it naming publicKey', async () => {
    const ok = setup();
    expect(await ok.service.checkKey('armored', { expectedEmail: 'jane@cert.example' })).toBe(KEY);
    expect(ok.openpgp.inspectPublicKey).toHaveBeenCalledWith('armored', expect.any(Date), {
      expectedEmail: 'jane@cert.example',
    });
    const error = await setup({ ok: false, error: 'RSA keys need 3072 bits' })
      .service.checkKey('armored', {})
      .catch((e: unknown) => e);
    expect((error as BadRequestException).getResponse()).toMatchObject({
      details: [{ field: 'publicKey', message: 'RSA keys need 3072 bits' }],
    });
  });

  it("stores a key as its holder's, with what the checks read from it", async () => {
    const { service, organisations } = setup();
    await service.storeKey(KEY, { organisationId: 'org-1', contactId: 'c-1' }, tx);
    expect(organisations.insertKey).toHaveBeenCalledWith(
      {
        organisationId: 'org-1',
        contactId: 'c-1',
        fingerprint: KEY.fingerprint,
        version: 4,
        algorithm: 'rsa 4096',
        bits: 4096,
        keyCreatedAt: KEY.createdAt,
        expiresAt: KEY.expiresAt,
        userIds: KEY.userIds,
        encryptionKeyId: KEY.encryptionKeyId,
        armored: 'armored key',
      },
      tx,
    );
  });

  it('opens a feed channel with an API key, shown once with its scopes', async () => {
    const { service, organisations, apiKeys } = setup();
    const view = await service.openChannel(team, stored, { kind: 'feed', redistributes: true }, tx);
    expect(organisations.insertChannel).toHaveBeenCalledWith(
      { ...team, kind: 'feed', redistributes: true, address: null, secret: null, keyId: 'key-9', onCall: false },
      tx,
    );
    expect(apiKeys.issueForChannel).toHaveBeenCalledWith('ch-1', ['feed', 'taxii', 'misp'], tx);
    expect(view).toEqual({
      id: 'ch-1',
      kind: 'feed',
      redistributes: true,
      personal: false,
      onCall: false,
      status: 'active',
      keyFingerprint: KEY.fingerprint,
      address: null,
      apiKey: 'tlpb_p_once',
      scopes: ['feed', 'taxii', 'misp'],
    });
  });

  it('opens a webhook with the secret given, or a generated one, and no API key', async () => {
    const { service, apiKeys } = setup();
    const given = await service.openChannel(
      team,
      stored,
      { kind: 'webhook', redistributes: false, address: 'https://93.184.215.14/in', secret: 'a shared secret of 24c' },
      tx,
    );
    expect(given.secret).toBe('a shared secret of 24c');
    const generated = await service.openChannel(
      team,
      stored,
      { kind: 'webhook', redistributes: false, address: 'https://93.184.215.14/in' },
      tx,
    );
    expect(generated.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generated.secret).not.toBe(given.secret);
    expect(apiKeys.issueForChannel).not.toHaveBeenCalled();
  });

  it('opens an e-mail channel on the trimmed address, with neither key nor secret', async () => {
    const { service, apiKeys } = setup();
    const view = await service.openChannel(
      { organisationId: 'org-1', contactId: 'c-1' },
      stored,
      { kind: 'email', redistributes: false, address: ' soc@cert.example ' },
      tx,
    );
    expect(view).toMatchObject({ address: 'soc@cert.example', personal: true });
    expect(view).not.toHaveProperty('secret');
    expect(view).not.toHaveProperty('apiKey');
    expect(apiKeys.issueForChannel).not.toHaveBeenCalled();
  });

  it('checks an address again when it opens the channel', async () => {
    const { service, organisations } = setup();
    const error = await service
      .openChannel(team, stored, { kind: 'webhook', redistributes: false, address: 'https://127.0.0.1/in' }, tx)
      .catch((e: unknown) => e);
    expect((error as BadRequestException).getResponse()).toMatchObject({
      details: [{ field: 'channels.address', message: expect.stringMatching(/^webhook refused: .*loopback/) }],
    });
    expect(organisations.insertChannel).not.toHaveBeenCalled();
  });
});

describe('rethrowConflict', () => {
  it('answers a unique violation 409 with the message, and passes anything else on', () => {
    expect(() => rethrowConflict(Object.assign(new Error('dup'), { code: '23505' }), 'taken')).toThrow(
      new ConflictException('taken'),
    );
    const other = new Error('other');
    expect(() => rethrowConflict(other, 'taken')).toThrow(other);
  });
});
