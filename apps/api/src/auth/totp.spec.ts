import { URI } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { totpCode } from '@tlp-broker/harness';
import { acceptedTotpStep, newTotpSecret, totpStep, totpUri } from './totp';

/** RFC 6238's SHA-1 test secret, "12345678901234567890", in base32. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const at = (seconds: number) => new Date(seconds * 1000);

describe('TOTP codes', () => {
  it("are RFC 6238's: the last six digits of the test vectors", () => {
    expect(totpCode(RFC_SECRET, 59_000)).toBe('287082');
    expect(totpCode(RFC_SECRET, 1_111_111_109_000)).toBe('081804');
    expect(totpCode(RFC_SECRET, 2_000_000_000_000)).toBe('279037');
    expect(acceptedTotpStep(RFC_SECRET, '287082', null, at(59))).toBe(1);
    expect(acceptedTotpStep(RFC_SECRET, '081804', null, at(1_111_111_109))).toBe(totpStep(at(1_111_111_109)));
  });

  it('accept the code of the current step and of one step either side, and no further', () => {
    const now = at(1_800_000_015);
    const step = totpStep(now);
    const codeOf = (offset: number) => totpCode(RFC_SECRET, (step + offset) * 30_000);
    expect(acceptedTotpStep(RFC_SECRET, codeOf(0), null, now)).toBe(step);
    expect(acceptedTotpStep(RFC_SECRET, codeOf(-1), null, now)).toBe(step - 1);
    expect(acceptedTotpStep(RFC_SECRET, codeOf(1), null, now)).toBe(step + 1);
    expect(acceptedTotpStep(RFC_SECRET, codeOf(-2), null, now)).toBeNull();
    expect(acceptedTotpStep(RFC_SECRET, codeOf(2), null, now)).toBeNull();
  });

  it('refuse a code of a step already used, or of a step before the last one used', () => {
    const now = at(1_800_000_015);
    const step = totpStep(now);
    const code = totpCode(RFC_SECRET, now.getTime());
    expect(acceptedTotpStep(RFC_SECRET, code, step - 1, now)).toBe(step);
    expect(acceptedTotpStep(RFC_SECRET, code, step, now)).toBeNull();
    // A later step's code was used (the authenticator's clock runs ahead): the current one is refused too.
    expect(acceptedTotpStep(RFC_SECRET, code, step + 1, now)).toBeNull();
    expect(acceptedTotpStep(RFC_SECRET, totpCode(RFC_SECRET, now.getTime() + 30_000), step, now)).toBe(step + 1);
  });

  it('refuse anything but six digits, and read blanks inside a code as nothing', () => {
    const now = at(1_800_000_015);
    const code = totpCode(RFC_SECRET, now.getTime());
    expect(acceptedTotpStep(RFC_SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, null, now)).toBe(totpStep(now));
    for (const wrong of ['', '12345', '1234567', 'abcdef', `${code}0`, `0${code.slice(1)}x`])
      expect(acceptedTotpStep(RFC_SECRET, wrong, null, now)).toBeNull();
  });

  it('use new 160-bit secrets, handed to authenticator apps as an otpauth:// URI they read back', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = totpUri(secret, 'alice');
    expect(uri).toMatch(new RegExp(`^otpauth://totp/tlp-broker:alice\\?secret=${secret}&issuer=tlp-broker&`));
    const read = URI.parse(uri);
    expect(read).toMatchObject({ issuer: 'tlp-broker', label: 'alice', algorithm: 'SHA1', digits: 6, period: 30 });
    expect(read.secret.base32).toBe(secret);
    expect(URI.parse(totpUri(secret, 'jean dupont')).label).toBe('jean dupont');
  });
});
