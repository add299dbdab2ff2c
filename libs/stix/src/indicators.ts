import { isIPv4, isIPv6 } from 'node:net';

import type { Indicator, IndicatorType } from '@tlp-broker/domain';

/** How each indicator type is checked and written canonically, and maps to STIX patterns and MISP attributes. */

const HEX_LENGTH: Partial<Record<IndicatorType, number>> = { md5: 32, sha1: 40, sha256: 64 };
// A DNS name: labels of letters, digits and hyphens (IDNs in their xn-- form), at least two labels.
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const EMAIL = /^[^\s@"<>()[\],;:\\]{1,64}@([^\s@]+)$/;

/** Checks an indicator's value for its type and returns it in its canonical spelling. */
export function checkIndicator(
  type: IndicatorType,
  raw: string,
): { ok: true; value: string } | { ok: false; error: string } {
  const value = raw.trim();
  if (value === '') return { ok: false, error: 'an indicator needs a value' };
  switch (type) {
    case 'ipv4':
      return isIPv4(value) ? { ok: true, value } : { ok: false, error: `"${value}" is not an IPv4 address` };
    case 'ipv6':
      return isIPv6(value)
        ? { ok: true, value: value.toLowerCase() }
        : { ok: false, error: `"${value}" is not an IPv6 address` };
    case 'domain': {
      const domain = value.toLowerCase().replace(/\.$/, '');
      return DOMAIN.test(domain)
        ? { ok: true, value: domain }
        : { ok: false, error: `"${value}" is not a domain name (use the xn-- form for international names)` };
    }
    case 'url': {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return { ok: false, error: `"${value}" is not a URL` };
      }
      return ['http:', 'https:', 'ftp:'].includes(url.protocol)
        ? { ok: true, value }
        : { ok: false, error: `"${value}" is not an http, https or ftp URL` };
    }
    case 'email': {
      const match = EMAIL.exec(value);
      return match && DOMAIN.test(match[1].toLowerCase())
        ? { ok: true, value }
        : { ok: false, error: `"${value}" is not an e-mail address` };
    }
    default: {
      const length = HEX_LENGTH[type]!;
      const hex = value.toLowerCase();
      return new RegExp(`^[0-9a-f]{${length}}$`).test(hex)
        ? { ok: true, value: hex }
        : { ok: false, error: `a ${type} hash is ${length} hexadecimal digits` };
    }
  }
}

/** A STIX patterning string literal: backslashes and quotes escaped. */
function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The STIX 2.1 pattern that matches the indicator. */
export function stixPattern(indicator: Indicator): string {
  const v = literal(indicator.value);
  switch (indicator.type) {
    case 'ipv4':
      return `[ipv4-addr:value = ${v}]`;
    case 'ipv6':
      return `[ipv6-addr:value = ${v}]`;
    case 'domain':
      return `[domain-name:value = ${v}]`;
    case 'url':
      return `[url:value = ${v}]`;
    case 'email':
      return `[email-addr:value = ${v}]`;
    case 'md5':
      return `[file:hashes.MD5 = ${v}]`;
    case 'sha1':
      return `[file:hashes.'SHA-1' = ${v}]`;
    case 'sha256':
      return `[file:hashes.'SHA-256' = ${v}]`;
  }
}

/** The MISP attribute type and category of the indicator. */
export function mispAttributeType(type: IndicatorType): { type: string; category: string } {
  switch (type) {
    case 'ipv4':
    case 'ipv6':
      return { type: 'ip-dst', category: 'Network activity' };
    case 'domain':
      return { type: 'domain', category: 'Network activity' };
    case 'url':
      return { type: 'url', category: 'Network activity' };
    case 'email':
      return { type: 'email-src', category: 'Payload delivery' };
    case 'md5':
    case 'sha1':
    case 'sha256':
      return { type, category: 'Payload delivery' };
  }
}
