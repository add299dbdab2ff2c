import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { StartupError } from '@tlp-broker/config';
import { SharedArmor } from './armor';
import { errorMessage, readKeyBlock } from './keys';
import { DEFAULT_MAX_CONTENT_BYTES, MAX_KEY_BLOCK_CHARS, MAX_KEY_DECOMPRESSED_BYTES, readConfig } from './limits';

/**
 * An item version signed by the team and symmetrically encrypted once, with the session key that
 * opens it. Each recipient's message is a public-key session-key packet for that recipient followed
 * by this shared packet: one signature and one bulk encryption per item version, however many
 * recipients (RFC 4880 §11.3, read by GnuPG 2.2 and every OpenPGP library).
 */
export interface SealedPayload {
  readonly sessionKeyAlgorithm: 'aes256';
  readonly sessionKey: Uint8Array;
  /** A binary OpenPGP message holding only the symmetrically encrypted, signed data packet. */
  readonly encryptedData: Uint8Array;
  /**
   * Names this payload for as long as it exists (the stored sealed row's id): lets one process
   * armor the shared packet once for all the payload's recipients although each delivery reads it anew.
   */
  readonly id?: string;
}

export class TeamKeyUnlockError extends StartupError {}

/** Signs `plaintext` with the team key and encrypts it once under a fresh AES-256 session key. */
export async function sealOnce(plaintext: string, signingKey: openpgp.PrivateKey, date?: Date): Promise<SealedPayload> {
  const sessionKey = { data: new Uint8Array(randomBytes(32)), algorithm: 'aes256' as const };
  const message = await openpgp.createMessage({ text: plaintext, format: 'utf8', date });
  const encryptedData = await openpgp.encrypt({
    message,
    sessionKey,
    signingKeys: signingKey,
    format: 'binary',
    date,
    // SEIPD v1 (with MDC): what GnuPG 2.2 and RFC 4880 software read.
    config: { aeadProtect: false },
  });
  return { sessionKeyAlgorithm: 'aes256', sessionKey: sessionKey.data, encryptedData };
}

/** The public-key session-key packet that opens `payload` for one recipient. */
export function sessionKeyPacket(
  payload: SealedPayload,
  recipient: openpgp.PublicKey,
  date?: Date,
): Promise<Uint8Array> {
  return openpgp.encryptSessionKey({
    data: payload.sessionKey,
    algorithm: payload.sessionKeyAlgorithm,
    encryptionKeys: recipient,
    format: 'binary',
    date,
  });
}

/**
 * The armored message for one recipient: its session-key packet followed by the shared data packet.
 * Pass the same `armor` for every recipient of one payload: the shared packet is armored once.
 * The armor carries the CRC-24 line: without it GnuPG 2.2 misreads armor whose base64 ends without
 * padding (one message length in three) — the reason openpgp.js's own Message.armor() adds it.
 */
export async function addressTo(
  payload: SealedPayload,
  recipient: openpgp.PublicKey,
  date?: Date,
  armor: SharedArmor = new SharedArmor(payload.encryptedData),
): Promise<string> {
  return armor.armor(await sessionKeyPacket(payload, recipient, date));
}

/** A signed, unencrypted message: only for TLP:CLEAR to a recipient without a key. */
export async function signOnly(plaintext: string, signingKey: openpgp.PrivateKey, date?: Date): Promise<string> {
  const message = await openpgp.createMessage({ text: plaintext, format: 'utf8', date });
  return openpgp.sign({ message, signingKeys: signingKey, date });
}

/**
 * An OpenPGP cleartext-signed text (RFC 4880 §7): readable as is, checked with `gpg --verify`.
 * Every line ends with LF, the armor lines included: openpgp.js writes the signed text with CRLF
 * and the armor with LF, and a file mixing both (security.txt, RFC 9116 §2.2) is malformed. The
 * signature covers the text with canonical CRLF line endings whatever the file uses, so it still
 * verifies.
 */
export async function signCleartext(text: string, signingKey: openpgp.PrivateKey, date?: Date): Promise<string> {
  const signed = await openpgp.sign({
    message: await openpgp.createCleartextMessage({ text: text.replace(/\r\n?/g, '\n') }),
    signingKeys: signingKey,
    date,
  });
  return signed.replace(/\r\n/g, '\n');
}

/** An armored detached signature of `text` (as UTF-8 bytes): `gpg --verify file.asc file`. */
export async function signDetached(text: string, signingKey: openpgp.PrivateKey, date?: Date): Promise<string> {
  const message = await openpgp.createMessage({ binary: new TextEncoder().encode(text) });
  return openpgp.sign({ message, signingKeys: signingKey, detached: true, date });
}

export interface OpenedMessage {
  readonly text: string;
  readonly signedBy: string[];
}

/**
 * Decrypts a message with a recipient's private key and requires a valid signature by one of the
 * given keys. What partners' software does; used by tests and the demonstration.
 */
export async function openSealed(
  armored: string,
  decryptionKey: openpgp.PrivateKey,
  verificationKeys: openpgp.PublicKey[],
): Promise<OpenedMessage> {
  const message = await openpgp.readMessage({ armoredMessage: armored, config: readConfig(DEFAULT_MAX_CONTENT_BYTES) });
  const { data, signatures } = await openpgp.decrypt({
    message,
    decryptionKeys: decryptionKey,
    verificationKeys,
    expectSigned: true,
    // The compressed packet sits inside the encrypted one: it is inflated while decrypting.
    config: readConfig(DEFAULT_MAX_CONTENT_BYTES),
  });
  const signedBy: string[] = [];
  for (const signature of signatures) {
    await signature.verified;
    signedBy.push(signature.keyID.toHex().toUpperCase());
  }
  return { text: data, signedBy };
}

export async function readPublicKey(armored: string): Promise<openpgp.PublicKey> {
  const key = await readKeyBlock(armored);
  return key.isPrivate() ? key.toPublic() : key;
}

export async function unlockPrivateKey(armored: string, passphrase: string): Promise<openpgp.PrivateKey> {
  let key: openpgp.PrivateKey;
  try {
    if (armored.length > MAX_KEY_BLOCK_CHARS)
      throw new Error(`${armored.length} characters, more than any private key (at most ${MAX_KEY_BLOCK_CHARS})`);
    key = await openpgp.readPrivateKey({ armoredKey: armored, config: readConfig(MAX_KEY_DECOMPRESSED_BYTES) });
  } catch (error) {
    throw new TeamKeyUnlockError(`not a readable OpenPGP private key (${errorMessage(error)})`);
  }
  if (key.isDecrypted()) return key;
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase });
  } catch (error) {
    throw new TeamKeyUnlockError(`the passphrase does not unlock the key (${errorMessage(error)})`);
  }
}

export interface GeneratedKeyPair {
  readonly privateArmored: string;
  readonly publicArmored: string;
  readonly fingerprint: string;
}

/**
 * A v4 EdDSA/ECDH Curve25519 key pair ("curve25519Legacy"): the kind GnuPG 2.2 reads.
 * The RFC 9580 Ed25519/X25519 kind is refused by GnuPG 2.2 ("Invalid public key algorithm").
 */
export async function generateKeyPair(
  userId: { name: string; email: string },
  passphrase?: string,
  date?: Date,
): Promise<GeneratedKeyPair> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [userId],
    passphrase,
    date,
    format: 'object',
  });
  return {
    privateArmored: privateKey.armor(),
    publicArmored: publicKey.armor(),
    fingerprint: publicKey.getFingerprint().toUpperCase(),
  };
}
