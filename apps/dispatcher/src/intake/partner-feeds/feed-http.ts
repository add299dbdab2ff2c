import * as http from 'node:http';
import * as https from 'node:https';
import {
  AllowList,
  checkWebhookAddress,
  classifyAddress,
  literalFamily,
  pinnedLookup,
  type ResolvedAddress,
  systemCode,
  systemResolve,
  withinDeadline,
} from '@tlp-broker/channels';

export interface FeedHttpSettings {
  /** WEBHOOK_ALLOW_LIST: hosts, addresses and blocks that may be called although private, and over plain http. */
  readonly allowList: readonly string[];
  /** For the whole request: resolving, connecting and reading the answer. */
  readonly timeoutMs: number;
  /** The most bytes one answer may have. */
  readonly maxBytes: number;
  readonly userAgent: string;
  /** All addresses of a host name; the system resolver when not set. */
  readonly resolve?: (hostname: string) => Promise<readonly ResolvedAddress[]>;
}

export interface FeedRequest {
  readonly url: string;
  readonly accept: string;
  /** Sent as the Authorization header when set. */
  readonly authorization: string | null;
}

export interface FeedAnswer {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

/**
 * A request to a partner's feed that failed. The message names the host and what happened, never
 * the URL's path or query, the credential or the answer's content: it becomes the feed's last
 * error, which administrators read.
 */
export class FeedError extends Error {
  override readonly name = 'FeedError';
}

interface Target {
  readonly url: URL;
  readonly hostname: string;
  readonly label: string;
  readonly hostAllowed: boolean;
}

/**
 * GETs JSON from a partner's feed under the webhook address policy, checked again before every
 * request: https unless the host is allow-listed, no credentials in the URL, every address the
 * host resolves to public unless allowed; the connection then goes to exactly the vetted
 * addresses (no second lookup a changed DNS answer could redirect). Redirects are not followed,
 * and an answer is read no further than `maxBytes` nor longer than `timeoutMs`.
 */
export class FeedHttp {
  private readonly allowList: AllowList;
  private readonly resolve: (hostname: string) => Promise<readonly ResolvedAddress[]>;

  constructor(private readonly settings: FeedHttpSettings) {
    this.allowList = new AllowList(settings.allowList);
    this.resolve = settings.resolve ?? systemResolve;
  }

  async getJson(request: FeedRequest): Promise<FeedAnswer> {
    const target = this.target(request.url);
    const deadline = Date.now() + this.settings.timeoutMs;
    const addresses = await this.vetted(target);
    const text = await this.get(target, addresses, request, Math.max(1, deadline - Date.now()));
    try {
      return { headers: text.headers, body: JSON.parse(text.body) as unknown };
    } catch {
      throw new FeedError(`${target.label} answered something that is not JSON`);
    }
  }

  private target(text: string): Target {
    const check = checkWebhookAddress(text, this.allowList);
    if (!check.ok)
      throw new FeedError(`refused to call ${safeHost(text)}: ${check.reason.replace(/webhook/g, 'feed')}`);
    const url = new URL(check.url);
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    return { url, hostname, label: url.host, hostAllowed: this.allowList.allowsHost(hostname) };
  }

  /** Every address must be public, or allowed: one private answer among public ones is enough to refuse. */
  private async vetted(target: Target): Promise<readonly ResolvedAddress[]> {
    const family = literalFamily(target.hostname);
    const addresses = family
      ? [{ address: target.hostname, family }]
      : await withinDeadline(
          this.resolve(target.hostname),
          this.settings.timeoutMs,
          () => new FeedError(`${target.label}: the name did not resolve within ${this.settings.timeoutMs} ms`),
        ).catch((error: unknown) => {
          throw error instanceof FeedError ? error : new FeedError(`${target.label}: the name does not resolve`);
        });
    if (addresses.length === 0) throw new FeedError(`${target.label}: the name has no address`);
    for (const { address } of addresses) {
      let cls: string;
      try {
        cls = classifyAddress(address);
      } catch {
        throw new FeedError(`${target.label}: the name resolved to something that is not an IP address`);
      }
      if (cls !== 'public' && !target.hostAllowed && !this.allowList.allowsAddress(address))
        throw new FeedError(`refused to call ${target.label}: ${address} is ${cls} and not in WEBHOOK_ALLOW_LIST`);
    }
    return addresses;
  }

  private get(
    target: Target,
    addresses: readonly ResolvedAddress[],
    request: FeedRequest,
    timeoutMs: number,
  ): Promise<{ headers: http.IncomingHttpHeaders; body: string }> {
    const secure = target.url.protocol === 'https:';
    const options: https.RequestOptions = {
      method: 'GET',
      hostname: target.hostname,
      port: target.url.port === '' ? undefined : Number(target.url.port),
      path: `${target.url.pathname}${target.url.search}`,
      headers: {
        Accept: request.accept,
        'User-Agent': this.settings.userAgent,
        ...(request.authorization ? { Authorization: request.authorization } : {}),
      },
      // A connection of its own: no socket kept alive to a host vetted for another request.
      agent: false,
      lookup: pinnedLookup(addresses),
      ...(secure ? { minVersion: 'TLSv1.2' as const } : {}),
    };
    return new Promise((resolve, reject) => {
      const fail = (error: FeedError) => {
        clearTimeout(timer);
        reject(error);
        outgoing.destroy();
      };
      const timer = setTimeout(
        () => fail(new FeedError(`${target.label} did not answer within ${this.settings.timeoutMs} ms`)),
        timeoutMs,
      );
      const outgoing = (secure ? https : http).request(options, (response) => {
        const refusal = statusRefusal(response.statusCode ?? 0, target.label);
        if (refusal) return fail(refusal);
        if (Number(response.headers['content-length'] ?? 0) > this.settings.maxBytes)
          return fail(this.tooLarge(target));
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.settings.maxBytes) fail(this.tooLarge(target));
          else chunks.push(chunk);
        });
        response.on('error', () => fail(new FeedError(`${target.label}: the answer was cut off`)));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      outgoing.on('error', (error) => fail(networkFailure(target, error)));
      outgoing.end();
    });
  }

  private tooLarge(target: Target): FeedError {
    return new FeedError(
      `${target.label}: the answer is larger than ${this.settings.maxBytes} bytes (PARTNER_FEED_MAX_BYTES)`,
    );
  }
}

/** Why an HTTP status is not an answer to read, in words an administrator acts on; null for 2xx. */
function statusRefusal(status: number, label: string): FeedError | null {
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400)
    return new FeedError(`${label} answered HTTP ${status}, a redirect, which is not followed`);
  if (status === 401 || status === 403)
    return new FeedError(`${label} refused access (HTTP ${status}): check the feed's authorization`);
  if (status === 404) return new FeedError(`${label} answered HTTP 404: check the feed's URL`);
  return new FeedError(`${label} answered HTTP ${status}`);
}

function networkFailure(target: Target, error: unknown): FeedError {
  const code = systemCode(error);
  const tls = code !== undefined && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME/.test(code);
  return new FeedError(`${target.label}: ${tls ? 'TLS' : 'connection'} failed (${code ?? 'no answer'})`);
}

function safeHost(text: string): string {
  try {
    return new URL(text).host;
  } catch {
    return 'the feed';
  }
}
