import { describe, expect, it } from 'vitest';
import { bearerTokenMatches } from './metrics-token';

const TOKEN = 'c0ffee'.repeat(8);

describe('bearerTokenMatches', () => {
  it('admits exactly `Bearer <token>` (the scheme in any case)', () => {
    expect(bearerTokenMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerTokenMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['another token', `Bearer ${'0'.repeat(48)}`],
    ['the token with one more character', `Bearer ${TOKEN}x`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, 20)}`],
    ['another scheme', `Basic ${TOKEN}`],
    ['the bare token', TOKEN],
    ['two words', `Bearer ${TOKEN} more`],
  ])('refuses %s', (_what, header) => {
    expect(bearerTokenMatches(header, TOKEN)).toBe(false);
  });
});
