/**
 * Why a delivery attempt failed, in the words a delivery worker acts on:
 * - `invalid-input`: what we were asked to send cannot go out safely (a header field with a line
 *   break, an address that is not one, a TLP:AMBER body that is not encrypted). Fix the data.
 * - `refused-target`: the webhook address is not one the broker may call (plain http, or a
 *   private, loopback or link-local address that is not allow-listed). Fix the channel.
 * - `rejected`: the peer refused for good (SMTP 5xx, an unknown recipient, HTTP 4xx, a redirect).
 * - `deferred`: the peer asked to come back later (SMTP 4xx, HTTP 5xx, 408, 429).
 * - `timeout`, `network`: nothing decisive was heard (refused or reset connection, DNS, TLS).
 * - `configuration`: the broker's own settings fail (SMTP login, required TLS not offered).
 *   Temporary, so that queued deliveries survive until an administrator fixes it.
 */
export type ChannelErrorCode =
  'invalid-input' | 'refused-target' | 'rejected' | 'deferred' | 'timeout' | 'network' | 'configuration';

export type ChannelKind = 'email' | 'webhook';

const PERMANENT: Readonly<Record<ChannelErrorCode, boolean>> = {
  'invalid-input': true,
  'refused-target': true,
  rejected: true,
  deferred: false,
  timeout: false,
  network: false,
  configuration: false,
};

export interface ChannelErrorDetails {
  /** The input field at fault, for `invalid-input`. */
  readonly field?: string;
  /** SMTP reply code or HTTP status, when the peer answered. */
  readonly status?: number;
  /** From an HTTP `Retry-After` header: how long the peer asked us to wait. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/**
 * A failed delivery attempt. `permanent` says whether the same attempt can ever succeed: a worker
 * retries a temporary failure with back-off (no sooner than `retryAfterMs` when set) and marks a
 * permanent one failed at once (BullMQ `UnrecoverableError`). The message names the channel, the
 * peer's host and what it answered, never a secret, a URL path or query, or item content.
 */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  readonly permanent: boolean;
  readonly field?: string;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(
    readonly channel: ChannelKind,
    readonly code: ChannelErrorCode,
    message: string,
    details: ChannelErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.permanent = PERMANENT[code];
    if (details.field !== undefined) this.field = details.field;
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/** Printable ASCII only, at most `max` characters: for quoting a peer's answer in a message. */
export function quotePeer(text: string, max = 200): string {
  const flat = text.replace(/[^\x21-\x7e]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
