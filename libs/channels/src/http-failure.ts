import { ChannelError } from './channel-error';

/**
 * What an HTTP status means for a webhook delivery: 2xx delivered; a redirect is not followed
 * (the partner registered this address, and following it could lead anywhere) and is permanent;
 * 408 and 429 are temporary, as is every 5xx; any other 4xx is permanent. A status outside
 * 200–599 is read as a broken peer, temporary.
 */
export function httpStatusFailure(
  status: number,
  host: string,
  retryAfter: string | undefined,
  nowMs: number,
): ChannelError | undefined {
  if (status >= 200 && status < 300) return undefined;
  const answered = `webhook ${host} answered HTTP ${status}`;
  if (status >= 300 && status < 400)
    return new ChannelError('webhook', 'rejected', `${answered}, a redirect, which is not followed`, { status });
  const retryAfterMs = parseRetryAfter(retryAfter, nowMs);
  const details = retryAfterMs === undefined ? { status } : { status, retryAfterMs };
  if (status === 408 || status === 429 || status >= 500)
    return new ChannelError('webhook', 'deferred', answered, details);
  if (status >= 400 && status < 500) return new ChannelError('webhook', 'rejected', answered, { status });
  return new ChannelError('webhook', 'deferred', `${answered}, which is not a valid status`, { status });
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) in milliseconds from `nowMs`: delay-seconds or an HTTP-date,
 * never negative; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // IMF-fixdate and the obsolete forms Date.parse reads; a bare number of another shape is not a date.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
