import { describe, expect, it } from 'vitest';
import { httpStatusFailure, parseRetryAfter } from './http-failure';

const NOW = Date.parse('2025-06-03T10:00:00Z');

describe('httpStatusFailure', () => {
  it.each([200, 201, 202, 204, 299])('%i is delivered', (status) => {
    expect(httpStatusFailure(status, 'hooks.partner.example', undefined, NOW)).toBeUndefined();
  });

  it.each([400, 401, 403, 404, 410, 413, 422, 301, 302, 303, 307, 308])('%i is permanent', (status) => {
    expect(httpStatusFailure(status, 'hooks.partner.example', '30', NOW)).toMatchObject({
      channel: 'webhook',
      code: 'rejected',
      permanent: true,
      status,
    });
  });

  it.each([408, 429, 500, 502, 503, 504, 599, 600, 0, 101])('%i is temporary', (status) => {
    expect(httpStatusFailure(status, 'hooks.partner.example', undefined, NOW)).toMatchObject({
      code: 'deferred',
      permanent: false,
      status,
    });
  });

  it('carries Retry-After on a temporary failure', () => {
    expect(httpStatusFailure(429, 'h.example', '120', NOW)?.retryAfterMs).toBe(120_000);
    expect(httpStatusFailure(503, 'h.example', 'Tue, 03 Jun 2025 10:01:30 GMT', NOW)?.retryAfterMs).toBe(90_000);
    expect(httpStatusFailure(500, 'h.example', undefined, NOW)?.retryAfterMs).toBeUndefined();
  });

  it('names the host and the status, and says a redirect is not followed', () => {
    expect(httpStatusFailure(302, 'hooks.partner.example:8443', undefined, NOW)?.message).toBe(
      'webhook hooks.partner.example:8443 answered HTTP 302, a redirect, which is not followed',
    );
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    [' 15 ', 15_000],
    ['Tue, 03 Jun 2025 10:00:05 GMT', 5_000],
    ['Tue, 03 Jun 2025 09:00:00 GMT', 0],
    ['Tuesday, 03-Jun-25 10:00:10 GMT', 10_000],
    [undefined, undefined],
    ['', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
  ] as const)('%j is %j ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
