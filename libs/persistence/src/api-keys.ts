import { createHash, randomBytes } from 'node:crypto';

/**
 * Bearer credentials: `tlpb_<kind>_<43 url-safe base64 characters>` (256 random bits). Only the
 * SHA-256 of the whole key is stored; with that much entropy a slow hash adds nothing.
 */
export type CredentialKind = 'staff' | 'partner';

export function newApiKey(kind: CredentialKind): { key: string; hash: string; prefix: string } {
  const key = `tlpb_${kind === 'staff' ? 's' : 'p'}_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 12) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
