import * as http from 'node:http';
import * as https from 'node:https';
import { AllowList, classifyAddress, webhookUrlRules } from './address-policy';
import { ChannelError } from './channel-error';
import { httpStatusFailure } from './http-failure';
import {
  literalFamily,
  pinnedLookup,
  ResolvedAddress,
  systemCode,
  systemResolve,
  withinDeadline,
} from './vetted-connection';
import {
  DELIVERY_HEADER,
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  webhookSignature,
} from './webhook-signature';

export interface WebhookSettings {
  /** Host names, IP addresses and CIDR blocks that may be called although private or loopback, and over plain http (see AllowList). */
  readonly allowList: readonly string[];
  /** For the whole attempt: resolving, connecting, sending and the answer. */
  readonly timeoutMs: number;
  readonly userAgent: string;
  /** PEM certificates trusted besides the system's, for partners whose certificates a national PKI issues. */
  readonly ca?: string;
  /** All addresses of a host name; `dns.lookup` (the system resolver) when not set. */
  readonly resolve?: (hostname: string) => Promise<readonly ResolvedAddress[]>;
  /** Milliseconds since the epoch, for X-TLPB-Timestamp and Retry-After dates; `Date.now` when not set. */
  readonly now?: () => number;
}

export interface OutgoingWebhook {
  /** The partner's registered address; its path and query are never written into errors or logs here. */
  readonly url: string;
  /** The partner's HMAC secret, at least 16 characters. */
  readonly secret: string;
  readonly deliveryId: string;
  /** The same on every attempt of one delivery, so the partner can drop a duplicate. */
  readonly idempotencyKey: string;
  /** Serialized as JSON: item metadata and the armored OpenPGP message. */
  readonly payload: object;
}

export interface DeliveredWebhook {
  readonly status: number;
}

const HEADER_TOKEN = /^[\x21-\x7e]{1,255}$/;

interface Target {
  readonly url: URL;
  /** The host without IPv6 brackets. */
  readonly hostname: string;
  /** `host[:port]`, the only part of the URL that errors name. */
  readonly label: string;
  /** The URL's host is itself allow-listed (by name, or a literal address in an allowed block). */
  readonly hostAllowed: boolean;
}

/**
 * POSTs a signed, encrypted item to a partner's webhook. Before anything is sent: https unless
 * the host is allow-listed; every address the host resolves to must be public unless allowed
 * (server-side request forgery); the connection then goes to exactly the vetted addresses, with
 * no second lookup a changed DNS answer could redirect, and redirects are never followed.
 */
export class WebhookSender {
  private readonly allowList: AllowList;
  private readonly resolve: (hostname: string) => Promise<readonly ResolvedAddress[]>;
  private readonly now: () => number;

  constructor(private readonly settings: WebhookSettings) {
    if (!(settings.timeoutMs > 0)) throw new Error('webhook settings: timeoutMs must be positive');
    if (typeof settings.userAgent !== 'string' || !/^[\x20-\x7e]{1,200}$/.test(settings.userAgent))
      throw new Error('webhook settings: userAgent must be printable ASCII');
    this.allowList = new AllowList(settings.allowList);
    this.resolve = settings.resolve ?? systemResolve;
    this.now = settings.now ?? Date.now;
  }

  async send(hook: OutgoingWebhook): Promise<DeliveredWebhook> {
    const target = this.target(hook.url);
    if (typeof hook.secret !== 'string' || hook.secret.length < 16)
      throw invalid('secret', 'a secret of at least 16 characters is required');
    if (typeof hook.idempotencyKey !== 'string' || !HEADER_TOKEN.test(hook.idempotencyKey))
      throw invalid('idempotencyKey', 'printable ASCII without spaces, at most 255');
    if (typeof hook.deliveryId !== 'string' || !HEADER_TOKEN.test(hook.deliveryId))
      throw invalid('deliveryId', 'printable ASCII without spaces, at most 255');
    let json: string | undefined;
    try {
      json = JSON.stringify(hook.payload);
    } catch {
      // BigInt or a cycle.
    }
    if (json === undefined || typeof hook.payload !== 'object' || hook.payload === null)
      throw invalid('payload', 'a JSON-serializable object is required');
    const body = Buffer.from(json, 'utf8');
    const timestamp = String(Math.floor(this.now() / 1000));

    const deadline = this.now() + this.settings.timeoutMs;
    const addresses = await withinDeadline(
      this.addressesOf(target),
      this.settings.timeoutMs,
      () =>
        new ChannelError(
          'webhook',
          'timeout',
          `webhook ${target.label}: the name did not resolve within ${this.settings.timeoutMs} ms`,
        ),
    );
    this.vet(target, addresses);
    const headers = {
      'Content-Type': 'application/json',
      'Content-Length': String(body.length),
      'User-Agent': this.settings.userAgent,
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: webhookSignature(hook.secret, timestamp, body),
      [IDEMPOTENCY_HEADER]: hook.idempotencyKey,
      [DELIVERY_HEADER]: hook.deliveryId,
    };
    const answer = await this.post(target, addresses, headers, body, Math.max(1, deadline - this.now()));
    const failure = httpStatusFailure(answer.status, target.label, answer.retryAfter, this.now());
    if (failure) throw failure;
    return { status: answer.status };
  }

  private target(text: string): Target {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw invalid('url', 'not an absolute URL');
    }
    const label = url.host;
    const { problem, hostname, hostAllowed } = webhookUrlRules(url, this.allowList);
    if (problem === 'scheme') throw refused(label, `the ${url.protocol.replace(/:$/, '')} scheme is not a webhook`);
    if (problem === 'credentials')
      throw refused(label, 'credentials in the URL are not sent; use the signature secret');
    if (problem === 'plain-http') throw refused(label, 'plain http is allowed only for allow-listed hosts');
    return { url, hostname, label, hostAllowed };
  }

  private async addressesOf(target: Target): Promise<readonly ResolvedAddress[]> {
    const family = literalFamily(target.hostname);
    if (family !== undefined) return [{ address: target.hostname, family }];
    let addresses: readonly ResolvedAddress[];
    try {
      addresses = await this.resolve(target.hostname);
    } catch (error) {
      throw new ChannelError(
        'webhook',
        'network',
        `webhook ${target.label}: the name does not resolve (${systemCode(error) ?? 'lookup failed'})`,
      );
    }
    if (addresses.length === 0)
      throw new ChannelError('webhook', 'network', `webhook ${target.label}: the name has no address`);
    return addresses;
  }

  /** Every address must be public, or allowed: one private answer among public ones is enough to refuse. */
  private vet(target: Target, addresses: readonly ResolvedAddress[]): void {
    for (const { address } of addresses) {
      let cls: string;
      try {
        cls = classifyAddress(address);
      } catch {
        throw refused(target.label, 'the name resolved to something that is not an IP address');
      }
      if (cls === 'public' || target.hostAllowed || this.allowList.allowsAddress(address)) continue;
      throw refused(
        target.label,
        `${literalFamily(target.hostname) ? 'the address' : `the name resolves to ${address}, which`} is ${cls} and not allow-listed`,
      );
    }
  }

  private post(
    target: Target,
    addresses: readonly ResolvedAddress[],
    headers: http.OutgoingHttpHeaders,
    body: Buffer,
    timeoutMs: number,
  ): Promise<{ status: number; retryAfter?: string }> {
    const https_ = target.url.protocol === 'https:';
    const options: https.RequestOptions = {
      method: 'POST',
      hostname: target.hostname,
      port: target.url.port === '' ? undefined : Number(target.url.port),
      path: `${target.url.pathname}${target.url.search}`,
      headers,
      // A connection of its own: no socket kept alive to a host vetted for another request.
      agent: false,
      lookup: pinnedLookup(addresses),
      ...(https_ ? { minVersion: 'TLSv1.2' as const, ...(this.settings.ca ? { ca: this.settings.ca } : {}) } : {}),
    };
    return new Promise((resolve, reject) => {
      let answer: { status: number; retryAfter?: string } | undefined;
      let settled = false;
      const settle = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // Once the status is in, the answer stands whatever happens to the rest of the body.
        if (answer) resolve(answer);
        else reject(error instanceof ChannelError ? error : networkFailure(target, error));
      };
      const timer = setTimeout(() => {
        const timeout = new ChannelError(
          'webhook',
          'timeout',
          `webhook ${target.label} did not answer within ${this.settings.timeoutMs} ms`,
        );
        settle(timeout);
        request.destroy();
      }, timeoutMs);
      const request = (https_ ? https : http).request(options, (response) => {
        const retryAfter = response.headers['retry-after'];
        answer = { status: response.statusCode ?? 0, ...(retryAfter === undefined ? {} : { retryAfter }) };
        response.on('error', () => settle());
        response.on('end', () => settle());
        response.on('close', () => settle());
        response.resume();
      });
      request.on('error', (error) => settle(error));
      request.end(body);
    });
  }
}

function invalid(field: string, reason: string): ChannelError {
  return new ChannelError('webhook', 'invalid-input', `${field}: ${reason}`, { field });
}

function refused(label: string, reason: string): ChannelError {
  return new ChannelError('webhook', 'refused-target', `webhook ${label} refused: ${reason}`, { field: 'url' });
}

function networkFailure(target: Target, error: unknown): ChannelError {
  const code = systemCode(error);
  const tls = code !== undefined && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME/.test(code);
  return new ChannelError(
    'webhook',
    'network',
    `webhook ${target.label}: ${tls ? 'TLS' : 'connection'} failed (${code ?? 'no answer'})`,
  );
}
