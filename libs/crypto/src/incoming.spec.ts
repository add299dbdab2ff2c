import { open } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GnuPG } from '../../../test/support/gnupg';
import { decryptToSigned, KeyOwner, openIncomingMessage, readClearsigned, verifyIncomingDetached } from './incoming';
import { generateKeyPair } from './seal';
import { verifySignedBy } from './verify';

const LIMITS = { maxContentBytes: 1024 * 1024, timeoutMs: 10_000 };
const TEXT = 'Incident at the ministry: 198.51.100.23\nSecond line, « accentué ».\n';

let gpg: GnuPG;
let team: openpgp.PrivateKey;
let partner: KeyOwner;
let stranger: string;
/** A key made by openpgp.js (its private part kept here), to sign with and then revoke. */
let revocable: { key: openpgp.PrivateKey; owner: KeyOwner; revokedArmor: string };

beforeAll(async () => {
  gpg = await GnuPG.create();
  const [pair, other] = await Promise.all([
    generateKeyPair({ name: 'Team', email: 'csirt@team.example' }),
    generateKeyPair({ name: 'Revocable', email: 'old@partner.example' }),
  ]);
  team = await openpgp.readPrivateKey({ armoredKey: pair.privateArmored });
  await gpg.importKey(pair.publicArmored);
  const made = await gpg.generateKey('Partner SOC <soc@partner.example>');
  partner = { fingerprint: made.fingerprint, armored: made.publicArmored, organisationId: 'org-p', contactId: null };
  stranger = (await gpg.generateKey('Stranger <x@elsewhere.example>')).fingerprint;
  const otherKey = await openpgp.readPrivateKey({ armoredKey: other.privateArmored });
  const { publicKey: revokedArmor } = await openpgp.revokeKey({ key: otherKey, format: 'armored' });
  revocable = {
    key: otherKey,
    owner: { fingerprint: other.fingerprint, armored: other.publicArmored, organisationId: 'org-r', contactId: 'c-r' },
    revokedArmor,
  };
}, 30_000);

afterAll(async () => {
  await gpg?.destroy();
});

async function gnupg(args: string[], input: string): Promise<string> {
  const { stdout } = await gpg.gpg(['--trust-model', 'always', '--armor', '--output', '-', ...args], input);
  return stdout;
}

const keys = () => ({ team: [team], registered: [partner] });

describe('openIncomingMessage', () => {
  it('decrypts a message whose recipient is hidden (gpg --throw-keyids) with whichever team key opens it', async () => {
    const armored = await gnupg(['--throw-keyids', '--encrypt', '--recipient', team.getFingerprint()], TEXT);
    const opened = await openIncomingMessage(armored, keys(), LIMITS);
    expect(opened).toMatchObject({ ok: true, encrypted: true, decryptedWith: null, signature: { state: 'unsigned' } });
    expect(opened.ok && Buffer.from(opened.content).toString()).toBe(TEXT);
  });

  it('verifies a text-mode signature (as mail clients make them) inside an encrypted message', async () => {
    const args = ['--textmode', '--encrypt', '--recipient', team.getFingerprint(), '--sign', '-u', partner.fingerprint];
    const opened = await openIncomingMessage(await gnupg(args, TEXT.replace(/\n/g, '\r\n')), keys(), LIMITS);
    expect(opened).toMatchObject({ ok: true, signature: { state: 'verified', signer: partner } });
  });

  it('reads a signed message that is not encrypted, and one neither signed nor encrypted', async () => {
    const signed = await openIncomingMessage(await gnupg(['--sign', '-u', partner.fingerprint], TEXT), keys(), LIMITS);
    expect(signed).toMatchObject({ ok: true, encrypted: false, signature: { state: 'verified', signer: partner } });
    const stored = await openIncomingMessage(await gnupg(['--store'], TEXT), keys(), LIMITS);
    expect(stored).toMatchObject({ ok: true, encrypted: false, signature: { state: 'unsigned' } });
  });

  it('names the signature by a registered key among several signatures', async () => {
    const args = ['--sign', '-u', stranger, '-u', partner.fingerprint];
    const opened = await openIncomingMessage(await gnupg(args, TEXT), keys(), LIMITS);
    expect(opened).toMatchObject({ ok: true, signature: { state: 'verified', signer: partner } });
  });

  it('names the first registration when two owners registered the same key, and ignores armor that is not the registered key', async () => {
    const armored = await gnupg(['--sign', '-u', partner.fingerprint], TEXT);
    const contact = { ...partner, organisationId: 'org-q', contactId: 'c-q' };
    const both = await openIncomingMessage(armored, { team: [team], registered: [contact, partner] }, LIMITS);
    expect(both).toMatchObject({ ok: true, signature: { state: 'verified', signer: contact } });
    const misfiled = { ...partner, fingerprint: revocable.owner.fingerprint };
    const wrong = await openIncomingMessage(armored, { team: [team], registered: [misfiled] }, LIMITS);
    expect(wrong).toMatchObject({
      ok: true,
      signature: { state: 'unknown-signer', keyIds: [partner.fingerprint.slice(-16)] },
    });
  });

  it('refuses a message encrypted with a passphrase only, and one that is not OpenPGP at all', async () => {
    const symmetric = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: TEXT }),
      passwords: ['secret'],
    });
    expect(await openIncomingMessage(symmetric, keys(), LIMITS)).toMatchObject({ ok: false, reason: 'undecryptable' });
    const garbage = '-----BEGIN PGP MESSAGE-----\n\nbm90IGEgbWVzc2FnZQ==\n-----END PGP MESSAGE-----\n';
    expect(await openIncomingMessage(garbage, keys(), LIMITS)).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(await openIncomingMessage(new Uint8Array([1, 2, 3]), keys(), LIMITS)).toMatchObject({
      ok: false,
      reason: 'unreadable',
    });
  });

  it('refuses a signed message that inflates past the bound (gpg -z 9 of 20 MB of zeros)', async () => {
    const zeros = join(gpg.home, 'zeros');
    const file = await open(zeros, 'w');
    await file.truncate(20 * 1024 * 1024);
    await file.close();
    const { stdout } = await gpg.gpg([
      '--armor',
      '--output',
      '-',
      '-z',
      '9',
      '--sign',
      '-u',
      partner.fingerprint,
      zeros,
    ]);
    expect(await openIncomingMessage(stdout, keys(), LIMITS)).toMatchObject({ ok: false, reason: 'too-large' });
  });
});

describe('verifyIncomingDetached', () => {
  const entity = Buffer.from('Content-Type: text/plain\r\n\r\nReport\r\n');

  it('answers verified, unknown-signer, or invalid with the reason and the key owner', async () => {
    const signature = await gpg.sign('detach-sign', partner.fingerprint, entity);
    expect(await verifyIncomingDetached(signature, entity, [partner], LIMITS)).toMatchObject({
      state: 'verified',
      signer: partner,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await verifyIncomingDetached(signature, entity, [], LIMITS)).toMatchObject({ state: 'unknown-signer' });
    const changed = Buffer.from('Content-Type: text/plain\r\n\r\nRepost\r\n');
    expect(await verifyIncomingDetached(signature, changed, [partner], LIMITS)).toMatchObject({
      state: 'invalid',
      reason: 'bad-signature',
      signer: partner,
    });
  });

  it('gives the same digest for the same signed statement, whoever re-armors it', async () => {
    const signature = await gpg.sign('detach-sign', partner.fingerprint, entity);
    const first = await verifyIncomingDetached(signature, entity, [partner], LIMITS);
    const rearmored = (await openpgp.readSignature({ armoredSignature: signature })).armor();
    const second = await verifyIncomingDetached(rearmored, entity, [partner], LIMITS);
    expect(first).toMatchObject({ state: 'verified' });
    expect(second).toEqual(first);
  });

  it('does not verify a signature by a key revoked since', async () => {
    const signature = await openpgp.sign({
      message: await openpgp.createMessage({ binary: entity }),
      signingKeys: revocable.key,
      detached: true,
    });
    const revoked = { ...revocable.owner, armored: revocable.revokedArmor };
    expect(await verifyIncomingDetached(signature, entity, [revoked], LIMITS)).toMatchObject({
      state: 'invalid',
      reason: 'key-revoked',
      signer: revoked,
    });
  });

  it('refuses what is not a signature', async () => {
    expect(await verifyIncomingDetached('no signature here', entity, [partner], LIMITS)).toMatchObject({
      ok: false,
      reason: 'unreadable',
    });
  });
});

describe('readClearsigned', () => {
  it('gives the signed text with its signature, verified or by an unknown key', async () => {
    const clearsigned = await gpg.sign('clearsign', partner.fingerprint, TEXT);
    expect(await readClearsigned(clearsigned, [partner], LIMITS)).toMatchObject({
      ok: true,
      text: TEXT.trimEnd(),
      signature: { state: 'verified', signer: partner },
    });
    expect(await readClearsigned(clearsigned, [], LIMITS)).toMatchObject({
      ok: true,
      text: TEXT.trimEnd(),
      signature: { state: 'unknown-signer', keyIds: [partner.fingerprint.slice(-16)] },
    });
  });

  it('times out a read that takes longer than its bound', async () => {
    const clearsigned = await gpg.sign('clearsign', partner.fingerprint, 'x'.repeat(900_000));
    expect(await readClearsigned(clearsigned, [partner], { ...LIMITS, timeoutMs: 1 })).toMatchObject({
      ok: false,
      reason: 'timeout',
    });
  });
});

describe('decryptToSigned', () => {
  /** A partner key made by openpgp.js, a key that is not the team's, and the partner's key as verifySignedBy knows it. */
  let own: { key: openpgp.PrivateKey; known: { fingerprint: string; armored: string } };
  let elsewhere: openpgp.PrivateKey;

  beforeAll(async () => {
    const [pair, other] = await Promise.all([
      generateKeyPair({ name: 'Own', email: 'soc@own.example' }),
      generateKeyPair({ name: 'Elsewhere', email: 'csirt@elsewhere.example' }),
    ]);
    own = {
      key: await openpgp.readPrivateKey({ armoredKey: pair.privateArmored }),
      known: { fingerprint: pair.fingerprint, armored: pair.publicArmored },
    };
    elsewhere = await openpgp.readPrivateKey({ armoredKey: other.privateArmored });
  });

  const verified = async (armored: string, known = own.known) => verifySignedBy(armored, [known], new Date(), LIMITS);
  const encryptTo = async (message: openpgp.Message<string>) =>
    openpgp.encrypt({ message, encryptionKeys: team.toPublic() });
  const opened = async (armored: string) => {
    const result = await decryptToSigned(armored, [team], LIMITS);
    if (!result.ok) throw new Error(`refused: ${result.reason}: ${result.detail}`);
    return result;
  };

  it('opens a signed message sent twice, encrypted with different session keys, to the digest of the signed message itself', async () => {
    // Signed once, as an object: openpgp.js would drop the signatures of a signed message read back from armor.
    const signed = await openpgp.sign({
      message: await openpgp.createMessage({ text: TEXT }),
      signingKeys: own.key,
      format: 'object',
    });
    const first = await encryptTo(signed);
    const again = await encryptTo(signed);
    expect(again).not.toBe(first);
    const direct = await verified(signed.armor());
    expect(direct).toMatchObject({ ok: true, text: TEXT, signer: own.known.fingerprint });
    expect(await verified((await opened(first)).armored)).toEqual(direct);
    expect(await verified((await opened(again)).armored)).toEqual(direct);
    expect(await opened(first)).toMatchObject({ decryptedWith: team.getFingerprint().toUpperCase() });
  });

  it('opens what openpgp.js signs and encrypts in one go, compressed or not', async () => {
    for (const compression of [openpgp.enums.compression.uncompressed, openpgp.enums.compression.zlib]) {
      const armored = await openpgp.encrypt({
        message: await openpgp.createMessage({ text: TEXT }),
        signingKeys: own.key,
        encryptionKeys: team.toPublic(),
        config: { preferredCompressionAlgorithm: compression },
      });
      expect(await verified((await opened(armored)).armored)).toMatchObject({ ok: true, text: TEXT });
    }
  });

  it('opens what gpg signs and encrypts (compressed or not, text mode, hidden recipient)', async () => {
    const recipient = ['--recipient', team.getFingerprint()];
    const signer = ['--sign', '-u', partner.fingerprint];
    const known = { fingerprint: partner.fingerprint, armored: partner.armored };
    for (const extra of [['--compress-algo', 'zlib'], ['--compress-algo', 'none', '--textmode'], ['--throw-keyids']]) {
      const armored = await gnupg([...extra, '--encrypt', ...recipient, ...signer], TEXT);
      expect(await verified((await opened(armored)).armored, known)).toMatchObject({
        ok: true,
        text: TEXT,
        signer: partner.fingerprint,
      });
    }
  });

  it('opens a message encrypted to any of the team keys (a retired one too), naming the one it was encrypted to', async () => {
    const message = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: TEXT }),
      signingKeys: own.key,
      encryptionKeys: team.toPublic(),
    });
    expect(await decryptToSigned(message, [elsewhere, team], LIMITS)).toMatchObject({
      ok: true,
      decryptedWith: team.getFingerprint().toUpperCase(),
    });
  });

  it('refuses a message encrypted to another key, naming the key id it was encrypted to', async () => {
    const armored = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: TEXT }),
      signingKeys: own.key,
      encryptionKeys: elsewhere.toPublic(),
    });
    const keyId = (await elsewhere.toPublic().getEncryptionKey()).getKeyID().toHex().toUpperCase();
    const result = await decryptToSigned(armored, [team], LIMITS);
    expect(result).toMatchObject({ ok: false, reason: 'undecryptable' });
    expect(!result.ok && result.detail).toMatch(new RegExp(`encrypted to key id ${keyId}, none of them a team key`));
  });

  it('refuses a message encrypted with a passphrase only', async () => {
    const armored = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: TEXT }),
      signingKeys: own.key,
      passwords: ['secret'],
    });
    expect(await decryptToSigned(armored, [team], LIMITS)).toEqual({
      ok: false,
      reason: 'undecryptable',
      detail: expect.stringMatching(/^encrypted with a passphrase only/),
    });
  });

  it('refuses a message encrypted to the team but not signed as unsigned', async () => {
    const armored = await encryptTo(await openpgp.createMessage({ text: TEXT }));
    expect(await decryptToSigned(armored, [team], LIMITS)).toEqual({
      ok: false,
      reason: 'unsigned',
      detail: expect.stringMatching(/not signed/),
    });
  });

  it('refuses garbage, a message that is not encrypted, and damaged ciphertext without throwing', async () => {
    const garbage = '-----BEGIN PGP MESSAGE-----\n\nbm90IGEgbWVzc2FnZQ==\n-----END PGP MESSAGE-----\n';
    const signedOnly = await openpgp.sign({
      message: await openpgp.createMessage({ text: TEXT }),
      signingKeys: own.key,
    });
    const armored = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: TEXT }),
      signingKeys: own.key,
      encryptionKeys: team.toPublic(),
      format: 'binary',
    });
    armored[armored.length - 30] ^= 0xff;
    const damaged = openpgp.armor(openpgp.enums.armor.message, armored);
    for (const input of [garbage, 'just text', '', signedOnly, damaged, 42 as unknown as string]) {
      expect(await decryptToSigned(input, [team], LIMITS)).toMatchObject({ ok: false, reason: 'unreadable' });
    }
  });

  it('refuses as too-large a compression bomb (gpg -z 9 of 20 MB of zeros) and content over the bound', async () => {
    const zeros = join(gpg.home, 'zeros-encrypted');
    const file = await open(zeros, 'w');
    await file.truncate(20 * 1024 * 1024);
    await file.close();
    const args = [
      '--compress-algo',
      'zlib',
      '-z',
      '9',
      '--sign',
      '-u',
      partner.fingerprint,
      '--encrypt',
      '-r',
      team.getFingerprint(),
    ];
    const { stdout: bomb } = await gpg.gpg(['--trust-model', 'always', '--armor', '--output', '-', ...args, zeros]);
    expect(bomb.length).toBeLessThan(200_000);
    expect(await decryptToSigned(bomb, [team], LIMITS)).toMatchObject({ ok: false, reason: 'too-large' });

    const large = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: 'x'.repeat(2048) }),
      signingKeys: own.key,
      encryptionKeys: team.toPublic(),
    });
    expect(await decryptToSigned(large, [team], { ...LIMITS, maxContentBytes: 1024 })).toEqual({
      ok: false,
      reason: 'too-large',
      detail: 'the content is larger than 1024 bytes once decompressed',
    });
  });
});
