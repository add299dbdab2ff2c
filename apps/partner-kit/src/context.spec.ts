import { describe, expect, it } from 'vitest';
import { keyExpiryWarning } from './context';
import type { PartnerKey } from './opener';

const expiring = (expiresAt: Date | null) =>
  ({ fingerprint: 'ABCD', expiresAt: async () => expiresAt }) as unknown as PartnerKey;
const now = new Date('2026-12-01T00:00:00Z');
const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000);

describe("the warning about the partner's own key", () => {
  it('says nothing of a key that does not expire or expires in more than 30 days', async () => {
    expect(await keyExpiryWarning(expiring(null), now)).toBeNull();
    expect(await keyExpiryWarning(expiring(inDays(31)), now)).toBeNull();
  });

  it('warns within 30 days, with the date and what to do, and says when it has expired', async () => {
    expect(await keyExpiryWarning(expiring(inDays(12)), now)).toBe(
      'the partner key ABCD expires on 2026-12-13 (in 12 days): extend it and send the updated public key to the team',
    );
    expect(await keyExpiryWarning(expiring(inDays(-2)), now)).toBe(
      'the partner key ABCD expired on 2026-11-29: nothing more can be sent to it',
    );
  });
});
