import { describe, expect, it } from 'vitest';
import type { IndicatorType } from '@tlp-broker/domain';
import { checkIndicator } from './indicators';

describe('checkIndicator', () => {
  const ok: [IndicatorType, string, string][] = [
    ['ipv4', ' 198.51.100.23 ', '198.51.100.23'],
    ['ipv6', '2001:DB8::1', '2001:db8::1'],
    ['domain', 'Evil-Domain.EXAMPLE.', 'evil-domain.example'],
    ['domain', 'xn--gendarmerie-m9a.example', 'xn--gendarmerie-m9a.example'],
    ['url', 'https://evil.example/a?b=c', 'https://evil.example/a?b=c'],
    ['email', 'phisher@evil.example', 'phisher@evil.example'],
    ['md5', 'D41D8CD98F00B204E9800998ECF8427E', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    [
      'sha256',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ],
  ];
  it.each(ok)('accepts a %s and writes it canonically', (type, raw, value) => {
    expect(checkIndicator(type, raw)).toEqual({ ok: true, value });
  });

  const bad: [IndicatorType, string, RegExp][] = [
    ['ipv4', '256.1.1.1', /not an IPv4 address/],
    ['ipv4', '2001:db8::1', /not an IPv4 address/],
    ['ipv6', '198.51.100.23', /not an IPv6 address/],
    ['domain', 'localhost', /not a domain name/],
    ['domain', 'gendarmerie-é.example', /not a domain name/],
    ['url', 'javascript:alert(1)', /not an http, https or ftp URL/],
    ['url', 'evil.example/path', /not a URL/],
    ['email', 'not an address', /not an e-mail address/],
    ['md5', 'd41d8cd98f00b204', /32 hexadecimal digits/],
    ['sha256', 'zz'.repeat(32), /64 hexadecimal digits/],
    ['sha1', '   ', /needs a value/],
  ];
  it.each(bad)('refuses a %s "%s"', (type, raw, error) => {
    const result = checkIndicator(type, raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});
