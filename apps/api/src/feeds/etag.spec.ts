import { describe, expect, it } from 'vitest';
import { etagOf, matchesEtag } from './etag';

describe('feed ETags', () => {
  it('gives the same page the same strong tag, and a changed page another', () => {
    const page = { entries: [{ id: 'd-1' }], next: null };
    expect(etagOf(page)).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(etagOf({ ...page })).toBe(etagOf(page));
    expect(etagOf({ entries: [{ id: 'd-2' }], next: null })).not.toBe(etagOf(page));
  });

  it('matches If-None-Match naming the tag, weak or among several, and nothing else', () => {
    const etag = etagOf({ entries: [] });
    expect(matchesEtag(etag, etag)).toBe(true);
    expect(matchesEtag(`W/${etag}`, etag)).toBe(true);
    expect(matchesEtag(`"other", ${etag}`, etag)).toBe(true);
    expect(matchesEtag('"other"', etag)).toBe(false);
    expect(matchesEtag(undefined, etag)).toBe(false);
    expect(matchesEtag('', etag)).toBe(false);
  });
});
