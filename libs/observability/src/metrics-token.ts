import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an Authorization header says `Bearer <token>`. Both sides are compared as SHA-256
 * digests in constant time, so neither the time taken nor the token's length tells a guesser
 * anything.
 */
export function bearerTokenMatches(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (given === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(token));
}
