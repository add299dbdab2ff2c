/**
 * The console session cookie, `tlpb_session`: a random 256-bit value (only its SHA-256 is stored),
 * HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure whenever
 * the broker is reached over https (PUBLIC_URL). No Max-Age: it goes when the browser closes, and
 * the session's own time-outs end it sooner on the server.
 */
export const SESSION_COOKIE = 'tlpb_session';

function attributes(secure: boolean): string {
  return `HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that hands the browser a session. */
export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; ${attributes(secure)}`;
}

/** The Set-Cookie value that makes the browser forget its session. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; ${attributes(secure)}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
}

/** The session cookie's value in a Cookie header (the first, if a browser sends two), or null. */
export function sessionCookieValue(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== SESSION_COOKIE) continue;
    const value = part
      .slice(separator + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    return value === '' ? null : value;
  }
  return null;
}
