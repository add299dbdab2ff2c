import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyCheck, MIN_RSA_BITS, PublicKeyInfo, inspectPublicKey, keyStateAt } from './keys';
import { generateKeyPair } from './seal';

// OpenPGP times have whole-second precision, and a key is not valid before its creation time:
// decide a minute ahead of the keys these tests create.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);
const HOUR = 3_600_000;
const USER = { name: 'Alice Martin', email: 'alice@cert.example' };

function expectRefused(check: KeyCheck, pattern: RegExp): string {
  expect(check.ok).toBe(false);
  if (check.ok) throw new Error('expected a refusal');
  expect(check.error).toMatch(pattern);
  return check.error;
}

function expectAccepted(check: KeyCheck): PublicKeyInfo {
  if (!check.ok) throw new Error(`expected the key to be accepted, got: ${check.error}`);
  return check.key;
}

describe('inspectPublicKey: a good Curve25519 key', () => {
  let publicArmored: string;
  let fingerprint: string;
  let info: PublicKeyInfo;
  let publicKey: openpgp.PublicKey;

  beforeAll(async () => {
    const pair = await generateKeyPair(USER);
    publicArmored = pair.publicArmored;
    fingerprint = pair.fingerprint;
    publicKey = await openpgp.readKey({ armoredKey: publicArmored });
    info = expectAccepted(await inspectPublicKey(publicArmored, NOW));
  });

  it('gives the fingerprint in upper-case hexadecimal', () => {
    expect(info.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(info.fingerprint).toBe(fingerprint);
    expect(info.fingerprint).toBe(publicKey.getFingerprint().toUpperCase());
  });

  it('gives version, algorithm, creation, expiry and user ids', () => {
    expect(info.version).toBe(4);
    expect(info.algorithm).toBe('eddsaLegacy ed25519Legacy');
    expect(info.createdAt).toEqual(publicKey.getCreationTime());
    expect(info.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(info.createdAt.getTime()).toBeGreaterThan(Date.now() - HOUR);
    expect(info.expiresAt).toBeNull();
    expect(info.userIds).toEqual(['Alice Martin <alice@cert.example>']);
  });

  it('names the encryption subkey by its key id', async () => {
    const encryptionKey = await publicKey.getEncryptionKey();
    expect(info.encryptionKeyId).toMatch(/^[0-9A-F]{16}$/);
    expect(info.encryptionKeyId).toBe(encryptionKey.getKeyID().toHex().toUpperCase());
    // the subkey, not the signing primary key
    expect(info.encryptionKeyId).not.toBe(publicKey.getKeyID().toHex().toUpperCase());
  });

  it('returns the public key alone, re-armored', async () => {
    expect(info.armored).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    expect(info.armored).not.toContain('PRIVATE');
    const reread = await openpgp.readKey({ armoredKey: info.armored });
    expect(reread.isPrivate()).toBe(false);
    expect(reread.getFingerprint().toUpperCase()).toBe(fingerprint);
  });

  it('tolerates blank lines around the armor and CRLF line ends (pasted from an e-mail)', async () => {
    expectAccepted(await inspectPublicKey(`\n\n${publicArmored}\n\n  `, NOW));
    expectAccepted(await inspectPublicKey(publicArmored.replace(/\n/g, '\r\n'), NOW));
  });
});

describe('inspectPublicKey: what it refuses', () => {
  it.each<[string, unknown]>([
    ['an empty string', ''],
    ['blanks', '  \n '],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
  ])('refuses %s as missing', async (_what, value) => {
    expectRefused(await inspectPublicKey(value, NOW), /required/);
  });

  it('refuses a private key and says so', async () => {
    const pair = await generateKeyPair(USER);
    expectRefused(await inspectPublicKey(pair.privateArmored, NOW), /private key/);
  });

  it('refuses a passphrase-protected private key', async () => {
    const pair = await generateKeyPair(USER, 'a long enough passphrase');
    expectRefused(await inspectPublicKey(pair.privateArmored, NOW), /private/);
  });

  it('refuses private key material even when armored as a public key block', async () => {
    const { privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [USER],
      format: 'object',
    });
    const disguised = openpgp.armor(openpgp.enums.armor.publicKey, privateKey.toPacketList().write());
    expect(disguised).not.toContain('PRIVATE');
    expectRefused(await inspectPublicKey(disguised, NOW), /private key/);
  });

  it.each([
    ['plain text', 'hello, this is my key'],
    ['a truncated armor', '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ\n-----END PGP PUBLIC KEY BLOCK-----'],
    ['an SSH key', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGarbageGarbageGarbage alice@host'],
  ])('refuses %s as unreadable', async (_what, text) => {
    expectRefused(await inspectPublicKey(text, NOW), /not a readable OpenPGP public key/);
  });

  it('refuses a signed message that is not a key', async () => {
    const { privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [USER],
      format: 'object',
    });
    const message = await openpgp.sign({
      message: await openpgp.createMessage({ text: 'hi' }),
      signingKeys: privateKey,
    });
    expectRefused(await inspectPublicKey(message, NOW), /not a readable OpenPGP public key/);
  });

  describe('an expiring key', () => {
    const created = new Date(NOW.getTime() - 2 * HOUR);
    const expiresAt = new Date(created.getTime() + HOUR);
    let armored: string;
    let fingerprint: string;

    beforeAll(async () => {
      const { publicKey } = await openpgp.generateKey({
        type: 'ecc',
        curve: 'curve25519Legacy',
        userIDs: [USER],
        date: created,
        keyExpirationTime: HOUR / 1000,
        format: 'object',
      });
      armored = publicKey.armor();
      fingerprint = publicKey.getFingerprint().toUpperCase();
    });

    it('is refused once expired, with the fingerprint and the expiry date', async () => {
      const error = expectRefused(await inspectPublicKey(armored, NOW), /expired/);
      expect(error).toContain(fingerprint);
      expect(error).toContain(expiresAt.toISOString());
    });

    it('is refused at the very moment it expires', async () => {
      expectRefused(await inspectPublicKey(armored, expiresAt), /expired/);
    });

    it('is accepted before it expires, with its expiry date', async () => {
      const info = expectAccepted(await inspectPublicKey(armored, new Date(expiresAt.getTime() - 1000)));
      expect(info.expiresAt).toEqual(expiresAt);
    });
  });

  it('refuses a key that expired one second after creation (keyExpirationTime: 1)', async () => {
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [USER],
      date: new Date(NOW.getTime() - HOUR),
      keyExpirationTime: 1,
      format: 'object',
    });
    expectRefused(await inspectPublicKey(publicKey.armor(), NOW), /expired/);
  });

  it('refuses a revoked key, naming it', async () => {
    const { privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [USER],
      format: 'object',
    });
    const { publicKey: revoked } = await openpgp.revokeKey({ key: privateKey, format: 'armored' });
    const error = expectRefused(await inspectPublicKey(revoked, NOW), /revoked/);
    expect(error).toContain(privateKey.getFingerprint().toUpperCase());
  });

  it('refuses a key with no encryption subkey', async () => {
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [USER],
      subkeys: [],
      format: 'object',
    });
    expectRefused(await inspectPublicKey(publicKey.armor(), NOW), /encryption/);
  });

  it('refuses a key whose only encryption subkey has expired', async () => {
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [USER],
      date: new Date(NOW.getTime() - HOUR),
      subkeys: [{ keyExpirationTime: 60 }],
      format: 'object',
    });
    expectRefused(await inspectPublicKey(publicKey.armor(), NOW), /encryption/);
  });
});

describe('inspectPublicKey: RSA key sizes', () => {
  let rsa2048: openpgp.PublicKey;
  let rsa3072: openpgp.PublicKey;

  beforeAll(async () => {
    // RSA generation is the slow part of this file: both sizes at once, on Node's thread pool.
    const generate = (rsaBits: number) =>
      openpgp.generateKey({ type: 'rsa', rsaBits, userIDs: [USER], format: 'object' }).then((pair) => pair.publicKey);
    [rsa2048, rsa3072] = await Promise.all([generate(2048), generate(3072)]);
  });

  it(`requires at least ${MIN_RSA_BITS} bits`, () => {
    expect(MIN_RSA_BITS).toBe(3072);
  });

  it('refuses RSA 2048, saying 3072 bits are required', async () => {
    const error = expectRefused(await inspectPublicKey(rsa2048.armor(), NOW), /3072/);
    expect(error).toContain('2048');
    expect(error).toContain(rsa2048.getFingerprint().toUpperCase());
  });

  it('accepts RSA 3072', async () => {
    const info = expectAccepted(await inspectPublicKey(rsa3072.armor(), NOW));
    expect(info.bits).toBe(3072);
    expect(info.algorithm).toMatch(/^rsa\w* 3072$/);
    expect(info.version).toBe(4);
    expect(info.fingerprint).toBe(rsa3072.getFingerprint().toUpperCase());
    expect(info.encryptionKeyId).toMatch(/^[0-9A-F]{16}$/);
  });
});

describe('inspectPublicKey: RFC 9580 (v6) keys', () => {
  it('accepts a v6 key with its 64-digit fingerprint', async () => {
    const { publicKey } = await openpgp.generateKey({
      type: 'curve25519',
      userIDs: [USER],
      format: 'object',
      config: { v6Keys: true },
    });
    const info = expectAccepted(await inspectPublicKey(publicKey.armor(), NOW));
    expect(info.version).toBe(6);
    expect(info.fingerprint).toMatch(/^[0-9A-F]{64}$/);
  });
});

describe('keyStateAt', () => {
  it('reads a good key as usable and never expiring', async () => {
    const pair = await generateKeyPair(USER);
    await expect(keyStateAt(pair.publicArmored, NOW)).resolves.toEqual({
      expiresAt: null,
      revoked: false,
      canEncrypt: true,
    });
  });

  it('sees a revocation', async () => {
    const { privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [USER],
      format: 'object',
    });
    const { publicKey } = await openpgp.revokeKey({ key: privateKey, format: 'armored' });
    const state = await keyStateAt(publicKey, NOW);
    expect(state.revoked).toBe(true);
  });

  it('gives the expiry and sees that an expired key cannot encrypt', async () => {
    const created = new Date(NOW.getTime() - 2 * HOUR);
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [USER],
      date: created,
      keyExpirationTime: HOUR / 1000,
      format: 'object',
    });
    const state = await keyStateAt(publicKey.armor(), NOW);
    expect(state.expiresAt).toEqual(new Date(created.getTime() + HOUR));
    expect(state.canEncrypt).toBe(false);
    expect((await keyStateAt(publicKey.armor(), new Date(created.getTime() + HOUR / 2))).canEncrypt).toBe(true);
  });

  it('sees a key with no encryption subkey', async () => {
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [USER],
      subkeys: [],
      format: 'object',
    });
    expect((await keyStateAt(publicKey.armor(), NOW)).canEncrypt).toBe(false);
  });
});

describe('keys as people paste them', () => {
  it('accepts an armored key with blanks before and after it', async () => {
    const pair = await generateKeyPair({ name: 'Paste', email: 'paste@example.org' });
    const check = await inspectPublicKey(`  \n  ${pair.publicArmored}\n   `, new Date());
    expect(check.ok).toBe(true);
  });

  it('accepts a key made seconds ahead by a machine whose clock runs fast', async () => {
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Fast', email: 'fast@example.org' }],
      date: new Date(Date.now() + 10_000),
    });
    expect((await inspectPublicKey(publicKey, new Date())).ok).toBe(true);
  });

  it('refuses a key dated well in the future, saying so', async () => {
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Future', email: 'future@example.org' }],
      date: new Date(Date.now() + 3_600_000),
    });
    const check = await inspectPublicKey(publicKey, new Date());
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.error).toMatch(/in the future/);
  });
});
