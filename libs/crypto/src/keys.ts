import * as openpgp from 'openpgp';
import { keyWeakness } from '@tlp-broker/tlp';
import { MAX_KEY_BLOCK_CHARS, MAX_KEY_DECOMPRESSED_BYTES, readConfig } from './limits';
export { MIN_RSA_BITS } from '@tlp-broker/tlp';

/** Upper-case hexadecimal v4/v6 fingerprint. */
export type Fingerprint = string & { readonly __brand: 'Fingerprint' };

export interface PublicKeyInfo {
  readonly fingerprint: Fingerprint;
  /** OpenPGP key version: 4 (RFC 4880, read by GnuPG 2.2) or 6 (RFC 9580). */
  readonly version: number;
  /** e.g. "rsa 4096", "eddsaLegacy ed25519Legacy". */
  readonly algorithm: string;
  readonly bits: number | null;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly userIds: readonly string[];
  /** Key id (hex) of the subkey (or primary key) used for encryption. */
  readonly encryptionKeyId: string;
  /** The public key alone, re-armored: never a private part. */
  readonly armored: string;
}

export type KeyCheck = { ok: true; key: PublicKeyInfo } | { ok: false; error: string };

/** Rules a key must also meet where it is registered. */
export interface KeyRules {
  /** The key must carry a user ID with this e-mail address (the channel's address). */
  readonly expectedEmail?: string;
  /** The fingerprint the administrator obtained out of band (spaces and colons allowed). */
  readonly pinnedFingerprint?: string;
}

/** "0123 4567 89AB …", "01:23:…" or lower case: the 40 (v4) or 64 (v6) hexadecimal digits, upper case. */
export function normaliseFingerprint(value: string): string | null {
  const hex = value.replace(/[\s:]/g, '').toUpperCase();
  return /^([0-9A-F]{40}|[0-9A-F]{64})$/.test(hex) ? hex : null;
}

/** A key only software implementing RFC 9580 reads: v6, or the new Ed25519/X25519/Ed448/X448 algorithms. */
export function needsModernSoftware(version: number, algorithm: string): boolean {
  return version >= 6 || /^(ed25519|x25519|ed448|x448)\b/.test(algorithm);
}

const CLOCK_SKEW_MS = 5 * 60_000;

type Refusal = { ok: false; error: string };
const refuse = (error: string): Refusal => ({ ok: false, error });
const PRIVATE_KEY_SENT = 'this is a private key; send only the public key (it was not stored)';

/**
 * Reads an armored OpenPGP public key and checks it can receive encrypted material now:
 * a public key (never a private one), not revoked, not expired, with an encryption-capable
 * (sub)key, of an algorithm and size still considered strong.
 */
export async function inspectPublicKey(armored: unknown, now: Date, rules: KeyRules = {}): Promise<KeyCheck> {
  const read = await readPublicKeyBlock(armored);
  if ('error' in read) return read;
  const { key } = read;
  const fingerprint = key.getFingerprint().toUpperCase() as Fingerprint;
  const at = checkedTime(key, fingerprint, now);
  if ('error' in at) return at;
  const problem =
    pinningProblem(fingerprint, rules.pinnedFingerprint) ??
    (await validityProblem(key, fingerprint, at.time)) ??
    emailProblem(key, fingerprint, rules.expectedEmail);
  if (problem) return refuse(problem);
  const encryption = await encryptionKeyOf(key, fingerprint, at.time);
  if ('error' in encryption) return encryption;
  return { ok: true, key: describeKey(key, fingerprint, encryption.key, await expiryOf(key)) };
}

async function readPublicKeyBlock(armored: unknown): Promise<{ key: openpgp.Key } | Refusal> {
  if (typeof armored !== 'string' || armored.trim() === '') return refuse('an armored OpenPGP public key is required');
  if (armored.includes('PRIVATE KEY BLOCK')) return refuse(PRIVATE_KEY_SENT);
  const oversized = keyBlockTooLarge(armored);
  if (oversized) return refuse(oversized);
  let key: openpgp.Key;
  try {
    key = await readKeyBlock(armored.trim());
  } catch (error) {
    return refuse(`not a readable OpenPGP public key (${keyReadError(error)})`);
  }
  return key.isPrivate() ? refuse(PRIVATE_KEY_SENT) : { key };
}

/** When the key is checked: now, or its creation if a clock a little ahead made it seconds ago. */
function checkedTime(key: openpgp.Key, fingerprint: Fingerprint, now: Date): { time: Date } | Refusal {
  const createdAt = key.getCreationTime();
  if (createdAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    return refuse(
      `key ${fingerprint} is dated ${createdAt.toISOString()}, in the future: check the clock of the machine that made it`,
    );
  }
  return { time: createdAt.getTime() > now.getTime() ? createdAt : now };
}

function pinningProblem(fingerprint: Fingerprint, pinnedFingerprint: string | undefined): string | null {
  if (pinnedFingerprint === undefined) return null;
  const pinned = normaliseFingerprint(pinnedFingerprint);
  if (pinned === null) return `the pinned fingerprint "${pinnedFingerprint}" is not 40 or 64 hexadecimal digits`;
  if (pinned !== fingerprint)
    return `key ${fingerprint} does not match the pinned fingerprint ${pinned}: check how the key reached you`;
  return null;
}

async function validityProblem(key: openpgp.Key, fingerprint: Fingerprint, at: Date): Promise<string | null> {
  if (await key.isRevoked(undefined, undefined, at)) return `key ${fingerprint} is revoked`;
  const expiresAt = await expiryOf(key);
  if (expiresAt !== null && expiresAt.getTime() <= at.getTime())
    return `key ${fingerprint} expired on ${expiresAt.toISOString()}`;
  const info = key.getAlgorithmInfo();
  const weakness = keyWeakness(info.algorithm, info.bits ?? null);
  return weakness ? `key ${fingerprint} is too weak: ${weakness}` : null;
}

function emailProblem(key: openpgp.Key, fingerprint: Fingerprint, expectedEmail: string | undefined): string | null {
  if (expectedEmail === undefined) return null;
  const wanted = expectedEmail.trim().toLowerCase();
  const emails = key.users
    .map((user) => user.userID?.email.toLowerCase())
    .filter((email): email is string => Boolean(email));
  if (emails.includes(wanted)) return null;
  const userIds = key.getUserIDs();
  return `key ${fingerprint} has no user ID with ${expectedEmail} (it has ${userIds.map((id) => `"${id}"`).join(', ') || 'none'})`;
}

async function encryptionKeyOf(
  key: openpgp.Key,
  fingerprint: Fingerprint,
  at: Date,
): Promise<{ key: openpgp.Key | openpgp.Subkey } | Refusal> {
  let encryptionKey: openpgp.Key | openpgp.Subkey;
  try {
    encryptionKey = await key.getEncryptionKey(undefined, at);
  } catch {
    return refuse(`key ${fingerprint} has no valid encryption-capable subkey`);
  }
  const info = encryptionKey.getAlgorithmInfo();
  const weakness = keyWeakness(info.algorithm, info.bits ?? null);
  return weakness ? refuse(`the encryption subkey of ${fingerprint} is too weak: ${weakness}`) : { key: encryptionKey };
}

async function expiryOf(key: openpgp.Key): Promise<Date | null> {
  const expiration = await key.getExpirationTime();
  return expiration instanceof Date ? expiration : null;
}

function describeKey(
  key: openpgp.Key,
  fingerprint: Fingerprint,
  encryptionKey: openpgp.Key | openpgp.Subkey,
  expiresAt: Date | null,
): PublicKeyInfo {
  const info = key.getAlgorithmInfo();
  const bits = info.bits ?? null;
  return {
    fingerprint,
    version: key.keyPacket.version,
    algorithm: [info.algorithm, info.curve ?? (bits !== null ? String(bits) : '')].filter(Boolean).join(' '),
    bits,
    createdAt: key.getCreationTime(),
    expiresAt,
    userIds: key.getUserIDs(),
    encryptionKeyId: encryptionKey.getKeyID().toHex().toUpperCase(),
    armored: key.armor(),
  };
}

export type KeyUpdate =
  /** The same key with newer signatures: expiry extended, subkey added or renewed. */
  | { kind: 'updated'; key: PublicKeyInfo }
  /** A revocation (certificate or revoked copy of the key) applied to the stored key. */
  | { kind: 'revoked'; fingerprint: Fingerprint; armored: string }
  /** A different key, checked like a new one. */
  | { kind: 'replaced'; key: PublicKeyInfo }
  | { kind: 'refused'; error: string };

/**
 * Applies what an administrator sends for a registered key: a revocation certificate, an updated
 * copy of the same key (merged into the stored one, so nothing the stored copy had is lost), or a
 * new key.
 */
export async function applyKeyUpdate(
  storedArmored: string,
  incoming: unknown,
  now: Date,
  rules: KeyRules = {},
): Promise<KeyUpdate> {
  if (typeof incoming !== 'string' || incoming.trim() === '')
    return { kind: 'refused', error: 'an armored OpenPGP public key or revocation certificate is required' };
  if (incoming.includes('PRIVATE KEY BLOCK'))
    return { kind: 'refused', error: 'this is a private key; send only the public key (it was not stored)' };
  const oversized = keyBlockTooLarge(incoming);
  if (oversized) return { kind: 'refused', error: oversized };
  const stored = await readKeyBlock(storedArmored);
  const fingerprint = stored.getFingerprint().toUpperCase() as Fingerprint;

  let key: openpgp.Key | null = null;
  try {
    key = await readKeyBlock(incoming.trim());
  } catch (keyError) {
    if (isCompressedKeyError(keyError)) return { kind: 'refused', error: keyReadError(keyError) };
    // Not a key: perhaps a revocation certificate for the stored one.
    try {
      const { publicKey } = await openpgp.revokeKey({
        key: stored,
        revocationCertificate: incoming.trim(),
        format: 'object',
        date: now,
        config: readConfig(MAX_KEY_DECOMPRESSED_BYTES),
      });
      return { kind: 'revoked', fingerprint, armored: publicKey.armor() };
    } catch (error) {
      return {
        kind: 'refused',
        error: `neither an OpenPGP public key nor a revocation certificate for ${fingerprint} (${errorMessage(error)})`,
      };
    }
  }
  if (key.isPrivate())
    return { kind: 'refused', error: 'this is a private key; send only the public key (it was not stored)' };
  if (key.getFingerprint().toUpperCase() !== fingerprint) {
    const check = await inspectPublicKey(incoming, now, rules);
    return check.ok ? { kind: 'replaced', key: check.key } : { kind: 'refused', error: check.error };
  }
  const merged = await stored.update(key, now);
  if (await merged.isRevoked(undefined, undefined, now))
    return { kind: 'revoked', fingerprint, armored: merged.armor() };
  const check = await inspectPublicKey(merged.armor(), now, { expectedEmail: rules.expectedEmail });
  return check.ok ? { kind: 'updated', key: check.key } : { kind: 'refused', error: check.error };
}

/** The state of a stored key at a given time, re-read from its armored form. */
export async function keyStateAt(armored: string, now: Date): Promise<KeyState> {
  return keyStateOf(await readKeyBlock(armored), now);
}

/** A key's revocation, expiry and whether it can be encrypted to at `now`. */
export interface KeyState {
  readonly expiresAt: Date | null;
  readonly revoked: boolean;
  readonly canEncrypt: boolean;
}

/** The state of a key already read (the reading is the costly part; the checks run every time). */
export async function keyStateOf(key: openpgp.Key, now: Date): Promise<KeyState> {
  const revoked = await key.isRevoked(undefined, undefined, now);
  const expiration = await key.getExpirationTime();
  const expiresAt = expiration instanceof Date ? expiration : null;
  let canEncrypt = true;
  try {
    await key.getEncryptionKey(undefined, now);
  } catch {
    canEncrypt = false;
  }
  return { expiresAt, revoked, canEncrypt };
}

/** A key block read with decompression bounded (openpgp.js refuses compressed packets in keys; this holds if that changes). */
export function readKeyBlock(armored: string): Promise<openpgp.Key> {
  return openpgp.readKey({ armoredKey: armored, config: readConfig(MAX_KEY_DECOMPRESSED_BYTES) });
}

/** Refused before parsing: parsing and checking a key costs time with every packet it carries. */
function keyBlockTooLarge(armored: string): string | null {
  return armored.length > MAX_KEY_BLOCK_CHARS
    ? `the key block is ${armored.length} characters long; at most ${MAX_KEY_BLOCK_CHARS} are accepted`
    : null;
}

function isCompressedKeyError(error: unknown): boolean {
  return /not allowed in this context: compressedData/i.test(errorMessage(error));
}

/** openpgp.js's reason, with a way out when the block was compressed (GnuPG reads those, openpgp.js does not). */
function keyReadError(error: unknown): string {
  return isCompressedKeyError(error)
    ? 'a compressed key block; export the key uncompressed, e.g. gpg --armor --export'
    : errorMessage(error);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
