import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a webhook delivery proves it comes from the broker and is not a replay. Partners check:
 *
 *   X-TLPB-Timestamp: 1748944800                      (Unix seconds when the attempt was made)
 *   X-TLPB-Signature: sha256=<hex>                    (HMAC-SHA256 with the partner's secret over
 *                                                     the ASCII timestamp, a ".", then the exact
 *                                                     body bytes, as received, before any JSON parsing)
 *
 * then refuse a timestamp too far from their own clock (five minutes is usual) and deduplicate on
 * `Idempotency-Key`, which stays the same on every retry of a delivery. The body's armored
 * OpenPGP message is signed by the team's key as well: the HMAC authenticates the transport, the
 * OpenPGP signature the content.
 */
export const SIGNATURE_HEADER = 'X-TLPB-Signature';
export const TIMESTAMP_HEADER = 'X-TLPB-Timestamp';
export const DELIVERY_HEADER = 'X-TLPB-Delivery';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** `sha256=<hex>` over `${timestamp}.${body}`. */
export function webhookSignature(secret: string, timestamp: string, body: Uint8Array | string): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`, 'utf8');
  hmac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return `sha256=${hmac.digest('hex')}`;
}

export interface SignatureCheck {
  readonly secret: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly body: Uint8Array | string;
  /** Seconds since the epoch, the receiver's clock. */
  readonly nowSeconds: number;
  /** How far the timestamp may be from `nowSeconds`; 300 s when not set. */
  readonly toleranceSeconds?: number;
}

export type SignatureVerdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/** What a partner runs on receipt (and the broker's tests do): constant-time, with a replay window. */
export function verifyWebhookSignature(check: SignatureCheck): SignatureVerdict {
  if (check.timestamp === undefined || check.signature === undefined) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(check.timestamp) || !/^sha256=[0-9a-f]{64}$/.test(check.signature))
    return { ok: false, reason: 'malformed' };
  if (Math.abs(check.nowSeconds - Number(check.timestamp)) > (check.toleranceSeconds ?? 300))
    return { ok: false, reason: 'stale' };
  const expected = Buffer.from(webhookSignature(check.secret, check.timestamp, check.body));
  const given = Buffer.from(check.signature);
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? { ok: true }
    : { ok: false, reason: 'mismatch' };
}
