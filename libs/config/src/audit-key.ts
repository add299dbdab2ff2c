import { hkdfSync, scryptSync } from 'node:crypto';

/**
 * The key that authenticates each audit event (an HMAC over the event's hash). It never sits in
 * PostgreSQL, so whoever administers the database can delete or rewrite rows but cannot make
 * rows that pass as the broker's own.
 *
 * - `AUDIT_KEY` (32+ characters of a random secret): expanded with HKDF-SHA256.
 * - Otherwise derived from `TEAM_KEY_PASSPHRASE` with scrypt, not HKDF: every event's MAC is a
 *   known-plaintext test of a guessed passphrase, so a fast derivation would let a database
 *   administrator search the passphrase — which also unlocks the team key stored in PostgreSQL —
 *   at HMAC speed. scrypt makes each guess cost about as much as unlocking the key itself.
 *
 * The key must not change once events carry MACs: events authenticated with one key do not
 * verify with another.
 */
export type AuditKeySource = 'AUDIT_KEY' | 'TEAM_KEY_PASSPHRASE';

export interface AuditKey {
  readonly key: Buffer;
  readonly source: AuditKeySource;
}

const HKDF_SALT = 'tlp-broker audit events';
const HKDF_INFO = 'audit-event mac v1';
const SCRYPT_SALT = 'tlp-broker audit-event mac v1';
/** 2^15 × 8 × 128 bytes = 32 MiB and about 0.1 s per derivation. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/** Derivations are slow on purpose: each process (and each test's settings) derives a given secret once. */
const derived = new Map<string, Buffer>();

export function deriveAuditKey(auditKey: string | undefined, passphrase: string): AuditKey {
  const source: AuditKeySource = auditKey ? 'AUDIT_KEY' : 'TEAM_KEY_PASSPHRASE';
  const secret = auditKey ?? passphrase;
  const cacheKey = `${source}\0${secret}`;
  let key = derived.get(cacheKey);
  if (!key) {
    key = auditKey
      ? Buffer.from(hkdfSync('sha256', Buffer.from(auditKey, 'utf8'), HKDF_SALT, HKDF_INFO, 32))
      : scryptSync(Buffer.from(passphrase, 'utf8'), SCRYPT_SALT, 32, SCRYPT);
    if (derived.size >= 16) derived.clear();
    derived.set(cacheKey, key);
  }
  return { key, source };
}
