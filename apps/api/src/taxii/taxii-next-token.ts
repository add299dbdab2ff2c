import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { invalidQueryParameter } from './taxii-query';

/** The MAC's length in bytes: 22 base64url characters. */
const MAC_BYTES = 16;

/**
 * `next` tokens: where a page of a collection ended (the date_added of its last object, in
 * microseconds), MACed together with the collection it was handed out for. A token is opaque to
 * clients; one that was altered, forged, or handed out for another collection is refused with a
 * 400 before anything is read. It names a place in the collection, never what is read: every read
 * stays within the requesting credential's own channel whatever the token says.
 *
 * The key is derived from the audit key (HKDF, an info of its own), so every API process behind a
 * load balancer, and the same process after a restart, takes back the tokens another handed out.
 */
@Injectable()
export class TaxiiNextTokens {
  private readonly key: Buffer;

  constructor(@InjectConfig() config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.audit.key, 'tlp-broker taxii paging', 'next token v1', 32));
  }

  /** The token continuing after the object added at `dateAddedUs` in the collection `collectionId`. */
  seal(collectionId: string, dateAddedUs: number): string {
    const payload = Buffer.from(String(dateAddedUs)).toString('base64url');
    return `${payload}.${this.mac(collectionId, payload).toString('base64url')}`;
  }

  /** Where a token handed out for `collectionId` continues (microseconds); undefined without one; a 400 TAXII error for anything else. */
  open(collectionId: string, token: string | undefined): number | undefined {
    if (token === undefined) return undefined;
    const [payload, mac, extra] = token.split('.');
    const given = Buffer.from(mac ?? '', 'base64url');
    const expected = this.mac(collectionId, payload);
    const authentic = extra === undefined && given.length === MAC_BYTES && timingSafeEqual(given, expected);
    const text = authentic ? Buffer.from(payload, 'base64url').toString() : '';
    const dateAdded = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
    if (!(dateAdded <= Number.MAX_SAFE_INTEGER))
      throw invalidQueryParameter('next', 'use the value of `next` from the previous page');
    return dateAdded;
  }

  private mac(collectionId: string, payload: string): Buffer {
    return createHmac('sha256', this.key)
      .update(`taxii-next\0${collectionId}\0${payload}`)
      .digest()
      .subarray(0, MAC_BYTES);
  }
}
