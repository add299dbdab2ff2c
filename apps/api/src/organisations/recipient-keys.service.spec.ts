import { BadRequestException, NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { KeyUpdate, OpenPgpService, PublicKeyInfo } from '@tlp-broker/crypto';
import type { OrganisationRepository, RecipientKeyEntity } from '@tlp-broker/persistence';
import { fakeAudit, fakeTransactions, staffPrincipal, tx } from '../../../../test/support/mocks';
import type { PartnerSetupService } from './partner-setup.service';
import { RecipientKeysService } from './recipient-keys.service';

const actor = staffPrincipal();

function keyRow(changes: Partial<RecipientKeyEntity> = {}): RecipientKeyEntity {
  return {
    id: 'key-1',
    organisationId: 'org-1',
    contactId: null,
    fingerprint: 'D'.repeat(40),
    version: 4,
    algorithm: 'rsa 4096',
    bits: 4096,
    keyCreatedAt: new Date('2025-01-01T00:00:00Z'),
    expiresAt: new Date('2026-01-01T00:00:00Z'),
    revokedAt: null,
    userIds: ['SOC <soc@cert.example>'],
    encryptionKeyId: '0011223344556677',
    armored: 'stored armor',
    importedAt: new Date('2025-01-02T00:00:00Z'),
    ...changes,
  };
}
const newer: PublicKeyInfo = {
  fingerprint: 'D'.repeat(40) as PublicKeyInfo['fingerprint'],
  version: 4,
  algorithm: 'rsa 4096',
  bits: 4096,
  createdAt: new Date('2025-01-01T00:00:00Z'),
  expiresAt: new Date('2028-01-01T00:00:00Z'),
  userIds: ['SOC <soc@cert.example>', 'SOC <soc2@cert.example>'],
  encryptionKeyId: '8899AABBCCDDEEFF',
  armored: 'merged armor',
};

function keys(update: KeyUpdate, found: { contact?: object | null; current?: RecipientKeyEntity | null } = {}) {
  let current = found.current === undefined ? keyRow() : found.current;
  const organisations = {
    findContact: vi.fn(async () =>
      found.contact === undefined ? { id: 'c-1', email: 'jane@cert.example' } : found.contact,
    ),
    currentKey: vi.fn(async () => current),
    revokeKey: vi.fn(async (_id: string, armored: string, revokedAt: Date) => {
      current = { ...current!, armored, revokedAt };
    }),
    mergeKey: vi.fn(async (_id: string, merge: object) => {
      current = { ...current!, ...merge } as RecipientKeyEntity;
    }),
    findKey: vi.fn(async () => current),
    replaceChannelKey: vi.fn(async () => undefined),
  };
  const setup = {
    storeKey: vi.fn(async (key: PublicKeyInfo) => keyRow({ id: 'key-2', fingerprint: key.fingerprint })),
  };
  const openpgp = { applyKeyUpdate: vi.fn(async () => update) };
  const audit = fakeAudit();
  const transactions = fakeTransactions();
  const service = new RecipientKeysService(
    { keys: { requireEmailMatch: true } } as never,
    transactions,
    audit,
    openpgp as unknown as OpenPgpService,
    setup as unknown as PartnerSetupService,
    organisations as unknown as OrganisationRepository,
  );
  return { service, organisations, setup, openpgp, audit, transactions };
}

describe('RecipientKeysService', () => {
  it("merges an updated copy into the organisation's key, audited as key.updated", async () => {
    const k = keys({ kind: 'updated', key: newer });
    const answer = await k.service.updateKey('org-1', null, { publicKey: 'incoming', fingerprint: 'DDDD' }, actor);
    expect(k.openpgp.applyKeyUpdate).toHaveBeenCalledWith('stored armor', 'incoming', expect.any(Date), {
      pinnedFingerprint: 'DDDD',
      expectedEmail: undefined,
    });
    expect(k.organisations.mergeKey).toHaveBeenCalledWith(
      'key-1',
      {
        armored: 'merged armor',
        expiresAt: newer.expiresAt,
        userIds: newer.userIds,
        encryptionKeyId: '8899AABBCCDDEEFF',
        algorithm: 'rsa 4096',
        bits: 4096,
      },
      tx,
    );
    expect(k.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'key.updated',
      subjectType: 'organisation',
      subjectId: 'org-1',
      details: {
        previousFingerprint: 'D'.repeat(40),
        fingerprint: 'D'.repeat(40),
        expiresAt: newer.expiresAt,
        revokedAt: null,
      },
    });
    expect(answer.result).toBe('updated');
    expect(answer.key).toMatchObject({ expiresAt: newer.expiresAt, userIds: newer.userIds });
  });

  it('applies a revocation at once, keeping the time of an earlier one', async () => {
    const k = keys({ kind: 'revoked', fingerprint: newer.fingerprint, armored: 'revoked armor' });
    const before = Date.now();
    const answer = await k.service.updateKey('org-1', null, { publicKey: 'certificate' }, actor);
    const [[, armored, revokedAt]] = k.organisations.revokeKey.mock.calls;
    expect(armored).toBe('revoked armor');
    expect(revokedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(answer).toMatchObject({ result: 'revoked', key: { revokedAt } });
    expect(k.audit.append).toHaveBeenCalledWith(tx, expect.objectContaining({ action: 'key.revoked' }));

    const earlier = new Date('2025-06-01T00:00:00Z');
    const again = keys(
      { kind: 'revoked', fingerprint: newer.fingerprint, armored: 'revoked armor' },
      { current: keyRow({ revokedAt: earlier }) },
    );
    await again.service.updateKey('org-1', null, { publicKey: 'certificate' }, actor);
    expect(again.organisations.revokeKey).toHaveBeenCalledWith('key-1', 'revoked armor', earlier, tx);
  });

  it("replaces a contact's key: a new row, and the contact's channels moved onto it", async () => {
    const replacement = { ...newer, fingerprint: 'E'.repeat(40) as PublicKeyInfo['fingerprint'] };
    const k = keys({ kind: 'replaced', key: replacement }, { current: keyRow({ contactId: 'c-1' }) });
    const answer = await k.service.updateKey('org-1', 'c-1', { publicKey: 'new key' }, actor);
    expect(k.openpgp.applyKeyUpdate).toHaveBeenCalledWith('stored armor', 'new key', expect.any(Date), {
      pinnedFingerprint: undefined,
      expectedEmail: 'jane@cert.example',
    });
    const holder = { organisationId: 'org-1', contactId: 'c-1' };
    expect(k.setup.storeKey).toHaveBeenCalledWith(replacement, holder, tx);
    expect(k.organisations.replaceChannelKey).toHaveBeenCalledWith(holder, 'key-1', 'key-2', tx);
    expect(k.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'key.replaced',
      subjectType: 'contact',
      subjectId: 'c-1',
      details: expect.objectContaining({ previousFingerprint: 'D'.repeat(40), fingerprint: 'E'.repeat(40) }),
    });
    expect(answer).toMatchObject({ result: 'replaced', key: { fingerprint: 'E'.repeat(40) } });
  });

  it('refuses what the key checks refuse, naming publicKey, and changes nothing', async () => {
    const k = keys({ kind: 'refused', error: 'this is a different key and does not match the pinned fingerprint' });
    const error = await k.service.updateKey('org-1', null, { publicKey: 'x' }, actor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestException);
    expect((error as BadRequestException).getResponse()).toMatchObject({
      details: [{ field: 'publicKey', message: 'this is a different key and does not match the pinned fingerprint' }],
    });
    expect(k.transactions.run).not.toHaveBeenCalled();
  });

  it('answers 404 for a contact of another organisation, and for a holder without a key', async () => {
    const noContact = keys({ kind: 'updated', key: newer }, { contact: null });
    const missing = await noContact.service.updateKey('org-1', 'c-9', { publicKey: 'x' }, actor).catch((e) => e);
    expect(missing).toBeInstanceOf(NotFoundException);
    expect((missing as NotFoundException).message).toBe('contact c-9 not found at organisation org-1');
    const noKey = keys({ kind: 'updated', key: newer }, { current: null });
    const none = await noKey.service.updateKey('org-1', null, { publicKey: 'x' }, actor).catch((e) => e);
    expect((none as NotFoundException).message).toBe('no key registered for organisation org-1');
    expect(noKey.organisations.currentKey).toHaveBeenCalledWith('org-1', null);
    expect(noKey.openpgp.applyKeyUpdate).not.toHaveBeenCalled();
  });
});
