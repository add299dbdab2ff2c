import { randomBytes, scrypt, ScryptOptions, timingSafeEqual } from 'node:crypto';

/**
 * Team members' console passwords, hashed with scrypt (N = 2^15, r = 8, p = 1, a random 16-byte
 * salt, 32 bytes out) and stored as a self-describing string, `scrypt$N$r$p$salt$hash` (salt and
 * hash in base64url), so that the cost can be raised later without losing the hashes already made.
 */
export const MIN_PASSWORD_LENGTH = 12;
/** Long enough for any passphrase; bounds the work one request can ask for. */
export const MAX_PASSWORD_LENGTH = 1024;

const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** The most a stored hash may ask for (N = 2^17 at r = 8 is 128 MiB): a tampered row cannot exhaust memory. */
const MAX_COST_BYTES = 128 * 1024 * 1024;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 128 * cost.N * cost.r * cost.p + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** A new hash of `password`, with a salt of its own. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface StoredHash {
  readonly cost: { N: number; r: number; p: number };
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parse(stored: string): StoredHash | null {
  const match = /^scrypt\$(\d{1,9})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{16,})$/.exec(stored);
  if (!match) return null;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || r < 1 || p < 1 || 128 * N * r * p > MAX_COST_BYTES) return null;
  return { cost: { N, r, p }, salt: Buffer.from(match[4], 'base64url'), key: Buffer.from(match[5], 'base64url') };
}

/**
 * Whether `password` matches the stored hash, compared in constant time. A malformed hash matches
 * nothing. The work is the same as for a real match, so `DUMMY_PASSWORD_HASH` stands in for a
 * member without a password (or no member at all) without telling them apart by time.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const hash = parse(stored);
  if (!hash) return false;
  const key = await derive(password, hash.salt, hash.cost);
  return key.length === hash.key.length && timingSafeEqual(key, hash.key);
}

/** A hash no password is known to match, at the cost new hashes are made with: checked when there is nothing to check. */
export const DUMMY_PASSWORD_HASH = [
  'scrypt',
  COST.N,
  COST.r,
  COST.p,
  randomBytes(SALT_BYTES).toString('base64url'),
  randomBytes(KEY_BYTES).toString('base64url'),
].join('$');
