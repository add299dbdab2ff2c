import { Logger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { FixedWindowLimiter } from '@tlp-broker/queue';
import { PartnerRateLimit } from './partner-rate-limit';

const config = { partnerRateLimit: { limit: 25, windowMs: 60_000 } };

function rateLimit(hit: () => Promise<{ count: number; limited: boolean; retryAfterMs: number }>) {
  const windows = { hit: vi.fn(hit) };
  return { windows, limit: new PartnerRateLimit(config as never, windows as unknown as FixedWindowLimiter) };
}

describe('PartnerRateLimit', () => {
  it('counts each request against the credential in the configured window', async () => {
    const { windows, limit } = rateLimit(async () => ({ count: 25, limited: false, retryAfterMs: 30_000 }));
    expect(await limit.take('key-1', 1_000)).toBeNull();
    expect(windows.hit).toHaveBeenCalledWith('api-rate:key-1', 25, 60_000, 1_000);
  });

  it('refuses a request over the limit with whole seconds to wait and the limit in words', async () => {
    const { limit } = rateLimit(async () => ({ count: 26, limited: true, retryAfterMs: 12_300 }));
    expect(await limit.take('key-1')).toEqual({
      retryAfter: 13,
      message: 'at most 25 requests per 60 s for this credential; retry in 13 s',
    });
  });

  it('lets the request through, with a warning, when Redis cannot be reached', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { limit } = rateLimit(async () => Promise.reject(new Error('connect ECONNREFUSED')));
    expect(await limit.take('key-1')).toBeNull();
    expect(warn).toHaveBeenCalledWith('partner rate limit not applied (Redis: connect ECONNREFUSED)');
    warn.mockRestore();
  });
});
