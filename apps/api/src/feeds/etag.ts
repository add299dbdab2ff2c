import { createHash } from 'node:crypto';

/** A strong ETag of a JSON answer: the same page gives the same tag, any change another. */
export function etagOf(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url')}"`;
}

/** Whether an If-None-Match header names `etag` (weak or strong, among several). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  return !!ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
