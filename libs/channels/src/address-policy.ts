import { isIP, isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';

/**
 * Where an IP address points, for deciding whether the broker may call it (server-side request
 * forgery). Everything but `public` is refused unless the administrator allow-lists it.
 */
export type AddressClass =
  | 'public'
  | 'private' // 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT), fec0::/10 (old site-local)
  | 'loopback' // 127/8, ::1
  | 'link-local' // 169.254/16, fe80::/10
  | 'unique-local' // fc00::/7
  | 'unspecified' // 0.0.0.0/8, ::
  | 'multicast' // 224/4, ff00::/8
  | 'reserved'; // documentation, benchmarking, 240/4 and broadcast, IETF blocks, IPv6 outside 2000::/3, Teredo

interface Address {
  readonly version: 4 | 6;
  /** 32 bits for IPv4, 128 for IPv6. */
  readonly value: bigint;
}

type Block = readonly [prefix: string, bits: number, cls: AddressClass];

const IPV4_BLOCKS: readonly Block[] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const IPV6_BLOCKS: readonly Block[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b:1::', 48, 'reserved'],
  ['100::', 64, 'reserved'],
  ['2001::', 32, 'reserved'], // Teredo: the IPv4 end inside cannot be vetted
  ['2001:2::', 48, 'reserved'],
  ['2001:db8::', 32, 'reserved'],
  ['3fff::', 20, 'reserved'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'private'],
  ['ff00::', 8, 'multicast'],
];

/** IPv6 ranges whose low bits carry an IPv4 address that is what is really reached. */
const EMBEDDED_IPV4: readonly { prefix: string; bits: number; shift: bigint }[] = [
  { prefix: '::ffff:0:0', bits: 96, shift: 0n }, // IPv4-mapped
  { prefix: '64:ff9b::', bits: 96, shift: 0n }, // NAT64 well-known prefix
  { prefix: '2002::', bits: 16, shift: 80n }, // 6to4
];

/** Class of an IPv4 or IPv6 address in text form (a zone such as `%eth0` is ignored). */
export function classifyAddress(text: string): AddressClass {
  const address = parseAddress(text);
  if (address === undefined) throw new TypeError(`not an IP address: ${JSON.stringify(text)}`);
  return classify(address);
}

export function isPublicAddress(text: string): boolean {
  return classifyAddress(text) === 'public';
}

function classify(address: Address): AddressClass {
  if (address.version === 4) return blockClass(address, IPV4_BLOCKS_PARSED) ?? 'public';
  for (const { range, shift } of EMBEDDED_IPV4_PARSED) {
    if (within(address, range)) return classify({ version: 4, value: (address.value >> shift) & 0xffff_ffffn });
  }
  const cls = blockClass(address, IPV6_BLOCKS_PARSED);
  if (cls !== undefined) return cls;
  // IPv4-compatible (::a.b.c.d, deprecated) and everything else outside global unicast 2000::/3.
  return address.value >> 125n === 1n ? 'public' : 'reserved';
}

interface Range {
  readonly version: 4 | 6;
  readonly network: bigint;
  readonly bits: number;
}

function range(prefix: string, bits: number): Range {
  const address = parseAddress(prefix);
  if (address === undefined) throw new TypeError(`not an IP address: ${prefix}`);
  const width = address.version === 4 ? 32 : 128;
  if (!Number.isInteger(bits) || bits < 0 || bits > width)
    throw new TypeError(`not a prefix length for IPv${address.version}: ${bits}`);
  return { version: address.version, network: address.value >> BigInt(width - bits), bits };
}

function within(address: Address, r: Range): boolean {
  if (address.version !== r.version) return false;
  const width = address.version === 4 ? 32 : 128;
  return address.value >> BigInt(width - r.bits) === r.network;
}

function blockClass(address: Address, blocks: readonly (readonly [Range, AddressClass])[]): AddressClass | undefined {
  return blocks.find(([r]) => within(address, r))?.[1];
}

const IPV4_BLOCKS_PARSED = IPV4_BLOCKS.map(([prefix, bits, cls]) => [range(prefix, bits), cls] as const);
const IPV6_BLOCKS_PARSED = IPV6_BLOCKS.map(([prefix, bits, cls]) => [range(prefix, bits), cls] as const);
const EMBEDDED_IPV4_PARSED = EMBEDDED_IPV4.map(({ prefix, bits, shift }) => ({ range: range(prefix, bits), shift }));

function parseAddress(text: string): Address | undefined {
  if (typeof text !== 'string') return undefined;
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(bare)) return { version: 4, value: ipv4Value(bare) };
  const unzoned = bare.replace(/%[^%]*$/, '');
  if (!isIPv6(unzoned)) return undefined;
  return { version: 6, value: ipv6Value(unzoned) };
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(text: string): bigint {
  let source = text.toLowerCase();
  // A dotted IPv4 tail (::ffff:10.0.0.1) is two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(source)?.[1];
  if (tail !== undefined) {
    const v4 = ipv4Value(tail);
    source = `${source.slice(0, -tail.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, rest] = source.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups =
    rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/**
 * The administrator's exceptions: host names, IP addresses and CIDR blocks that the broker may
 * call although they are private, loopback or link-local, and over plain http.
 * - A host name entry (`hooks.soc.internal`) allows that name, whatever it resolves to.
 * - An address or block (`10.20.0.0/16`, `fd00:1::/64`, `127.0.0.1`) allows a resolved address
 *   inside it, and a URL whose host is such an address literally.
 * Plain http needs the URL's own host to be allowed (by name, or as a literal address): it is
 * decided before any name is resolved.
 */
export class AllowList {
  private readonly names = new Set<string>();
  private readonly ranges: Range[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      if (typeof entry !== 'string' || entry.trim() === '') throw new TypeError('allow-list: an entry is empty');
      const text = entry.trim();
      const cidr = /^(.+)\/(\d{1,3})$/.exec(text);
      const literal = cidr ? cidr[1] : text;
      const address = parseAddress(literal);
      if (address !== undefined) {
        const bits = cidr ? Number(cidr[2]) : address.version === 4 ? 32 : 128;
        const r = range(literal.replace(/^\[|\]$/g, '').replace(/%[^%]*$/, ''), bits);
        // A block must be written at its network address: 10.1.2.3/8 is more likely a typo than meant.
        if (r.network << BigInt((address.version === 4 ? 32 : 128) - bits) !== address.value)
          throw new TypeError(`allow-list: ${text} has host bits set`);
        this.ranges.push(r);
        continue;
      }
      if (cidr || isIP(literal) !== 0) throw new TypeError(`allow-list: not an address or block: ${text}`);
      const name = hostName(text);
      if (name === undefined) throw new TypeError(`allow-list: not a host name, address or CIDR block: ${text}`);
      this.names.add(name);
    }
  }

  /** The URL host (name, or literal address with or without brackets) is itself allow-listed. */
  allowsHost(host: string): boolean {
    const address = parseAddress(host);
    if (address !== undefined) return this.allowsParsed(address);
    const name = hostName(host);
    return name !== undefined && this.names.has(name);
  }

  /** A resolved address lies in an allow-listed address or block. IPv4-mapped IPv6 counts as its IPv4. */
  allowsAddress(text: string): boolean {
    const address = parseAddress(text);
    return address !== undefined && this.allowsParsed(address);
  }

  private allowsParsed(address: Address): boolean {
    const plain = unmapped(address);
    return this.ranges.some((r) => within(plain, r) || within(address, r));
  }
}

function unmapped(address: Address): Address {
  if (address.version === 6 && address.value >> 32n === 0xffffn)
    return { version: 4, value: address.value & 0xffff_ffffn };
  return address;
}

/** Lower-case ASCII (punycode) form without a trailing dot, or undefined when not a host name. */
export function hostName(text: string): string | undefined {
  const ascii = domainToASCII(text.trim().replace(/\.$/, ''));
  if (ascii === '' || ascii.length > 253) return undefined;
  if (!/^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(ascii))
    return undefined;
  // A URL parser reads a host whose last label is a number as an IPv4 address (http://10.1/).
  if (/(?:^|\.)(?:\d+|0x[0-9a-f]*)$/.test(ascii)) return undefined;
  return ascii;
}

/** Why a webhook URL may never be called, whatever its host resolves to. */
export type WebhookUrlProblem = 'scheme' | 'credentials' | 'plain-http';

/**
 * The rules a webhook URL itself must meet, at registration and before every call alike: http(s)
 * only, no credentials in it, https unless its host is allow-listed. `hostname` without brackets.
 */
export function webhookUrlRules(
  url: URL,
  allowList: AllowList,
): { problem: WebhookUrlProblem | null; hostname: string; hostAllowed: boolean } {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const hostAllowed = allowList.allowsHost(hostname);
  let problem: WebhookUrlProblem | null = null;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') problem = 'scheme';
  else if (url.username !== '' || url.password !== '') problem = 'credentials';
  else if (url.protocol === 'http:' && !hostAllowed) problem = 'plain-http';
  return { problem, hostname, hostAllowed };
}
