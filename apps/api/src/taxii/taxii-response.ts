import type { Response } from 'express';
import type { FeedResponse } from '../feeds/feed-responses';
import { Page, TAXII_MEDIA_TYPE } from '@tlp-broker/stix';

/** A 200 (or `status`) in exactly TAXII's media type (Express's send would add a charset parameter). */
export function sendTaxii(response: Response, body: unknown, status = 200): void {
  response.status(status).setHeader('Content-Type', TAXII_MEDIA_TYPE);
  response.end(JSON.stringify(body));
}

/** A TAXII envelope (`more`, `next`, the page's items under `shape`'s key) with the page's date_added range in headers. */
export function taxiiPage<T>(page: Page<T>, shape: (items: T[]) => Record<string, unknown>): FeedResponse {
  const headers: Record<string, string> = { 'Content-Type': TAXII_MEDIA_TYPE };
  if (page.first) headers['X-TAXII-Date-Added-First'] = page.first;
  if (page.last) headers['X-TAXII-Date-Added-Last'] = page.last;
  const body = {
    more: page.more,
    ...(page.next ? { next: page.next } : {}),
    ...(page.items.length > 0 ? shape(page.items) : {}),
  };
  return { body: Buffer.from(JSON.stringify(body)), headers };
}

/** A 200 answer made before (a TAXII page), as it was made. */
export function sendAnswer(response: Response, answer: FeedResponse): void {
  response.status(200);
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
  response.end(answer.body);
}
