import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, sessionCookie, sessionCookieValue } from './session-cookie';

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Strict, for the whole site, and Secure over https', () => {
    expect(sessionCookie('abc', true)).toBe('tlpb_session=abc; HttpOnly; SameSite=Strict; Path=/; Secure');
    expect(sessionCookie('abc', false)).toBe('tlpb_session=abc; HttpOnly; SameSite=Strict; Path=/');
    expect(clearedSessionCookie(true)).toMatch(
      /^tlpb_session=; HttpOnly; SameSite=Strict; Path=\/; Secure; Max-Age=0;/,
    );
  });

  it('is read from a Cookie header among others; the first one counts, an empty one is none', () => {
    expect(sessionCookieValue('tlpb_session=abc')).toBe('abc');
    expect(sessionCookieValue('theme=dark;tlpb_session=abc ; x=1')).toBe('abc');
    expect(sessionCookieValue('tlpb_session="abc"')).toBe('abc');
    expect(sessionCookieValue('tlpb_session=first; tlpb_session=second')).toBe('first');
    expect(sessionCookieValue('xtlpb_session=abc; tlpb_sessionx=def')).toBeNull();
    expect(sessionCookieValue('tlpb_session=')).toBeNull();
    expect(sessionCookieValue('')).toBeNull();
    expect(sessionCookieValue(undefined)).toBeNull();
  });
});
