import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature, webhookSignature } from './webhook-signature';

const SECRET = 'partner-secret-0123456789';
const BODY = '{"item":{"id":"3f2a9c1e","tlp":"TLP:AMBER"},"message":"-----BEGIN PGP MESSAGE-----\\n…"}';

describe('webhookSignature', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body bytes>", in hex after "sha256="', () => {
    const expected = createHmac('sha256', SECRET).update(`1748944800.${BODY}`).digest('hex');
    expect(webhookSignature(SECRET, '1748944800', BODY)).toBe(`sha256=${expected}`);
    expect(webhookSignature(SECRET, '1748944800', Buffer.from(BODY))).toBe(`sha256=${expected}`);
  });

  it('changes with the secret, the timestamp and every byte of the body', () => {
    const base = webhookSignature(SECRET, '1748944800', BODY);
    expect(webhookSignature(`${SECRET}x`, '1748944800', BODY)).not.toBe(base);
    expect(webhookSignature(SECRET, '1748944801', BODY)).not.toBe(base);
    expect(webhookSignature(SECRET, '1748944800', `${BODY} `)).not.toBe(base);
  });
});

describe('verifyWebhookSignature', () => {
  const signature = webhookSignature(SECRET, '1748944800', BODY);
  const check = { secret: SECRET, timestamp: '1748944800', signature, body: BODY, nowSeconds: 1748944800 + 60 };

  it('accepts the signature the broker made', () => {
    expect(verifyWebhookSignature(check)).toEqual({ ok: true });
  });

  it.each([
    ['missing', { signature: undefined }],
    ['missing', { timestamp: undefined }],
    ['malformed', { signature: 'sha1=abc' }],
    ['malformed', { timestamp: '2025-06-03' }],
    ['stale', { nowSeconds: 1748944800 + 301 }],
    ['stale', { nowSeconds: 1748944800 - 301 }],
    ['mismatch', { body: `${BODY}\n` }],
    ['mismatch', { secret: 'another-secret-0123456789' }],
    ['mismatch', { timestamp: '1748944801' }],
  ] as const)('refuses as %s', (reason, change) => {
    expect(verifyWebhookSignature({ ...check, ...change })).toEqual({ ok: false, reason });
  });

  it('takes its replay window from the caller', () => {
    expect(verifyWebhookSignature({ ...check, nowSeconds: 1748944800 + 3600, toleranceSeconds: 7200 })).toEqual({
      ok: true,
    });
  });
});
