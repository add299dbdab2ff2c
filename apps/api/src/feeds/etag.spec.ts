import { describe, expect, it } from 'vitest';
import { matchesEtag, pageTag } from './etag';
import type { FeedEntryView, FeedPageView } from './feeds.service';

const entry = (id: string, deliveredAt = '2026-12-01T08:00:00.000001Z') =>
  ({ id, deliveredAt, message: `message of ${id}` }) as FeedEntryView;

describe('feed ETags', () => {
  it('gives the same page the same strong tag, and another page (entries, their times, `next`) another', () => {
    const page: FeedPageView = { entries: [entry('d-1'), entry('d-2')], next: null };
    const tag = pageTag(page);
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(pageTag({ entries: [entry('d-1'), entry('d-2')], next: null })).toBe(tag);
    const others = [
      { entries: [entry('d-1')], next: null },
      { entries: [entry('d-2'), entry('d-1')], next: null },
      { entries: [entry('d-1'), entry('d-2', '2026-12-01T08:00:00.000002Z')], next: null },
      { entries: [entry('d-1'), entry('d-2')], next: '7' },
      { entries: [], next: null },
    ];
    expect(new Set([tag, ...others.map(pageTag)]).size).toBe(others.length + 1);
  });

  it('matches If-None-Match naming the tag, weak or among several, and nothing else', () => {
    const etag = pageTag({ entries: [], next: null });
    expect(matchesEtag(etag, etag)).toBe(true);
    expect(matchesEtag(`W/${etag}`, etag)).toBe(true);
    expect(matchesEtag(`"other", ${etag}`, etag)).toBe(true);
    expect(matchesEtag('"other"', etag)).toBe(false);
    expect(matchesEtag(undefined, etag)).toBe(false);
    expect(matchesEtag('', etag)).toBe(false);
  });
});
