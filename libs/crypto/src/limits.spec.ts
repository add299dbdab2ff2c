import { constants, deflateRawSync, deflateSync } from 'node:zlib';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyKeyUpdate, inspectPublicKey } from './keys';
import { MAX_KEY_BLOCK_CHARS } from './limits';
import { generateKeyPair, signCleartext } from './seal';
import { KnownKey, verifyDetachedBy, verifySignedBy } from './verify';

/** An OpenPGP compressed data packet (tag 8, new format) around `inner`, as `gpg --sign` makes it. */
function compressedPacket(algorithm: 'zip' | 'zlib', inner: Uint8Array): Uint8Array {
  const compressed = algorithm === 'zip' ? deflateRawSync(inner, { level: 9 }) : deflateSync(inner, { level: 9 });
  const body = Buffer.concat([Buffer.of(openpgp.enums.compression[algorithm]), compressed]);
  const header = Buffer.alloc(6);
  header[0] = 0xc0 | openpgp.enums.packet.compressedData;
  header[1] = 0xff;
  header.writeUInt32BE(body.length, 2);
  return Buffer.concat([header, body]);
}

/** `content` signed by `key`, then compressed: a message that inflates to `content.length` bytes. */
async function compressedSigned(
  content: Uint8Array,
  key: openpgp.PrivateKey,
  algorithm: 'zip' | 'zlib' = 'zlib',
): Promise<string> {
  const signed = await openpgp.sign({
    message: await openpgp.createMessage({ binary: content }),
    signingKeys: key,
    format: 'binary',
  });
  return openpgp.armor(openpgp.enums.armor.message, compressedPacket(algorithm, signed));
}

/**
 * A message whose compressed packet (raw deflate) inflates to a literal packet of `mebibytes` MiB
 * of zeros, built without ever holding them: one flushed deflate block of 1 MiB of zeros refers
 * only to itself, so it can be repeated.
 */
function zerosBomb(mebibytes: number): string {
  const length = mebibytes * 1024 * 1024 + 6;
  const literalHeader = Buffer.concat([
    Buffer.of(0xc0 | openpgp.enums.packet.literalData, 0xff),
    Buffer.alloc(4),
    Buffer.of(0x62, 0),
    Buffer.alloc(4),
  ]);
  literalHeader.writeUInt32BE(length, 2);
  const flushed = (data: Buffer) => deflateRawSync(data, { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const megabyte = flushed(Buffer.alloc(1024 * 1024));
  const deflated = Buffer.concat([
    flushed(literalHeader),
    ...Array<Buffer>(mebibytes).fill(megabyte),
    Buffer.of(0x03, 0x00),
  ]);
  const body = Buffer.concat([Buffer.of(openpgp.enums.compression.zip), deflated]);
  const header = Buffer.alloc(6);
  header[0] = 0xc0 | openpgp.enums.packet.compressedData;
  header[1] = 0xff;
  header.writeUInt32BE(body.length, 2);
  return openpgp.armor(openpgp.enums.armor.message, Buffer.concat([header, body]));
}

/** The most memory held in ArrayBuffers while `run` runs (sampled), above what was held before. */
async function peakArrayBuffers(run: () => Promise<unknown>): Promise<number> {
  const before = process.memoryUsage().arrayBuffers;
  let peak = before;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 2);
  try {
    await run();
  } finally {
    clearInterval(sample);
  }
  return Math.max(peak, process.memoryUsage().arrayBuffers) - before;
}

let signer: { known: KnownKey; privateKey: openpgp.PrivateKey };

beforeAll(async () => {
  const pair = await generateKeyPair({ name: 'Partner CERT', email: 'soc@cert.example' });
  signer = {
    known: { fingerprint: pair.fingerprint, armored: pair.publicArmored },
    privateKey: await openpgp.readPrivateKey({ armoredKey: pair.privateArmored }),
  };
});

describe('verifySignedBy: compressed and oversized content', () => {
  it('reads a compressed message within the bound, and says how many bytes it kept', async () => {
    const text = 'Phishing wave: 198.51.100.7\n'.repeat(1000);
    const result = await verifySignedBy(await compressedSigned(new TextEncoder().encode(text), signer.privateKey), [
      signer.known,
    ]);
    expect(result).toMatchObject({
      ok: true,
      text,
      signer: signer.known.fingerprint,
      sizeBytes: text.length,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it.each(['zlib', 'zip'] as const)(
    'refuses a %s bomb signed by a known key (32 MB of zeros in a few kilobytes) as too-large, quickly',
    async (algorithm) => {
      const bomb = await compressedSigned(new Uint8Array(32 * 1024 * 1024), signer.privateKey, algorithm);
      expect(bomb.length).toBeLessThan(100_000);
      const started = performance.now();
      const result = await verifySignedBy(bomb, [signer.known], new Date(), { maxContentBytes: 1024 * 1024 });
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(result).toEqual({
        ok: false,
        reason: 'too-large',
        detail: 'the signed content is larger than 1048576 bytes once decompressed',
      });
    },
  );

  it('stops inflating at the bound: a 256 MiB bomb never takes more than a few MiB of memory', async () => {
    const bomb = zerosBomb(256);
    expect(bomb.length).toBeLessThan(400_000);
    let result: unknown;
    const held = await peakArrayBuffers(
      async () => (result = await verifySignedBy(bomb, [signer.known], new Date(), { maxContentBytes: 1024 * 1024 })),
    );
    expect(result).toMatchObject({ ok: false, reason: 'too-large' });
    expect(held).toBeLessThan(32 * 1024 * 1024);
  });

  it('applies the bound to content that is not compressed too', async () => {
    const signed = await openpgp.sign({
      message: await openpgp.createMessage({ text: 'x'.repeat(5_000) }),
      signingKeys: signer.privateKey,
    });
    expect(await verifySignedBy(signed, [signer.known], new Date(), { maxContentBytes: 4_096 })).toMatchObject({
      ok: false,
      reason: 'too-large',
    });
    const clear = await signCleartext('y'.repeat(5_000), signer.privateKey);
    expect(await verifySignedBy(clear, [signer.known], new Date(), { maxContentBytes: 4_096 })).toMatchObject({
      ok: false,
      reason: 'too-large',
    });
    const detached = await openpgp.sign({
      message: await openpgp.createMessage({ binary: new Uint8Array(5_000) }),
      signingKeys: signer.privateKey,
      detached: true,
    });
    expect(
      await verifyDetachedBy(detached, new Uint8Array(5_000), [signer.known], new Date(), { maxContentBytes: 4_096 }),
    ).toMatchObject({ ok: false, reason: 'too-large' });
  });

  it('refuses content that is not UTF-8 text, or holds NUL characters, as not-text', async () => {
    const binary = await openpgp.sign({
      message: await openpgp.createMessage({ binary: Uint8Array.of(0xff, 0xfe, 0x41) }),
      signingKeys: signer.privateKey,
    });
    expect(await verifySignedBy(binary, [signer.known])).toMatchObject({ ok: false, reason: 'not-text' });
    const nul = await openpgp.sign({
      message: await openpgp.createMessage({ text: 'report\u0000with a NUL' }),
      signingKeys: signer.privateKey,
    });
    expect(await verifySignedBy(nul, [signer.known])).toMatchObject({
      ok: false,
      reason: 'not-text',
      detail: expect.stringContaining('NUL'),
    });
  });

  it('refuses a message carrying more signatures than it reads', async () => {
    const signed = await openpgp.sign({
      message: await openpgp.createMessage({ text: 'many' }),
      signingKeys: signer.privateKey,
      format: 'object',
    });
    const signature = signed.packets.filterByTag(openpgp.enums.packet.signature)[0];
    const onePass = signed.packets.filterByTag(openpgp.enums.packet.onePassSignature)[0];
    const literal = signed.packets.filterByTag(openpgp.enums.packet.literalData)[0];
    const packets = new openpgp.PacketList<openpgp.AnyPacket>();
    for (let i = 0; i < 40; i++) packets.push(onePass);
    packets.push(literal);
    for (let i = 0; i < 40; i++) packets.push(signature);
    const result = await verifySignedBy(openpgp.armor(openpgp.enums.armor.message, packets.write() as Uint8Array), [
      signer.known,
    ]);
    expect(result).toMatchObject({
      ok: false,
      reason: 'unreadable',
      detail: expect.stringMatching(/40 signatures; at most 16/),
    });
  });
});

describe('verifySignedBy: the digest naming a signed statement', () => {
  it('is the same for the same message however it is armored, and differs for other content', async () => {
    const signed = await openpgp.sign({
      message: await openpgp.createMessage({ text: 'Block 203.0.113.9' }),
      signingKeys: signer.privateKey,
    });
    const first = await verifySignedBy(signed, [signer.known]);
    const rearmored = openpgp
      .armor(
        openpgp.enums.armor.message,
        (await openpgp.unarmor(signed)).data as Uint8Array,
        undefined,
        undefined,
        'a comment',
      )
      .replace(/\n/g, '\r\n');
    const again = await verifySignedBy(rearmored, [signer.known]);
    const other = await verifySignedBy(
      await openpgp.sign({
        message: await openpgp.createMessage({ text: 'Block 203.0.113.10' }),
        signingKeys: signer.privateKey,
      }),
      [signer.known],
    );
    if (!first.ok || !again.ok || !other.ok) throw new Error('expected verified messages');
    expect(again.digest).toBe(first.digest);
    expect(other.digest).not.toBe(first.digest);
  });
});

describe('key blocks: size and compression', () => {
  let publicArmored: string;

  beforeAll(async () => {
    publicArmored = (await generateKeyPair({ name: 'Partner CERT', email: 'soc@cert.example' })).publicArmored;
  });

  it('refuses a compressed key block with a way out, without inflating it', async () => {
    const bomb = openpgp.armor(
      openpgp.enums.armor.publicKey,
      compressedPacket('zlib', new Uint8Array(64 * 1024 * 1024)),
    );
    const started = performance.now();
    expect(await inspectPublicKey(bomb, new Date())).toEqual({
      ok: false,
      error: expect.stringMatching(/compressed key block; export the key uncompressed, e\.g\. gpg --armor --export/),
    });
    expect(await applyKeyUpdate(publicArmored, bomb, new Date())).toEqual({
      kind: 'refused',
      error: expect.stringMatching(/compressed key block/),
    });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses a key block or revocation certificate longer than any key, before reading it', async () => {
    const huge = `${publicArmored}\n${'A'.repeat(MAX_KEY_BLOCK_CHARS)}`;
    expect(await inspectPublicKey(huge, new Date())).toEqual({
      ok: false,
      error: expect.stringMatching(/^the key block is \d+ characters long; at most 262144 are accepted$/),
    });
    expect(await applyKeyUpdate(publicArmored, huge, new Date())).toEqual({
      kind: 'refused',
      error: expect.stringMatching(/^the key block is \d+ characters long/),
    });
  });
});

describe('signCleartext', () => {
  it('ends every line with LF, the armor included, and still verifies', async () => {
    const signed = await signCleartext(
      'Contact: mailto:csirt@example.org\r\nExpires: 2030-01-01T00:00:00Z\nPolicy: x\r\n',
      signer.privateKey,
    );
    expect(signed).not.toContain('\r');
    expect(signed).toMatch(
      /^-----BEGIN PGP SIGNED MESSAGE-----\nHash: \w+\n\nContact: mailto:csirt@example.org\nExpires: 2030-01-01T00:00:00Z\nPolicy: x\n\n?-----BEGIN PGP SIGNATURE-----\n/,
    );
    expect(signed.endsWith('-----END PGP SIGNATURE-----\n')).toBe(true);
    expect(await verifySignedBy(signed, [signer.known])).toMatchObject({
      ok: true,
      text: 'Contact: mailto:csirt@example.org\nExpires: 2030-01-01T00:00:00Z\nPolicy: x\n',
    });
  });
});
