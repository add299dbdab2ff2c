import type { Response } from 'express';
import { Page, TAXII_MEDIA_TYPE } from './taxii.types';

/** A 200 (or `status`) in exactly TAXII's media type (Express's send would add a charset parameter). */
export function sendTaxii(response: Response, body: unknown, status = 200): void {
  response.status(status).setHeader('Content-Type', TAXII_MEDIA_TYPE);
  response.end(JSON.stringify(body));
}

/** A TAXII envelope (`more`, `next`, the page's items under `shape`'s key) with the page's date_added range in headers. */
export function sendTaxiiPage<T>(
  response: Response,
  page: Page<T>,
  shape: (items: T[]) => Record<string, unknown>,
): void {
  if (page.first) response.setHeader('X-TAXII-Date-Added-First', page.first);
  if (page.last) response.setHeader('X-TAXII-Date-Added-Last', page.last);
  sendTaxii(response, {
    more: page.more,
    ...(page.next ? { next: page.next } : {}),
    ...(page.items.length > 0 ? shape(page.items) : {}),
  });
}
