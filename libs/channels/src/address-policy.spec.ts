import { describe, expect, it } from 'vitest';
import { AddressClass, AllowList, classifyAddress, hostName } from './address-policy';

describe('classifyAddress', () => {
  const table: [string, AddressClass][] = [
    // IPv4 ranges named in the issue, at both ends.
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.20', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.3', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    // Just outside them.
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['100.63.255.255', 'public'],
    ['100.128.0.0', 'public'],
    ['11.0.0.1', 'public'],
    ['192.169.0.1', 'public'],
    ['169.253.255.255', 'public'],
    ['8.8.8.8', 'public'],
    ['223.255.255.255', 'public'],
    // IPv6.
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
    ['100::1', 'reserved'],
    ['::5', 'reserved'],
    ['4000::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4007:80e::200e', 'public'],
    ['[2606:4700:4700::1111]', 'public'],
    // IPv4 inside IPv6: mapped (both notations), NAT64, 6to4, IPv4-compatible.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::FFFF:10.1.2.3', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['0:0:0:0:0:ffff:c0a8:0101', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::808:808', 'public'],
    ['2002:7f00:0001::1', 'loopback'],
    ['2002:c0a8:0101::', 'private'],
    ['2002:0808:0808::1', 'public'],
    ['::127.0.0.1', 'reserved'],
  ];
  it.each(table)('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each(['localhost', '10.0.0', '1.2.3.256', '::ffff::1', 'fe80::1::2', '', '127.0.0.1/8'])(
    'refuses %j as not an address',
    (text) => {
      expect(() => classifyAddress(text)).toThrow(TypeError);
    },
  );
});

describe('AllowList', () => {
  it('allows names, addresses and blocks, each for what it says', () => {
    const list = new AllowList(['hooks.SOC.internal.', '127.0.0.1', '10.20.0.0/16', 'fd00:1::/64', '::1']);
    expect(list.allowsHost('hooks.soc.internal')).toBe(true);
    expect(list.allowsHost('HOOKS.soc.internal.')).toBe(true);
    expect(list.allowsHost('other.soc.internal')).toBe(false);
    expect(list.allowsHost('127.0.0.1')).toBe(true);
    expect(list.allowsHost('127.0.0.2')).toBe(false);
    expect(list.allowsHost('[::1]')).toBe(true);
    expect(list.allowsHost('10.20.255.1')).toBe(true);
    expect(list.allowsAddress('10.21.0.1')).toBe(false);
    expect(list.allowsAddress('fd00:1::abcd')).toBe(true);
    expect(list.allowsAddress('fd00:2::1')).toBe(false);
    // An IPv4 entry covers the same address written IPv4-mapped.
    expect(list.allowsAddress('::ffff:10.20.3.4')).toBe(true);
    expect(list.allowsAddress('::ffff:7f00:1')).toBe(true);
    // A name entry is not an address entry.
    expect(list.allowsAddress('hooks.soc.internal')).toBe(false);
  });

  it('matches international names in their ASCII form', () => {
    const list = new AllowList(['soc.gendarmerie-intérieur.example']);
    expect(list.allowsHost(new URL('https://soc.gendarmerie-intérieur.example/').hostname)).toBe(true);
  });

  it.each([
    '',
    ' ',
    '10.0.0.1/33',
    '10.0.0.0/40',
    '10.1.2.3/8',
    'fd00::1/8',
    'not a host',
    'http://x.example',
    '10.1',
    'x/8',
  ])('refuses the entry %j at construction', (entry) => {
    expect(() => new AllowList([entry])).toThrow(TypeError);
  });

  it('allows nothing when empty', () => {
    const list = new AllowList([]);
    expect(list.allowsHost('localhost')).toBe(false);
    expect(list.allowsAddress('127.0.0.1')).toBe(false);
  });
});

describe('hostName', () => {
  it('lower-cases and drops the trailing dot', () => {
    expect(hostName('Partner.Example.')).toBe('partner.example');
  });
  it('refuses hosts a URL parser would read as a number', () => {
    expect(hostName('10.1')).toBeUndefined();
    expect(hostName('x.0x7f')).toBeUndefined();
  });
});
