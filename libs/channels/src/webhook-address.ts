import { promises as dns } from 'node:dns';
import { AllowList, classifyAddress, hostName, webhookUrlRules } from './address-policy';

/** A webhook address as registered: the normalised URL, or why the dispatcher could never call it. */
export type WebhookAddressCheck =
  { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

export interface WebhookAddressOptions {
  /** All addresses of a host name; the system resolver when not set. */
  readonly resolve?: (hostname: string) => Promise<readonly string[]>;
  /** How long registration waits for a name to resolve before leaving the decision to send time. */
  readonly timeoutMs?: number;
}

const ALLOW_LIST_HINT = 'not in WEBHOOK_ALLOW_LIST';

/**
 * What can be decided about a webhook URL without the network, by the same policy the webhook
 * sender applies at send time: http(s) only, https unless the host is allow-listed, no
 * credentials in the URL, and a literal address (or a `localhost` name, which always means this
 * machine) that is public or allow-listed.
 */
export function checkWebhookAddress(text: string, allowList: AllowList): WebhookAddressCheck {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  const { problem, hostname, hostAllowed } = webhookUrlRules(url, allowList);
  if (problem === 'scheme')
    return { ok: false, reason: `the ${url.protocol.replace(/:$/, '')} scheme is not a webhook: use https` };
  if (problem === 'credentials')
    return { ok: false, reason: 'a webhook URL must not carry credentials (the HMAC secret authenticates the broker)' };
  if (problem === 'plain-http')
    return { ok: false, reason: `a webhook must use https (plain http only to hosts in WEBHOOK_ALLOW_LIST)` };
  if (!hostAllowed) {
    const literal = literalClass(hostname);
    if (literal !== undefined && literal !== 'public')
      return { ok: false, reason: `${hostname} is ${article(literal)} ${literal} address, ${ALLOW_LIST_HINT}` };
    if (literal === undefined) {
      const name = hostName(hostname);
      if (name === undefined) return { ok: false, reason: `${hostname} is not a host name` };
      if ((name === 'localhost' || name.endsWith('.localhost')) && !allowList.allowsAddress('127.0.0.1')) {
        return { ok: false, reason: `${name} always means this machine (loopback), ${ALLOW_LIST_HINT}` };
      }
    }
  }
  return { ok: true, url: url.toString() };
}

/**
 * `checkWebhookAddress`, then, for a host name, its current addresses: a name that resolves to a
 * private, loopback or link-local address that is not allow-listed is refused now rather than on
 * every delivery. A name that does not resolve (yet), or not within `timeoutMs`, is accepted: DNS
 * may be unreachable from here or the record not published yet, and the sender checks every
 * address again before each call, so nothing is ever sent to a refused address.
 */
export async function vetWebhookAddress(
  text: string,
  allowList: AllowList,
  options: WebhookAddressOptions = {},
): Promise<WebhookAddressCheck> {
  const check = checkWebhookAddress(text, allowList);
  if (!check.ok) return check;
  const hostname = new URL(check.url).hostname.replace(/^\[|\]$/g, '');
  if (literalClass(hostname) !== undefined || allowList.allowsHost(hostname)) return check;
  const resolve = options.resolve ?? systemResolve;
  let timer: NodeJS.Timeout | undefined;
  const addresses = await Promise.race([
    resolve(hostname).catch(() => null),
    new Promise<null>((done) => {
      timer = setTimeout(() => done(null), options.timeoutMs ?? 2_000);
    }),
  ]).finally(() => clearTimeout(timer));
  for (const address of addresses ?? []) {
    let cls: string;
    try {
      cls = classifyAddress(address);
    } catch {
      continue;
    }
    if (cls !== 'public' && !allowList.allowsAddress(address))
      return { ok: false, reason: `${hostname} resolves to ${address}, which is ${cls} and ${ALLOW_LIST_HINT}` };
  }
  return check;
}

function article(cls: string): string {
  return cls === 'unspecified' ? 'an' : 'a';
}

function literalClass(hostname: string): string | undefined {
  try {
    return classifyAddress(hostname);
  } catch {
    return undefined;
  }
}

async function systemResolve(hostname: string): Promise<readonly string[]> {
  return (await dns.lookup(hostname, { all: true, verbatim: true })).map(({ address }) => address);
}
