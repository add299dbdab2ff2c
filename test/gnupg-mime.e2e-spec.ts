import { ParsedMail, simpleParser } from 'mailparser';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GeneratedKeyPair,
  KnownKey,
  MailHeaders,
  addressTo,
  generateKeyPair,
  inspectPublicKey,
  mimeEntityForItem,
  pgpMimeEncrypted,
  pgpMimeSigned,
  readPublicKey,
  sealOnce,
  verifyDetachedBy,
  verifySignedBy,
} from '@tlp-broker/crypto';
import { GnuPG } from './support/gnupg';

/**
 * What partners running GnuPG (2.2 on Debian 12, as many CSIRTs do) make of the broker's PGP/MIME
 * mail and keys, and what the broker makes of what they sign. No broker process: the library alone.
 */
const GPG_VERSION = GnuPG.version();

const ITEM =
  'Indicators of the campaign « BlackLotus » 🕵️\n- 203.0.113.7\n-- not a boundary\nFrom the sinkhole: 198.51.100.23\n';

interface GpgKey {
  readonly userId: string;
  readonly email: string;
  readonly fingerprint: string;
  readonly publicArmored: string;
  readonly known: KnownKey;
}

let gnupg: GnuPG;
let team: GeneratedKeyPair;
let teamKey: openpgp.PrivateKey;
const keys: Record<'curve25519' | 'rsa3072' | 'rsa4096' | 'rsa2048', GpgKey> = {} as never;

function headersTo(key: GpgKey, subject = 'TLP:AMBER — indicators of the campaign'): MailHeaders {
  return {
    from: 'tlp-broker team <csirt@example.org>',
    to: [key.userId],
    subject,
    messageId: `<${Date.now()}.${key.fingerprint}@broker.example.org>`,
    date: new Date(),
  };
}

function contentType(mail: ParsedMail): { value: string; params: Record<string, string> } {
  return mail.headers.get('content-type') as { value: string; params: Record<string, string> };
}

/** The parts of a multipart body byte for byte: the CRLF before a delimiter belongs to it (RFC 2046 §5.1.1). */
function multipartParts(raw: string, boundary: string): string[] {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const chunks = `\r\n${body}`.split(`\r\n--${boundary}`);
  expect(chunks.at(-1)).toBe('--\r\n');
  return chunks.slice(1, -1).map((chunk) => {
    expect(chunk.startsWith('\r\n')).toBe(true);
    return chunk.slice(2);
  });
}

function status(lines: string[], keyword: string): string[] | undefined {
  return lines.find((line) => line === `[GNUPG:] ${keyword}` || line.startsWith(`[GNUPG:] ${keyword} `))?.split(' ');
}

beforeAll(async () => {
  console.log(`GnuPG under test: ${GPG_VERSION}`);
  gnupg = await GnuPG.create();
  team = await generateKeyPair({ name: 'tlp-broker team', email: 'csirt@example.org' });
  teamKey = await openpgp.readPrivateKey({ armoredKey: team.privateArmored });
  await gnupg.importKey(team.publicArmored);
  const make = async (name: keyof typeof keys, primary: string, subkey: string) => {
    const email = `soc@${name}.example`;
    const userId = `${name} CERT <${email}>`;
    const { fingerprint, publicArmored } = await gnupg.generateKeyWith(userId, primary, subkey);
    keys[name] = { userId, email, fingerprint, publicArmored, known: { fingerprint, armored: publicArmored } };
  };
  // One at a time: gpg-agent makes keys one after the other anyway.
  await make('curve25519', 'ed25519', 'cv25519');
  await make('rsa3072', 'rsa3072', 'rsa3072');
  await make('rsa4096', 'rsa4096', 'rsa4096');
  await make('rsa2048', 'rsa2048', 'rsa2048');
}, 180_000);

afterAll(async () => {
  await gnupg?.destroy();
});

describe(`${GPG_VERSION}: multipart/encrypted mail written by the broker`, () => {
  it.each(['curve25519', 'rsa3072'] as const)(
    'is parsed, decrypted by gpg with a good team signature, and holds a MIME entity with the item (%s recipient)',
    async (name) => {
      const key = keys[name];
      const check = await inspectPublicKey(key.publicArmored, new Date());
      if (!check.ok) throw new Error(check.error);
      const armored = await addressTo(
        await sealOnce(mimeEntityForItem(ITEM), teamKey),
        await readPublicKey(key.publicArmored),
      );
      const raw = pgpMimeEncrypted(headersTo(key), armored);

      const mail = await simpleParser(raw);
      expect(contentType(mail).value).toBe('multipart/encrypted');
      expect(contentType(mail).params.protocol).toBe('application/pgp-encrypted');
      expect(mail.attachments.map((a) => a.contentType)).toEqual([
        'application/pgp-encrypted',
        'application/octet-stream',
      ]);
      expect(mail.attachments[0].content.toString('ascii').trim()).toBe('Version: 1');

      const { plaintext, status: lines } = await gnupg.decrypt(mail.attachments[1].content.toString('ascii'));
      expect(status(lines, 'ENC_TO')?.[2]).toBe(check.key.encryptionKeyId);
      expect(status(lines, 'DECRYPTION_OKAY')).toBeDefined();
      expect(status(lines, 'GOODSIG')?.[2]).toBe(team.fingerprint.slice(-16));
      expect(status(lines, 'VALIDSIG')?.[2]).toBe(team.fingerprint);

      const inner = await simpleParser(plaintext);
      expect(contentType(inner)).toEqual({ value: 'text/plain', params: { charset: 'utf-8' } });
      expect(inner.text).toBe(ITEM);
    },
  );
});

describe(`${GPG_VERSION}: multipart/signed mail written by the broker`, () => {
  async function signedMail(
    signingKey: openpgp.PrivateKey,
  ): Promise<{ micalg: string; entity: string; signature: string }> {
    const raw = await pgpMimeSigned(
      headersTo(keys.curve25519, 'TLP:CLEAR — advisory'),
      mimeEntityForItem(ITEM),
      signingKey,
    );
    const mail = await simpleParser(raw);
    const type = contentType(mail);
    expect(type.value).toBe('multipart/signed');
    expect(type.params.protocol).toBe('application/pgp-signature');
    expect(mail.text).toBe(ITEM);
    const [entity, signaturePart] = multipartParts(raw, type.params.boundary);
    expect(signaturePart).toMatch(/^Content-Type: application\/pgp-signature/);
    return {
      micalg: type.params.micalg,
      entity,
      signature: signaturePart.slice(signaturePart.indexOf('\r\n\r\n') + 4),
    };
  }

  // gpg's VALIDSIG names the hash by its OpenPGP number.
  const HASHES: Record<string, string> = { '8': 'pgp-sha256', '9': 'pgp-sha384', '10': 'pgp-sha512' };

  it('gpg --verify accepts the signature over the exact bytes of the first part, with the hash micalg names', async () => {
    const { micalg, entity, signature } = await signedMail(teamKey);
    const verified = await gnupg.verifyDetached(signature, entity);
    expect(verified.ok).toBe(true);
    expect(status(verified.status, 'GOODSIG')).toBeDefined();
    const validsig = status(verified.status, 'VALIDSIG')!;
    expect(validsig[2]).toBe(team.fingerprint);
    expect(HASHES[validsig[9]]).toBe(micalg);
  });

  it('gpg --verify refuses the signature once a byte of the part changes', async () => {
    const { entity, signature } = await signedMail(teamKey);
    const verified = await gnupg.verifyDetached(signature, entity.replace('BlackLotus', 'BlackLotos'));
    expect(verified.ok).toBe(false);
    expect(status(verified.status, 'BADSIG')).toBeDefined();
    expect(status(verified.status, 'GOODSIG')).toBeUndefined();
  });

  it('with an RSA team key the hash is SHA-256 (micalg=pgp-sha256), and gpg agrees', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'rsa',
      rsaBits: 3072,
      userIDs: [{ name: 'RSA team', email: 'rsa-team@example.org' }],
      format: 'object',
    });
    await gnupg.importKey(publicKey.armor());
    const { micalg, entity, signature } = await signedMail(privateKey);
    expect(micalg).toBe('pgp-sha256');
    const verified = await gnupg.verifyDetached(signature, entity);
    expect(verified.ok).toBe(true);
    const validsig = status(verified.status, 'VALIDSIG')!;
    expect(validsig[2]).toBe(publicKey.getFingerprint().toUpperCase());
    expect(validsig[9]).toBe('8');
  });
});

describe(`${GPG_VERSION}: keys made by gpg`, () => {
  it.each([
    ['curve25519', 'eddsaLegacy ed25519Legacy', null],
    ['rsa3072', 'rsaEncryptSign 3072', 3072],
    ['rsa4096', 'rsaEncryptSign 4096', 4096],
  ] as const)('accepts a %s key, and gpg opens what addressTo makes for it', async (name, algorithm, bits) => {
    const key = keys[name];
    const check = await inspectPublicKey(key.publicArmored, new Date());
    if (!check.ok) throw new Error(check.error);
    expect(check.key).toMatchObject({
      fingerprint: key.fingerprint,
      version: 4,
      algorithm,
      bits,
      userIds: [key.userId],
    });

    // Three lengths in a row: one of them makes a message whose size is a multiple of 3 bytes, whose
    // armor then ends without "=" padding, where GnuPG 2.2 needs the CRC24 line to find the end.
    const recipient = await readPublicKey(check.key.armored);
    for (const padding of ['', '.', '..']) {
      const text = `TLP:AMBER for ${name}: ${ITEM}${padding}`;
      const { plaintext, status: lines } = await gnupg.decrypt(
        await addressTo(await sealOnce(text, teamKey), recipient),
      );
      expect(plaintext.replace(/\r\n/g, '\n')).toBe(text);
      expect(status(lines, 'ENC_TO')?.[2]).toBe(check.key.encryptionKeyId);
      expect(status(lines, 'VALIDSIG')?.[2]).toBe(team.fingerprint);
      expect(status(lines, 'NODATA')).toBeUndefined();
    }
  });

  it('refuses an RSA-2048 key, saying 3072 bits are required', async () => {
    const check = await inspectPublicKey(keys.rsa2048.publicArmored, new Date());
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.error).toMatch(/2048.*3072/);
  });
});

describe(`${GPG_VERSION}: what gpg signs, verified by the broker`, () => {
  const SIGNED =
    'Report from a partner: « hameçonnage » 🎣\n- dash-escaped line\nFrom the mail logs\n-----BEGIN not armor\nlast line';

  it.each(['curve25519', 'rsa3072'] as const)('gpg --clearsign (%s key)', async (name) => {
    const signed = await gnupg.sign('clearsign', keys[name].fingerprint, SIGNED);
    expect(signed).toContain('-----BEGIN PGP SIGNED MESSAGE-----');
    const result = await verifySignedBy(signed, [keys.rsa4096.known, keys[name].known]);
    expect(result).toMatchObject({
      ok: true,
      text: SIGNED,
      signer: keys[name].fingerprint,
      sizeBytes: Buffer.byteLength(SIGNED),
    });
    expect(
      await verifySignedBy(signed, [
        keys.rsa4096.known,
        { fingerprint: team.fingerprint, armored: team.publicArmored },
      ]),
    ).toMatchObject({ ok: false, reason: 'unknown-signer' });
    expect(await verifySignedBy(signed.replace('hameçonnage', 'hameçonage'), [keys[name].known])).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it.each(['curve25519', 'rsa3072'] as const)('gpg --sign --armor (%s key)', async (name) => {
    const signed = await gnupg.sign('sign', keys[name].fingerprint, SIGNED);
    expect(signed).toContain('-----BEGIN PGP MESSAGE-----');
    expect(await verifySignedBy(signed, [keys[name].known])).toMatchObject({
      ok: true,
      text: SIGNED,
      signer: keys[name].fingerprint,
      sizeBytes: Buffer.byteLength(SIGNED),
    });
    expect(await verifySignedBy(signed, [keys.rsa4096.known])).toMatchObject({ ok: false, reason: 'unknown-signer' });
  });

  it.each(['curve25519', 'rsa3072'] as const)('gpg --detach-sign --armor (%s key)', async (name) => {
    const data = Buffer.from(SIGNED, 'utf8');
    const signature = await gnupg.sign('detach-sign', keys[name].fingerprint, data);
    expect(signature).toContain('-----BEGIN PGP SIGNATURE-----');
    expect(await verifyDetachedBy(signature, data, [keys[name].known])).toMatchObject({
      ok: true,
      text: SIGNED,
      signer: keys[name].fingerprint,
      sizeBytes: Buffer.byteLength(SIGNED),
    });
    expect(await verifyDetachedBy(signature, data, [keys.rsa4096.known])).toMatchObject({
      ok: false,
      reason: 'unknown-signer',
    });
    expect(await verifyDetachedBy(signature, Buffer.from(`${SIGNED}.`, 'utf8'), [keys[name].known])).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });
});
