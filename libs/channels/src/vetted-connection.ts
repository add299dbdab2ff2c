import { promises as dns } from 'node:dns';
import type { LookupFunction } from 'node:net';

/**
 * What every outgoing HTTP call to a partner's address (webhooks, partners' feeds) shares: the
 * name is resolved once, each address vetted, and the connection made to exactly those addresses,
 * so that a name answering differently a moment later cannot steer the call elsewhere.
 */

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** 4 or 6 for an IP address written as the host, undefined for a name. */
export function literalFamily(host: string): 4 | 6 | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return 4;
  return host.includes(':') ? 6 : undefined;
}

/** Every address of the name, from the system resolver. */
export async function systemResolve(hostname: string): Promise<readonly ResolvedAddress[]> {
  const answers = await dns.lookup(hostname, { all: true, verbatim: true });
  return answers.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
}

/** Answers every lookup of the connection with the vetted addresses: the name is not resolved again. */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted =
      options.family === 4 || options.family === 'IPv4'
        ? 4
        : options.family === 6 || options.family === 'IPv6'
          ? 6
          : undefined;
    const usable = addresses.filter((a) => wanted === undefined || a.family === wanted);
    if (usable.length === 0) {
      callback(
        Object.assign(new Error('no vetted address of the requested family'), { code: 'ENOTFOUND' }),
        '',
        undefined,
      );
      return;
    }
    if (options.all)
      callback(
        null,
        usable.map((a) => ({ address: a.address, family: a.family })),
      );
    else callback(null, usable[0].address, usable[0].family);
  };
}

/** Name resolution counts against the call's time limit too (a lookup itself cannot be cancelled). */
export async function withinDeadline<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A system error's code (`ECONNREFUSED`, `CERT_HAS_EXPIRED`…), when it looks like one. */
export function systemCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? code : undefined;
}
