import { createHash } from 'node:crypto';
import type { FeedPageView } from './feeds.service';

/**
 * A strong ETag of a page of the JSON feed, computed from what identifies its entries rather than
 * from its bytes: an entry is written once and never changed (it is only ever added to a feed or
 * taken out of it), so its delivery and the microsecond it was added at stand for all of it. The
 * same page gives the same tag; an entry more, fewer or another, or another `next`, another tag.
 * The version prefix changes with the way an entry is shown.
 */
export function pageTag(page: FeedPageView): string {
  const hash = createHash('sha256').update('feed-page v1');
  for (const entry of page.entries) hash.update(`\n${entry.id} ${entry.deliveredAt}`);
  return `"${hash.update(`\n${page.next ?? ''}`).digest('base64url')}"`;
}

/** Whether an If-None-Match header names `etag` (weak or strong, among several). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  return !!ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
