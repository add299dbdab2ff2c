import { Secret, TOTP } from 'otpauth';

/**
 * The code an authenticator app shows for `secret` (base32) at `at` (milliseconds since the epoch;
 * now by default): what a team member types at sign-in, as RFC 6238 with the broker's parameters
 * (SHA-1, 6 digits, 30-second steps) computes it.
 */
export function totpCode(secret: string, at: number = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: at,
  });
}
