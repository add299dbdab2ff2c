import * as openpgp from 'openpgp';
import { keyWeakness } from '@tlp-broker/tlp';
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

const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Reads an armored OpenPGP public key and checks it can receive encrypted material now:
 * a public key (never a private one), not revoked, not expired, with an encryption-capable
 * (sub)key, of an algorithm and size still considered strong.
 */
export async function inspectPublicKey(armored: unknown, now: Date): Promise<KeyCheck> {
  if (typeof armored !== 'string' || armored.trim() === '') {
    return { ok: false, error: 'an armored OpenPGP public key is required' };
  }
  if (armored.includes('PRIVATE KEY BLOCK')) {
    return { ok: false, error: 'this is a private key; send only the public key (it was not stored)' };
  }
  let key: openpgp.Key;
  try {
    key = await openpgp.readKey({ armoredKey: armored.trim() });
  } catch (error) {
    return { ok: false, error: `not a readable OpenPGP public key (${errorMessage(error)})` };
  }
  if (key.isPrivate()) {
    return { ok: false, error: 'this is a private key; send only the public key (it was not stored)' };
  }
  const fingerprint = key.getFingerprint().toUpperCase() as Fingerprint;
  const createdAt = key.getCreationTime();
  if (createdAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    return { ok: false, error: `key ${fingerprint} is dated ${createdAt.toISOString()}, in the future: check the clock of the machine that made it` };
  }
  // A key made seconds ago on a machine whose clock runs a little ahead is checked as of its creation.
  const at = createdAt.getTime() > now.getTime() ? createdAt : now;
  if (await key.isRevoked(undefined, undefined, at)) {
    return { ok: false, error: `key ${fingerprint} is revoked` };
  }
  const expiration = await key.getExpirationTime();
  const expiresAt = expiration instanceof Date ? expiration : null;
  if (expiresAt !== null && expiresAt.getTime() <= at.getTime()) {
    return { ok: false, error: `key ${fingerprint} expired on ${expiresAt.toISOString()}` };
  }
  const info = key.getAlgorithmInfo();
  const bits = info.bits ?? null;
  const weakness = keyWeakness(info.algorithm, bits);
  if (weakness) return { ok: false, error: `key ${fingerprint} is too weak: ${weakness}` };
  let encryptionKey: openpgp.Key | openpgp.Subkey;
  try {
    encryptionKey = await key.getEncryptionKey(undefined, at);
  } catch {
    return { ok: false, error: `key ${fingerprint} has no valid encryption-capable subkey` };
  }
  const encryptionInfo = encryptionKey.getAlgorithmInfo();
  const subkeyWeakness = keyWeakness(encryptionInfo.algorithm, encryptionInfo.bits ?? null);
  if (subkeyWeakness) return { ok: false, error: `the encryption subkey of ${fingerprint} is too weak: ${subkeyWeakness}` };
  return {
    ok: true,
    key: {
      fingerprint,
      version: key.keyPacket.version,
      algorithm: [info.algorithm, info.curve ?? (bits !== null ? String(bits) : '')].filter(Boolean).join(' '),
      bits,
      createdAt: key.getCreationTime(),
      expiresAt,
      userIds: key.getUserIDs(),
      encryptionKeyId: encryptionKey.getKeyID().toHex().toUpperCase(),
      armored: key.armor(),
    },
  };
}

/** The state of a stored key at a given time, re-read from its armored form. */
export async function keyStateAt(armored: string, now: Date): Promise<{ expiresAt: Date | null; revoked: boolean; canEncrypt: boolean }> {
  const key = await openpgp.readKey({ armoredKey: armored });
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

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
