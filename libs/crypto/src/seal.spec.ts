import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GeneratedKeyPair,
  SealedPayload,
  TeamKeyUnlockError,
  addressTo,
  generateKeyPair,
  openSealed,
  readPublicKey,
  sealOnce,
  signOnly,
  unlockPrivateKey,
} from './seal';

interface Party {
  readonly pair: GeneratedKeyPair;
  readonly privateKey: openpgp.PrivateKey;
  readonly publicKey: openpgp.PublicKey;
}

async function party(name: string, email: string): Promise<Party> {
  const pair = await generateKeyPair({ name, email });
  return {
    pair,
    privateKey: await openpgp.readPrivateKey({ armoredKey: pair.privateArmored }),
    publicKey: await openpgp.readKey({ armoredKey: pair.publicArmored }),
  };
}

const PLAINTEXT = 'Indicator: 203.0.113.7 — C2 de « BlackLotus », vu le 2025-05-30 🕵️\nLine two.';

let team: Party;
let otherTeam: Party;
let alice: Party;
let bob: Party;
let mallory: Party;

beforeAll(async () => {
  [team, otherTeam, alice, bob, mallory] = await Promise.all([
    party('tlp-broker team', 'csirt@example.org'),
    party('Impostor team', 'csirt@example.net'),
    party('Alice Martin', 'alice@cert.example'),
    party('Bob Durand', 'bob@lea.example'),
    party('Mallory', 'mallory@example.com'),
  ]);
});

describe('generateKeyPair', () => {
  it('makes a v4 Ed25519/Curve25519 (legacy) key pair that GnuPG 2.2 reads', async () => {
    const { pair, publicKey, privateKey } = alice;
    expect(pair.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(pair.fingerprint).toBe(publicKey.getFingerprint().toUpperCase());
    expect(publicKey.keyPacket.version).toBe(4);
    expect(publicKey.getAlgorithmInfo()).toMatchObject({ algorithm: 'eddsaLegacy', curve: 'ed25519Legacy' });
    const encryption = await publicKey.getEncryptionKey();
    expect(encryption.getAlgorithmInfo()).toMatchObject({ algorithm: 'ecdh', curve: 'curve25519Legacy' });
    expect(publicKey.getUserIDs()).toEqual(['Alice Martin <alice@cert.example>']);
    expect(privateKey.isPrivate()).toBe(true);
  });

  it('keeps the private part out of the public armor', () => {
    expect(alice.pair.publicArmored).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    expect(alice.pair.publicArmored).not.toContain('PRIVATE');
    expect(alice.pair.privateArmored).toContain('-----BEGIN PGP PRIVATE KEY BLOCK-----');
  });

  it('makes a different key each time', () => {
    expect(new Set([team, otherTeam, alice, bob, mallory].map((p) => p.pair.fingerprint)).size).toBe(5);
  });

  it('protects the private key with the passphrase when one is given, and only that passphrase unlocks it', async () => {
    const pair = await generateKeyPair({ name: 'Locked', email: 'locked@example.org' }, 'correct horse battery staple');
    const locked = await openpgp.readPrivateKey({ armoredKey: pair.privateArmored });
    expect(locked.isDecrypted()).toBe(false);

    const unlocked = await unlockPrivateKey(pair.privateArmored, 'correct horse battery staple');
    expect(unlocked.isDecrypted()).toBe(true);
    expect(unlocked.getFingerprint().toUpperCase()).toBe(pair.fingerprint);

    const wrong = unlockPrivateKey(pair.privateArmored, 'wrong passphrase');
    await expect(wrong).rejects.toBeInstanceOf(TeamKeyUnlockError);
    await expect(unlockPrivateKey(pair.privateArmored, 'wrong passphrase')).rejects.toThrow(
      /passphrase does not unlock/,
    );
  });
});

describe('unlockPrivateKey and readPublicKey', () => {
  it('returns an unprotected private key as it is', async () => {
    const key = await unlockPrivateKey(team.pair.privateArmored, 'irrelevant');
    expect(key.isDecrypted()).toBe(true);
    expect(key.getFingerprint().toUpperCase()).toBe(team.pair.fingerprint);
  });

  it('refuses what is not a private key, with a TeamKeyUnlockError', async () => {
    await expect(unlockPrivateKey('not a key at all', 'x')).rejects.toBeInstanceOf(TeamKeyUnlockError);
    await expect(unlockPrivateKey(team.pair.publicArmored, 'x')).rejects.toThrow(/not a readable OpenPGP private key/);
  });

  it('reads the public half of a private key, never the private one', async () => {
    const fromPrivate = await readPublicKey(alice.pair.privateArmored);
    const fromPublic = await readPublicKey(alice.pair.publicArmored);
    expect(fromPrivate.isPrivate()).toBe(false);
    expect(fromPublic.isPrivate()).toBe(false);
    expect(fromPrivate.getFingerprint()).toBe(fromPublic.getFingerprint());
    expect(fromPrivate.armor()).not.toContain('PRIVATE');
  });
});

describe('sealOnce + addressTo + openSealed', () => {
  let payload: SealedPayload;

  beforeAll(async () => {
    payload = await sealOnce(PLAINTEXT, team.privateKey);
  });

  it('uses a fresh 256-bit AES session key', async () => {
    expect(payload.sessionKeyAlgorithm).toBe('aes256');
    expect(payload.sessionKey).toBeInstanceOf(Uint8Array);
    expect(payload.sessionKey.length).toBe(32);
    const again = await sealOnce(PLAINTEXT, team.privateKey);
    expect(Buffer.from(again.sessionKey).equals(Buffer.from(payload.sessionKey))).toBe(false);
    expect(Buffer.from(again.encryptedData).equals(Buffer.from(payload.encryptedData))).toBe(false);
  });

  it('does not carry the plaintext in clear', () => {
    const bytes = Buffer.from(payload.encryptedData);
    expect(bytes.includes(Buffer.from('203.0.113.7'))).toBe(false);
    expect(bytes.includes(Buffer.from('BlackLotus'))).toBe(false);
  });

  it('gives the recipient the exact text, signed by the team key', async () => {
    const armored = await addressTo(payload, alice.publicKey);
    expect(armored).toContain('-----BEGIN PGP MESSAGE-----');
    expect(armored).not.toContain('203.0.113.7');

    const opened = await openSealed(armored, alice.privateKey, [team.publicKey]);
    expect(opened.text).toBe(PLAINTEXT);
    expect(opened.signedBy).toEqual([team.publicKey.getKeyID().toHex().toUpperCase()]);
  });

  it('is read by plain openpgp.decrypt with a valid team signature (what a partner does)', async () => {
    const armored = await addressTo(payload, bob.publicKey);
    const { data, signatures } = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: armored }),
      decryptionKeys: bob.privateKey,
      verificationKeys: team.publicKey,
    });
    expect(data).toBe(PLAINTEXT);
    expect(signatures).toHaveLength(1);
    await expect(signatures[0].verified).resolves.toBe(true);
  });

  it('lets two recipients of the same sealed payload both read it, sharing one encrypted data packet', async () => {
    const [forAlice, forBob] = await Promise.all([
      addressTo(payload, alice.publicKey),
      addressTo(payload, bob.publicKey),
    ]);
    expect(forAlice).not.toBe(forBob);

    const [openedByAlice, openedByBob] = await Promise.all([
      openSealed(forAlice, alice.privateKey, [team.publicKey]),
      openSealed(forBob, bob.privateKey, [team.publicKey]),
    ]);
    expect(openedByAlice.text).toBe(PLAINTEXT);
    expect(openedByBob.text).toBe(PLAINTEXT);

    // One bulk encryption: each message is its own session-key packet followed by the shared data.
    for (const armored of [forAlice, forBob]) {
      const { data } = await openpgp.unarmor(armored);
      const bytes = Buffer.from(data as Uint8Array);
      const shared = Buffer.from(payload.encryptedData);
      expect(bytes.subarray(bytes.length - shared.length).equals(shared)).toBe(true);
    }
  });

  it('cannot be read by someone it was not addressed to', async () => {
    const forAlice = await addressTo(payload, alice.publicKey);
    await expect(openSealed(forAlice, mallory.privateKey, [team.publicKey])).rejects.toThrow();
    await expect(openSealed(forAlice, bob.privateKey, [team.publicKey])).rejects.toThrow(/decrypt/i);
  });

  it('is rejected when checked against another team key (a signature is required)', async () => {
    const forAlice = await addressTo(payload, alice.publicKey);
    await expect(openSealed(forAlice, alice.privateKey, [otherTeam.publicKey])).rejects.toThrow();
    await expect(openSealed(forAlice, alice.privateKey, [])).rejects.toThrow();
  });

  it('rejects an unsigned message even for the right recipient', async () => {
    const unsigned = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: PLAINTEXT }),
      encryptionKeys: alice.publicKey,
    });
    await expect(openSealed(unsigned, alice.privateKey, [team.publicKey])).rejects.toThrow();
  });

  it('rejects a message signed by someone else but encrypted to the recipient', async () => {
    const forged = await sealOnce(PLAINTEXT, mallory.privateKey);
    const armored = await addressTo(forged, alice.publicKey);
    await expect(openSealed(armored, alice.privateKey, [team.publicKey])).rejects.toThrow();
    // ...which the recipient would accept from the actual signer: the failure is the signature.
    await expect(openSealed(armored, alice.privateKey, [mallory.publicKey])).resolves.toMatchObject({
      text: PLAINTEXT,
    });
  });

  it('rejects a tampered message', async () => {
    const tamperedData = new Uint8Array(payload.encryptedData);
    tamperedData[tamperedData.length - 10] ^= 0x01;
    const armored = await addressTo({ ...payload, encryptedData: tamperedData }, alice.publicKey);
    await expect(openSealed(armored, alice.privateKey, [team.publicKey])).rejects.toThrow();
  });

  it('refuses to address a recipient whose key has expired', async () => {
    const created = new Date(Date.now() - 2 * 86_400_000);
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Expired', email: 'expired@example.org' }],
      date: created,
      keyExpirationTime: 60,
      format: 'object',
    });
    await expect(addressTo(payload, publicKey)).rejects.toThrow();
  });

  it('carries an empty text', async () => {
    const empty = await sealOnce('', team.privateKey);
    const opened = await openSealed(await addressTo(empty, alice.publicKey), alice.privateKey, [team.publicKey]);
    expect(opened.text).toBe('');
  });
});

describe('signOnly', () => {
  it('produces a signed, readable message that verifies against the team key', async () => {
    const armored = await signOnly(PLAINTEXT, team.privateKey);
    expect(armored).toContain('-----BEGIN PGP MESSAGE-----');

    const message = await openpgp.readMessage({ armoredMessage: armored });
    const { data, signatures } = await openpgp.verify({
      message,
      verificationKeys: team.publicKey,
      expectSigned: true,
    });
    expect(data).toBe(PLAINTEXT);
    expect(signatures).toHaveLength(1);
    await expect(signatures[0].verified).resolves.toBe(true);
    expect(signatures[0].keyID.toHex()).toBe(team.publicKey.getKeyID().toHex());
  });

  it('does not verify against another key', async () => {
    const armored = await signOnly(PLAINTEXT, team.privateKey);
    const message = await openpgp.readMessage({ armoredMessage: armored });
    await expect(
      openpgp.verify({ message, verificationKeys: otherTeam.publicKey, expectSigned: true }),
    ).rejects.toThrow();
  });

  it('is not encrypted: anyone can read it without a key', async () => {
    const armored = await signOnly(PLAINTEXT, team.privateKey);
    const message = await openpgp.readMessage({ armoredMessage: armored });
    expect(message.getEncryptionKeyIDs()).toHaveLength(0);
    expect(message.getText()).toBe(PLAINTEXT);
  });
});
