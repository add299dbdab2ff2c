/** What the partner screens read of a key: when it expires, and whether it was revoked. */
export interface KeyDates {
  readonly expiresAt: string | Date | null;
  readonly revokedAt: string | Date | null;
}

export const DAY_MS = 86_400_000;

/** Keys expiring within this many days are flagged for renewal. */
export const RENEWAL_WARNING_DAYS = 30;

/**
 * A key's state for the renewal report: revoked (whatever its expiry), expired, expiring within
 * {@link RENEWAL_WARNING_DAYS} days (to renew now), valid, or valid with no expiry.
 */
export type KeyHealth =
  | { readonly state: 'revoked' }
  | { readonly state: 'expired' }
  | { readonly state: 'expiring'; readonly daysLeft: number }
  | { readonly state: 'valid'; readonly daysLeft: number }
  | { readonly state: 'no-expiry' };

/** Whole days from `now` until `expiresAt` (negative once expired), null when the key does not expire. */
export function daysLeft(expiresAt: string | Date | null, now: number): number | null {
  if (expiresAt === null) return null;
  const at = new Date(expiresAt).getTime();
  if (Number.isNaN(at)) return null;
  return Math.floor((at - now) / DAY_MS);
}

export function keyHealth(key: KeyDates, now: number): KeyHealth {
  if (key.revokedAt !== null) return { state: 'revoked' };
  const days = daysLeft(key.expiresAt, now);
  if (days === null) return { state: 'no-expiry' };
  if (new Date(key.expiresAt!).getTime() <= now) return { state: 'expired' };
  return days < RENEWAL_WARNING_DAYS ? { state: 'expiring', daysLeft: days } : { state: 'valid', daysLeft: days };
}

/** Whether the key needs an administrator's attention: revoked, expired, or expiring soon. */
export function needsRenewal(health: KeyHealth): boolean {
  return health.state === 'revoked' || health.state === 'expired' || health.state === 'expiring';
}

/** Keys in renewal order: soonest expiry first, keys that never expire last; equal expiries keep their order. */
export function bySoonestExpiry<T extends KeyDates>(keys: readonly T[]): T[] {
  const at = (key: T) => (key.expiresAt === null ? Infinity : new Date(key.expiresAt).getTime());
  return keys
    .map((key, index) => ({ key, index }))
    .sort((a, b) => at(a.key) - at(b.key) || a.index - b.index)
    .map(({ key }) => key);
}

/**
 * A fingerprint as people read it out and compare it over the phone: upper-case hexadecimal in
 * groups of four ("8D2A 41C2 …"), whatever spacing it came with.
 */
export function groupFingerprint(fingerprint: string): string {
  const compact = fingerprint.replace(/[\s:]+/g, '').toUpperCase();
  return compact.match(/.{1,4}/g)?.join(' ') ?? '';
}
