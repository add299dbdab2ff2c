import { describe, expect, it } from 'vitest';
import { bySoonestExpiry, daysLeft, groupFingerprint, keyHealth, needsRenewal } from './key-health';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const inDays = (days: number) => new Date(NOW + days * 86_400_000).toISOString();

describe('daysLeft', () => {
  it('counts whole days until expiry, negative once expired, null without expiry', () => {
    expect(daysLeft(inDays(10), NOW)).toBe(10);
    expect(daysLeft(inDays(10.9), NOW)).toBe(10);
    expect(daysLeft(inDays(0.5), NOW)).toBe(0);
    expect(daysLeft(inDays(-0.5), NOW)).toBe(-1);
    expect(daysLeft(null, NOW)).toBeNull();
    expect(daysLeft(new Date(NOW + 3 * 86_400_000), NOW)).toBe(3);
  });
});

describe('keyHealth', () => {
  it('flags a key expiring within 30 days, with the days left', () => {
    expect(keyHealth({ expiresAt: inDays(10), revokedAt: null }, NOW)).toEqual({ state: 'expiring', daysLeft: 10 });
    expect(keyHealth({ expiresAt: inDays(29.9), revokedAt: null }, NOW)).toEqual({ state: 'expiring', daysLeft: 29 });
    expect(keyHealth({ expiresAt: inDays(0.2), revokedAt: null }, NOW)).toEqual({ state: 'expiring', daysLeft: 0 });
  });

  it('leaves a key with 30 days or more, or no expiry, unflagged', () => {
    const valid = keyHealth({ expiresAt: inDays(30), revokedAt: null }, NOW);
    expect(valid).toEqual({ state: 'valid', daysLeft: 30 });
    expect(needsRenewal(valid)).toBe(false);
    const forever = keyHealth({ expiresAt: null, revokedAt: null }, NOW);
    expect(forever).toEqual({ state: 'no-expiry' });
    expect(needsRenewal(forever)).toBe(false);
  });

  it('says expired from the moment of expiry, and revoked before anything else', () => {
    expect(keyHealth({ expiresAt: inDays(0), revokedAt: null }, NOW)).toEqual({ state: 'expired' });
    expect(keyHealth({ expiresAt: inDays(-400), revokedAt: null }, NOW)).toEqual({ state: 'expired' });
    expect(keyHealth({ expiresAt: inDays(300), revokedAt: inDays(-1) }, NOW)).toEqual({ state: 'revoked' });
    expect(keyHealth({ expiresAt: null, revokedAt: inDays(-1) }, NOW)).toEqual({ state: 'revoked' });
    expect(needsRenewal({ state: 'expired' })).toBe(true);
    expect(needsRenewal({ state: 'revoked' })).toBe(true);
    expect(needsRenewal({ state: 'expiring', daysLeft: 3 })).toBe(true);
  });
});

describe('bySoonestExpiry', () => {
  it('puts the soonest expiry first and keys that never expire last, keeping the order of equals', () => {
    const keys = [
      { id: 'never', expiresAt: null, revokedAt: null },
      { id: 'late', expiresAt: inDays(200), revokedAt: null },
      { id: 'expired', expiresAt: inDays(-3), revokedAt: null },
      { id: 'soon-a', expiresAt: inDays(10), revokedAt: null },
      { id: 'soon-b', expiresAt: inDays(10), revokedAt: null },
    ];
    expect(bySoonestExpiry(keys).map((key) => key.id)).toEqual(['expired', 'soon-a', 'soon-b', 'late', 'never']);
    expect(keys[0].id).toBe('never');
  });
});

describe('groupFingerprint', () => {
  it('writes a fingerprint in upper-case groups of four', () => {
    expect(groupFingerprint('8d2a41c2b7e09f3a5c4d1e2f3a4b5c6d7e8f9a0b')).toBe(
      '8D2A 41C2 B7E0 9F3A 5C4D 1E2F 3A4B 5C6D 7E8F 9A0B',
    );
  });

  it('regroups a fingerprint typed with other spacing, and keeps a short tail', () => {
    expect(groupFingerprint('8D 2A:41 C2\n B7')).toBe('8D2A 41C2 B7');
    expect(groupFingerprint('')).toBe('');
  });
});
