import fc from 'fast-check';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from './seal';
import { KnownKey, VerifyResult, verifyDetachedBy, verifySignedBy } from './verify';

interface Party {
  readonly known: KnownKey;
  readonly privateKey: openpgp.PrivateKey;
  readonly publicKey: openpgp.PublicKey;
}

async function party(name: string, email: string): Promise<Party> {
  const pair = await generateKeyPair({ name, email });
  const privateKey = await openpgp.readPrivateKey({ armoredKey: pair.privateArmored });
  return {
    known: { fingerprint: pair.fingerprint, armored: pair.publicArmored },
    privateKey,
    publicKey: privateKey.toPublic(),
  };
}

const TEXT = 'Phishing wave against the ministry: 198.51.100.23, « hameçon » 🎣\nSecond line.';

let partner: Party;
let other: Party;

beforeAll(async () => {
  [partner, other] = await Promise.all([
    party('Partner CERT', 'soc@cert.example'),
    party('Other CERT', 'soc@other.example'),
  ]);
});

async function inlineSigned(
  text: string,
  signingKeys: openpgp.PrivateKey | openpgp.PrivateKey[],
  date?: Date,
): Promise<string> {
  return openpgp.sign({ message: await openpgp.createMessage({ text }), signingKeys, date });
}

async function clearSigned(text: string, signingKeys: openpgp.PrivateKey, date?: Date): Promise<string> {
  return openpgp.sign({ message: await openpgp.createCleartextMessage({ text }), signingKeys, date });
}

async function detachedSignature(data: Uint8Array, signingKeys: openpgp.PrivateKey, date?: Date): Promise<string> {
  return openpgp.sign({ message: await openpgp.createMessage({ binary: data }), signingKeys, detached: true, date });
}

function expectOk(result: VerifyResult, signer: string): string {
  if (!result.ok) throw new Error(`expected a verified signature, got ${result.reason}: ${result.detail}`);
  expect(result.signer).toBe(signer);
  return result.text;
}

function expectRefused(result: VerifyResult, reason: string): void {
  expect(result).toMatchObject({ ok: false, reason });
  if (!result.ok) expect(result.detail).not.toBe('');
}

describe('verifySignedBy: inline-signed messages', () => {
  let signed: string;

  beforeAll(async () => {
    signed = await inlineSigned(TEXT, partner.privateKey);
  });

  it('gives the text and the signer when a given key signed it', async () => {
    const text = expectOk(await verifySignedBy(signed, [other.known, partner.known]), partner.known.fingerprint);
    expect(text).toBe(TEXT);
  });

  it('refuses a signature by a key not given', async () => {
    expectRefused(await verifySignedBy(signed, [other.known]), 'unknown-signer');
    expectRefused(await verifySignedBy(signed, []), 'unknown-signer');
  });

  it('does not take a key registered under another fingerprint as the signer', async () => {
    expectRefused(
      await verifySignedBy(signed, [{ fingerprint: other.known.fingerprint, armored: partner.known.armored }]),
      'unknown-signer',
    );
  });

  it('refuses a message whose content was changed after signing', async () => {
    const bytes = Buffer.from((await openpgp.unarmor(signed)).data as Uint8Array);
    const at = bytes.indexOf('198.51.100.23');
    expect(at).toBeGreaterThan(0);
    bytes.write('198.51.100.99', at);
    expectRefused(
      await verifySignedBy(openpgp.armor(openpgp.enums.armor.message, bytes), [partner.known]),
      'bad-signature',
    );
  });

  it('accepts a message with several signatures when one is by a given key', async () => {
    const both = await inlineSigned(TEXT, [other.privateKey, partner.privateKey]);
    expectOk(await verifySignedBy(both, [partner.known]), partner.known.fingerprint);
  });

  it('refuses unsigned and encrypted messages', async () => {
    const literalOnly = (await openpgp.createMessage({ text: TEXT })).armor();
    expectRefused(await verifySignedBy(literalOnly, [partner.known]), 'unsigned');
    const encrypted = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: TEXT }),
      encryptionKeys: other.publicKey,
      signingKeys: partner.privateKey,
    });
    expectRefused(await verifySignedBy(encrypted, [partner.known]), 'encrypted');
    expectRefused(await verifySignedBy(TEXT, [partner.known]), 'unsigned');
    expectRefused(await verifySignedBy('', [partner.known]), 'unsigned');
  });
});

describe('verifySignedBy: cleartext-signed messages', () => {
  it('gives the signed text and the signer', async () => {
    const signed = await clearSigned(TEXT, partner.privateKey);
    expect(expectOk(await verifySignedBy(signed, [partner.known]), partner.known.fingerprint)).toBe(TEXT);
  });

  it('refuses a changed text, and an unknown signer', async () => {
    const signed = await clearSigned(TEXT, partner.privateKey);
    expectRefused(
      await verifySignedBy(signed.replace('198.51.100.23', '198.51.100.99'), [partner.known]),
      'bad-signature',
    );
    expectRefused(await verifySignedBy(signed, [other.known]), 'unknown-signer');
  });

  it('returns only the signed text, never what surrounds the signed block', async () => {
    const signed = await clearSigned(TEXT, partner.privateKey);
    const result = await verifySignedBy(`Forwarded, see below.\n\n${signed}\nP.S. unsigned trailer`, [partner.known]);
    expect(expectOk(result, partner.known.fingerprint)).toBe(TEXT);
  });
});

describe('verifyDetachedBy', () => {
  const data = new TextEncoder().encode(TEXT);
  let signature: string;

  beforeAll(async () => {
    signature = await detachedSignature(data, partner.privateKey);
  });

  it('verifies a detached signature over bytes or over the same text', async () => {
    expect(expectOk(await verifyDetachedBy(signature, data, [partner.known]), partner.known.fingerprint)).toBe(TEXT);
    expect(expectOk(await verifyDetachedBy(signature, TEXT, [partner.known]), partner.known.fingerprint)).toBe(TEXT);
  });

  it('refuses other data, an unknown signer, and what is not a signature', async () => {
    expectRefused(await verifyDetachedBy(signature, `${TEXT}!`, [partner.known]), 'bad-signature');
    expectRefused(await verifyDetachedBy(signature, data, [other.known]), 'unknown-signer');
    expectRefused(await verifyDetachedBy('not a signature', data, [partner.known]), 'unsigned');
    expectRefused(
      await verifyDetachedBy('-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----', data, [
        partner.known,
      ]),
      'unreadable',
    );
    expectRefused(await verifyDetachedBy(signature, 42 as unknown as string, [partner.known]), 'unreadable');
  });
});

describe('signing keys that cannot sign now', () => {
  const HOUR = 3_600_000;
  const past = new Date(Math.floor(Date.now() / 1000) * 1000 - 10 * HOUR);

  it('refuses a signature by a key that has expired since', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Expired', email: 'expired@example.org' }],
      date: past,
      keyExpirationTime: 3600,
      format: 'object',
    });
    const known = { fingerprint: publicKey.getFingerprint().toUpperCase(), armored: publicKey.armor() };
    const signedThen = new Date(past.getTime() + 60_000);
    const inline = await inlineSigned(TEXT, privateKey, signedThen);
    expectOk(await verifySignedBy(inline, [known], new Date(past.getTime() + 120_000)), known.fingerprint);
    expectRefused(await verifySignedBy(inline, [known]), 'key-expired');
    expectRefused(await verifySignedBy(await clearSigned(TEXT, privateKey, signedThen), [known]), 'key-expired');
    expectRefused(
      await verifyDetachedBy(await detachedSignature(new TextEncoder().encode(TEXT), privateKey, signedThen), TEXT, [
        known,
      ]),
      'key-expired',
    );
  });

  it('refuses a signature by a revoked key, even one made before the revocation', async () => {
    const { privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Revoked', email: 'revoked@example.org' }],
      date: past,
      format: 'object',
    });
    const signed = await inlineSigned(TEXT, privateKey, new Date(past.getTime() + 60_000));
    const { publicKey: revoked } = await openpgp.revokeKey({ key: privateKey, format: 'object' });
    const known = { fingerprint: revoked.getFingerprint().toUpperCase(), armored: revoked.armor() };
    expectRefused(await verifySignedBy(signed, [known]), 'key-revoked');
  });
});

describe('bad input', () => {
  it('never throws, whatever it is given', async () => {
    const garbage = [
      '-----BEGIN PGP MESSAGE-----\n\nzzzz\n-----END PGP MESSAGE-----',
      '-----BEGIN PGP MESSAGE-----\n\n' +
        Buffer.from('not packets at all').toString('base64') +
        '\n-----END PGP MESSAGE-----',
      '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhello\n',
      '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhello\n-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----',
      'x'.repeat(17 * 1024 * 1024),
    ];
    for (const input of garbage) {
      const result = await verifySignedBy(input, [partner.known]);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(['unreadable', 'unsigned']).toContain(result.reason);
    }
    expectRefused(await verifySignedBy(null as unknown as string, [partner.known]), 'unreadable');
    const signed = await inlineSigned(TEXT, partner.privateKey);
    expectRefused(
      await verifySignedBy(signed, [{ fingerprint: 'ABCD', armored: 'not a key' }, null as unknown as KnownKey]),
      'unknown-signer',
    );
  });

  it('answers any text with a refusal, never an exception (property)', async () => {
    const armorish = fc.oneof(
      fc.string(),
      fc.string().map((body) => `-----BEGIN PGP MESSAGE-----\n\n${body}\n-----END PGP MESSAGE-----`),
      fc
        .uint8Array({ maxLength: 200 })
        .map(
          (bytes) =>
            `-----BEGIN PGP MESSAGE-----\n\n${Buffer.from(bytes).toString('base64')}\n-----END PGP MESSAGE-----`,
        ),
      fc
        .string()
        .map(
          (body) =>
            `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n${body}\n-----BEGIN PGP SIGNATURE-----\n\n${body}\n-----END PGP SIGNATURE-----`,
        ),
    );
    await fc.assert(
      fc.asyncProperty(armorish, async (input) => {
        const result = await verifySignedBy(input, [partner.known]);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
