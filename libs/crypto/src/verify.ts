import { createHash } from 'node:crypto';
import * as openpgp from 'openpgp';
import { Fingerprint, errorMessage, readKeyBlock } from './keys';
import { DEFAULT_MAX_CONTENT_BYTES, isSizeLimitError, MAX_SIGNATURES, readConfig } from './limits';

/** A partner's key the broker knows: the fingerprint it was registered under and its armor. */
export interface KnownKey {
  readonly fingerprint: string;
  readonly armored: string;
}

export type VerifyFailureReason =
  /** Not an OpenPGP message, signature or cleartext-signed text, or damaged beyond reading. */
  | 'unreadable'
  /** Encrypted: only signed material is verified here (decryptToSigned opens a message encrypted to the team key). */
  | 'encrypted'
  | 'unsigned'
  /** Signed, but by none of the given keys. */
  | 'unknown-signer'
  /** Signed by a given key, and the signature does not match the content (tampered). */
  | 'bad-signature'
  | 'key-expired'
  | 'key-revoked'
  /** The signing key is known but cannot sign now for another reason (e.g. no valid signing subkey). */
  | 'key-unusable'
  /** The signed content is larger than allowed once decompressed: refused before it is inflated whole. */
  | 'too-large'
  /** The signed content is not UTF-8 text (binary data, another character set, NUL characters). */
  | 'not-text';

export type VerifyResult =
  | {
      readonly ok: true;
      readonly text: string;
      readonly signer: Fingerprint;
      /** Bytes of `text` as UTF-8: what is kept. */
      readonly sizeBytes: number;
      /**
       * SHA-256 (hex) naming the signed statement: the signer's fingerprint, the hashed part of its
       * signature (type, algorithms, creation time, subpackets) and the content. The same message
       * sent again gives the same digest however it is re-armored or whatever unsigned parts are
       * changed; two messages with different content or signatures never share one.
       */
      readonly digest: string;
    }
  | { readonly ok: false; readonly reason: VerifyFailureReason; readonly detail: string };

export interface VerifyLimits {
  /** The most bytes of signed content accepted, once decompressed (default 10 MB). */
  readonly maxContentBytes?: number;
}

/** Far above any report a partner sends; refuses to spend memory on anything bigger. */
const MAX_INPUT = 16 * 1024 * 1024;

/**
 * Verifies signed material a partner sent in: an inline-signed OpenPGP message (`gpg --sign
 * --armor`) or a cleartext-signed one (`gpg --clearsign`). `ok` only when a signature by one of
 * `keys`, valid at `now` (not expired, not revoked), matches the content; a signature by a known
 * key that does not match makes the whole refused. Never throws: bad input is a refusal.
 *
 * A compressed message is inflated as a stream and given up as soon as it passes
 * `limits.maxContentBytes` ('too-large'): a few hundred kilobytes can inflate to gigabytes, and
 * neither memory nor time may follow what a sender chooses.
 */
export async function verifySignedBy(
  armoredOrCleartext: string,
  keys: readonly KnownKey[],
  now: Date = new Date(),
  limits: VerifyLimits = {},
): Promise<VerifyResult> {
  const maxBytes = limits.maxContentBytes ?? DEFAULT_MAX_CONTENT_BYTES;
  try {
    if (typeof armoredOrCleartext !== 'string' || armoredOrCleartext.length > MAX_INPUT)
      return refuse('unreadable', 'not text of a readable size');
    if (armoredOrCleartext.includes('-----BEGIN PGP SIGNED MESSAGE-----'))
      return await verifyCleartext(armoredOrCleartext, keys, now, maxBytes);
    if (!armoredOrCleartext.includes('-----BEGIN PGP MESSAGE-----'))
      return refuse('unsigned', 'no OpenPGP message or cleartext signature found');
    return await verifyInline(armoredOrCleartext, keys, now, maxBytes);
  } catch (error) {
    if (isSizeLimitError(error)) return tooLarge(maxBytes);
    return refuse('unreadable', errorMessage(error));
  }
}

/** `gpg --clearsign` output. */
async function verifyCleartext(
  text: string,
  keys: readonly KnownKey[],
  now: Date,
  maxBytes: number,
): Promise<VerifyResult> {
  let message: openpgp.CleartextMessage;
  try {
    message = await openpgp.readCleartextMessage({ cleartextMessage: text, config: readConfig(maxBytes) });
  } catch (error) {
    return refuse('unreadable', `not a readable cleartext-signed message (${errorMessage(error)})`);
  }
  return checkSigned(message, new TextEncoder().encode(message.getText()), keys, now, maxBytes);
}

/** `gpg --sign --armor` output, compressed or not. */
async function verifyInline(
  armored: string,
  keys: readonly KnownKey[],
  now: Date,
  maxBytes: number,
): Promise<VerifyResult> {
  let message: openpgp.Message<string>;
  try {
    message = await openpgp.readMessage({ armoredMessage: armored, config: readConfig(maxBytes) });
  } catch (error) {
    if (isSizeLimitError(error)) return tooLarge(maxBytes);
    return refuse('unreadable', `not a readable OpenPGP message (${errorMessage(error)})`);
  }
  if (message.packets.filterByTag(...ENCRYPTION_PACKETS).length > 0)
    return refuse('encrypted', 'an encrypted message: decrypt it first');
  const literal = message.getLiteralData();
  if (!(literal instanceof Uint8Array)) return refuse('unreadable', 'the message carries no literal data');
  return checkSigned(message, literal, keys, now, maxBytes);
}

/**
 * The content within bounds and a bounded number of signatures (one key id per one-pass signature
 * packet, or per signature packet when there are none), then the signatures checked.
 */
async function checkSigned(
  message: openpgp.CleartextMessage | openpgp.Message<string>,
  content: Uint8Array,
  keys: readonly KnownKey[],
  now: Date,
  maxBytes: number,
): Promise<VerifyResult> {
  const refused = contentRefusal(content, maxBytes) ?? signatureCountRefusal(message.getSigningKeyIDs().length);
  if (refused) return refused;
  return check(message.getSigningKeyIDs(), keys, now, async (verificationKeys) => {
    const verified =
      message instanceof openpgp.CleartextMessage
        ? await openpgp.verify({ message, verificationKeys, date: now, config: readConfig(maxBytes) })
        : await openpgp.verify({ message, verificationKeys, date: now, config: readConfig(maxBytes) });
    return { text: verified.data, signatures: verified.signatures };
  });
}

/**
 * Verifies a detached signature (`gpg --detach-sign --armor`) over `data`: exact bytes, or a
 * string taken as its UTF-8 bytes. Same answers as `verifySignedBy`; `text` is `data` as text.
 */
export async function verifyDetachedBy(
  armoredSignature: string,
  data: string | Uint8Array,
  keys: readonly KnownKey[],
  now: Date = new Date(),
  limits: VerifyLimits = {},
): Promise<VerifyResult> {
  const maxBytes = limits.maxContentBytes ?? DEFAULT_MAX_CONTENT_BYTES;
  try {
    if (typeof armoredSignature !== 'string' || armoredSignature.length > MAX_INPUT)
      return refuse('unreadable', 'not text of a readable size');
    if (typeof data !== 'string' && !(data instanceof Uint8Array))
      return refuse('unreadable', 'the signed data is neither text nor bytes');
    if (!armoredSignature.includes('-----BEGIN PGP SIGNATURE-----'))
      return refuse('unsigned', 'no armored OpenPGP signature found');
    let signature: openpgp.Signature;
    try {
      signature = await openpgp.readSignature({ armoredSignature, config: readConfig(maxBytes) });
    } catch (error) {
      if (isSizeLimitError(error)) return tooLarge(maxBytes);
      return refuse('unreadable', `not a readable OpenPGP signature (${errorMessage(error)})`);
    }
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    // The caller holds the data (it may be binary): only its size is bounded here.
    const refused =
      (bytes.length > maxBytes ? tooLarge(maxBytes) : null) ?? signatureCountRefusal(signature.packets.length);
    if (refused) return refused;
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
    const message = await openpgp.createMessage({ binary: bytes });
    return await check(signature.getSigningKeyIDs(), keys, now, async (verificationKeys) => {
      const { signatures } = await openpgp.verify({
        message,
        signature,
        verificationKeys,
        date: now,
        format: 'binary',
        config: readConfig(maxBytes),
      });
      return { text, signatures };
    });
  } catch (error) {
    if (isSizeLimitError(error)) return tooLarge(maxBytes);
    return refuse('unreadable', errorMessage(error));
  }
}

function tooLarge(maxBytes: number): VerifyResult {
  return refuse('too-large', `the signed content is larger than ${maxBytes} bytes once decompressed`);
}

/** Content kept as text: within the size bound, UTF-8, and without NUL (which PostgreSQL text cannot hold). */
function contentRefusal(bytes: Uint8Array, maxBytes: number): VerifyResult | null {
  if (bytes.length > maxBytes) return tooLarge(maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse(
      'not-text',
      'the signed content is not UTF-8 text (convert it, e.g. with iconv -t UTF-8, or send a text report)',
    );
  }
  if (text.includes('\u0000'))
    return refuse('not-text', 'the signed content holds NUL characters: it is binary data, not a text report');
  return null;
}

/** Each signature by a known key costs a public-key operation: a message carries a few, never thousands. */
function signatureCountRefusal(count: number): VerifyResult | null {
  return count > MAX_SIGNATURES
    ? refuse('unreadable', `the message carries ${count} signatures; at most ${MAX_SIGNATURES} are read`)
    : null;
}

const ENCRYPTION_PACKETS = [
  openpgp.enums.packet.publicKeyEncryptedSessionKey,
  openpgp.enums.packet.symEncryptedSessionKey,
  openpgp.enums.packet.symmetricallyEncryptedData,
  openpgp.enums.packet.symEncryptedIntegrityProtectedData,
  openpgp.enums.packet.aeadEncryptedData,
];

type Verification = (verificationKeys: openpgp.PublicKey[]) => Promise<{
  text: string;
  signatures: { keyID: openpgp.KeyID; verified: Promise<true>; signature: Promise<openpgp.Signature> }[];
}>;

async function check(
  signingKeyIds: openpgp.KeyID[],
  knownKeys: readonly KnownKey[],
  now: Date,
  verification: Verification,
): Promise<VerifyResult> {
  if (signingKeyIds.length === 0) return refuse('unsigned', 'the message carries no signature');
  const signers = await keysFor(signingKeyIds, knownKeys);
  if (signers.length === 0) {
    return refuse(
      'unknown-signer',
      `signed by key id ${signingKeyIds.map((id) => id.toHex().toUpperCase()).join(', ')}, none of the given keys`,
    );
  }
  // A key must be fit to sign now: a revoked key may have been stolen, so its signatures, even
  // dated before the revocation, prove nothing.
  const usable: openpgp.PublicKey[] = [];
  let unusable: { reason: VerifyFailureReason; detail: string } | null = null;
  for (const { key, keyId } of signers) {
    try {
      await key.getSigningKey(keyId, now);
      if (!usable.includes(key)) usable.push(key);
    } catch (error) {
      const message = errorMessage(error);
      const reason = /revoked/i.test(message)
        ? 'key-revoked'
        : /expired/i.test(message)
          ? 'key-expired'
          : 'key-unusable';
      unusable ??= { reason, detail: `key ${fingerprintOf(key)} cannot sign at ${now.toISOString()}: ${message}` };
    }
  }
  if (usable.length === 0) return refuse(unusable!.reason, unusable!.detail);

  const { text, signatures } = await verification(usable);
  let signer: Fingerprint | null = null;
  const digests: string[] = [];
  for (const signature of signatures) {
    const key = usable.find((candidate) => candidate.getKeys(signature.keyID).length > 0);
    if (!key) continue;
    try {
      await signature.verified;
      signer ??= fingerprintOf(key);
      digests.push(
        statementDigest(fingerprintOf(key), (await signature.signature).packets[0]?.signatureData ?? null, text),
      );
    } catch (error) {
      return refuse('bad-signature', `the signature by ${fingerprintOf(key)} does not verify: ${errorMessage(error)}`);
    }
  }
  if (signer === null)
    return refuse(unusable?.reason ?? 'unknown-signer', unusable?.detail ?? 'no signature by a given key was found');
  // With several verified signatures, the smallest digest: the same whatever order they come in.
  return { ok: true, text, signer, sizeBytes: Buffer.byteLength(text, 'utf8'), digest: digests.sort()[0] };
}

/** SHA-256 over length-prefixed parts, so that no two different (signer, signature, content) give the same input. */
function statementDigest(signer: Fingerprint, signatureData: Uint8Array | null, text: string): string {
  const hash = createHash('sha256').update('tlp-broker/signed-statement@1');
  for (const part of [
    Buffer.from(signer, 'utf8'),
    Buffer.from(signatureData ?? new Uint8Array()),
    Buffer.from(text, 'utf8'),
  ]) {
    const length = Buffer.alloc(8);
    length.writeBigUInt64BE(BigInt(part.length));
    hash.update(length).update(part);
  }
  return hash.digest('hex');
}

/** The given keys that hold one of the signing key ids, each with the id it signed under. */
async function keysFor(
  signingKeyIds: openpgp.KeyID[],
  knownKeys: readonly KnownKey[],
): Promise<{ key: openpgp.PublicKey; keyId: openpgp.KeyID }[]> {
  const found: { key: openpgp.PublicKey; keyId: openpgp.KeyID }[] = [];
  for (const known of knownKeys) {
    let key: openpgp.PublicKey;
    try {
      const read = await readKeyBlock(known.armored);
      key = read.isPrivate() ? read.toPublic() : read;
      // A key whose armor is not that of its registered fingerprint is not the registered key.
      if (fingerprintOf(key) !== known.fingerprint.toUpperCase()) continue;
    } catch {
      continue;
    }
    for (const keyId of signingKeyIds) {
      if (key.getKeys(keyId).length > 0) found.push({ key, keyId });
    }
  }
  return found;
}

function fingerprintOf(key: openpgp.PublicKey): Fingerprint {
  return key.getFingerprint().toUpperCase() as Fingerprint;
}

function refuse(reason: VerifyFailureReason, detail: string): VerifyResult {
  return { ok: false, reason, detail };
}
