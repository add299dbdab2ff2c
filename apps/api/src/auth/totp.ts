import { Secret, TOTP } from 'otpauth';

/**
 * Time-based one-time passwords (RFC 6238) as every authenticator app reads them: SHA-1, 6 digits,
 * 30-second steps. A code is accepted for the current step or the one before or after (clocks
 * drift), and only for a step later than the last one accepted for the member: a code seen once,
 * over a shoulder or in a proxy's log, is worth nothing afterwards.
 */
export const TOTP_ISSUER = 'tlp-broker';
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** Steps either side of the current one a code may belong to. */
const WINDOW = 1;
/** 160 bits, the size RFC 4226 recommends for SHA-1. */
const SECRET_BYTES = 20;

/** A new secret, in base32 (what authenticator apps are given). */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The `otpauth://` URI an authenticator app reads (from a QR code) to hold `secret` for the member `name`. */
export function totpUri(secret: string, name: string): string {
  const label = `${encodeURIComponent(TOTP_ISSUER)}:${encodeURIComponent(name)}`;
  return `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(TOTP_ISSUER)}&algorithm=SHA1&digits=${DIGITS}&period=${PERIOD_SECONDS}`;
}

function totp(secret: string): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
  });
}

/** The time step `at` falls in. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / PERIOD_SECONDS);
}

/**
 * The time step whose code `code` is, if it is the code of the step at `now` or of one step either
 * side, and that step is later than `lastStep` (the last one accepted for the member); else null.
 * Blanks inside the code ("123 456", as some apps show it) are ignored.
 */
export function acceptedTotpStep(secret: string, code: string, lastStep: number | null, now: Date): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d+$/.test(token) || token.length !== DIGITS) return null;
  const delta = totp(secret).validate({ token, timestamp: now.getTime(), window: WINDOW });
  if (delta === null) return null;
  const step = totpStep(now) + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}
