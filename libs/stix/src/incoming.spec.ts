import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INDICATOR_TYPES } from '@tlp-broker/domain';
import { TLP_LABELS, TlpLabel, tlpRank } from '@tlp-broker/tlp';
import { mispAttributeType, stixPattern } from './indicators';
import { readMispEvent, readStixObjects } from './incoming';
import { PAP_MARKINGS, TLP_MARKINGS } from './markings';

const SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
const TLP1_RED = 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed';
const TLP1_WHITE = 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9';
const tlp2 = (label: TlpLabel) => TLP_MARKINGS[label].id;

let serial = 0;
function indicator(pattern: string, markings: string[] = [], extra: object = {}) {
  serial += 1;
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    pattern,
    pattern_type: 'stix',
    ...(markings.length > 0 ? { object_marking_refs: markings } : {}),
    ...extra,
  };
}

describe('readStixObjects: labels', () => {
  it.each<[string[], TlpLabel]>([
    [[tlp2('TLP:GREEN')], 'TLP:GREEN'],
    [[tlp2('TLP:AMBER+STRICT')], 'TLP:AMBER+STRICT'],
    [[TLP1_WHITE], 'TLP:CLEAR'],
    [[TLP1_RED], 'TLP:RED'],
    [[tlp2('TLP:CLEAR'), 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82'], 'TLP:AMBER'],
  ])('reads the marking refs %j as %s', (refs, label) => {
    expect(readStixObjects([indicator("[ipv4-addr:value = '198.51.100.1']", refs)]).tlp).toBe(label);
  });

  it('takes the most restrictive marking of all objects, and lists the unmarked ones', () => {
    const green = indicator("[domain-name:value = 'a.example']", [tlp2('TLP:GREEN')]);
    const red = indicator("[domain-name:value = 'b.example']", [TLP1_RED]);
    const bare = indicator("[domain-name:value = 'c.example']");
    const reading = readStixObjects([green, red, bare, TLP_MARKINGS['TLP:GREEN']]);
    expect(reading.tlp).toBe('TLP:RED');
    expect(reading.unmarked).toEqual([bare.id]);
  });

  it('counts a TLP marking on some properties (granular markings)', () => {
    const object = indicator("[url:value = 'http://a.example/']", [], {
      granular_markings: [{ selectors: ['description'], marking_ref: tlp2('TLP:AMBER') }],
    });
    expect(readStixObjects([object])).toMatchObject({ tlp: 'TLP:AMBER', unmarked: [] });
  });

  it("gives unmarked objects the bundle's label when there is one", () => {
    const marked = indicator("[domain-name:value = 'a.example']", [tlp2('TLP:CLEAR')]);
    const bare = indicator("[domain-name:value = 'c.example']");
    expect(readStixObjects([marked, bare], 'TLP:AMBER').tlp).toBe('TLP:AMBER');
    expect(readStixObjects([marked], 'TLP:AMBER').tlp).toBe('TLP:CLEAR');
    expect(readStixObjects([bare]).tlp).toBeNull();
  });

  it('reads marking definitions carried in the bundle: official examples, TLP 1.0 and statements', () => {
    const folder = resolve(
      __dirname,
      '../../../test/fixtures/cti-stix-common-objects/extension-definition-specifications',
    );
    const amber = JSON.parse(readFileSync(`${folder}/tlp-2.0/examples/tlp-amber.json`, 'utf8')).objects[0];
    const custom = (id: string, extra: object) => ({ type: 'marking-definition', spec_version: '2.1', id, ...extra });
    const objects = [
      amber,
      custom('marking-definition--00000000-0000-4000-8000-000000000001', {
        definition_type: 'tlp',
        definition: { tlp: 'green' },
      }),
      custom('marking-definition--00000000-0000-4000-8000-000000000002', {
        definition_type: 'statement',
        definition: { statement: 'Shared under TLP:RED, PAP:AMBER' },
      }),
      custom('marking-definition--00000000-0000-4000-8000-000000000003', { name: 'Copyright ACME' }),
    ];
    const read = (ref: string) => readStixObjects([...objects, indicator("[url:value = 'http://x.example/']", [ref])]);
    expect(read(amber.id).tlp).toBe('TLP:AMBER');
    expect(read(objects[1].id).tlp).toBe('TLP:GREEN');
    expect(read(objects[2].id)).toMatchObject({ tlp: 'TLP:RED', pap: 'PAP:AMBER' });
    expect(read(objects[3].id)).toMatchObject({ tlp: null, unmarked: [expect.stringMatching(/^indicator--/)] });
  });

  it('does not let a bundle redefine a well-known marking id', () => {
    const forged = { ...TLP_MARKINGS['TLP:RED'], name: 'TLP:CLEAR', extensions: {} };
    const object = indicator("[url:value = 'http://x.example/']", [tlp2('TLP:RED')]);
    expect(readStixObjects([forged, object]).tlp).toBe('TLP:RED');
  });

  it('reads PAP markings, PAP:WHITE as PAP:CLEAR', () => {
    const white = 'marking-definition--a3bea94c-b469-41dc-9cfe-d6e7daba7730';
    const refs = (pap: string) => [indicator("[url:value = 'http://x.example/']", [tlp2('TLP:GREEN'), pap])];
    expect(readStixObjects(refs(PAP_MARKINGS['PAP:AMBER'].id)).pap).toBe('PAP:AMBER');
    expect(readStixObjects(refs(white)).pap).toBe('PAP:CLEAR');
    expect(readStixObjects([...refs(white), ...refs(PAP_MARKINGS['PAP:RED'].id)]).pap).toBe('PAP:RED');
  });

  it('is the most restrictive label, whatever the order of the objects', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TLP_LABELS), { minLength: 1, maxLength: 8 }), (labels) => {
        const objects = labels.map((label) => indicator("[ipv4-addr:value = '192.0.2.1']", [tlp2(label)]));
        const strictest = labels.reduce((a, b) => (tlpRank(b) > tlpRank(a) ? b : a));
        expect(readStixObjects(objects).tlp).toBe(strictest);
      }),
    );
  });
});

describe('readStixObjects: indicators and title', () => {
  it('reads simple comparison patterns, OR-joined or not, and leaves other operators out', () => {
    const objects = [
      indicator(`[ipv4-addr:value = '198.51.100.1'] OR [ipv6-addr:value = '2001:DB8::1']`),
      indicator(`[file:hashes.'SHA-256' = '${SHA256.toUpperCase()}' OR file:hashes.MD5 = '${MD5}']`),
      indicator(`[file:hashes.'SHA-1'='${SHA1}']`),
      indicator(`[domain-name:value = 'Evil.Example'] AND [url:value = 'http://evil.example/it\\'s']`),
      indicator(`[email-addr:value = 'ops@evil.example']`),
      indicator(`[domain-name:value != 'good.example'] OR [url:value LIKE 'http://%']`),
      indicator(`[ipv4-addr:value = 'not-an-address']`),
      indicator(`[process:name = 'evil.exe']`),
      indicator('alert tcp any any -> 198.51.100.9 any', [], { pattern_type: 'snort' }),
    ];
    expect(readStixObjects(objects).indicators).toEqual([
      { type: 'ipv4', value: '198.51.100.1' },
      { type: 'ipv6', value: '2001:db8::1' },
      { type: 'sha256', value: SHA256 },
      { type: 'md5', value: MD5 },
      { type: 'sha1', value: SHA1 },
      { type: 'domain', value: 'evil.example' },
      { type: 'url', value: "http://evil.example/it's" },
      { type: 'email', value: 'ops@evil.example' },
    ]);
  });

  it('reads back every pattern the broker writes', () => {
    const samples = {
      ipv4: '192.0.2.7',
      ipv6: '2001:db8::7',
      domain: 'evil.example',
      url: "http://evil.example/a'b\\c",
      email: 'ops@evil.example',
      md5: MD5,
      sha1: SHA1,
      sha256: SHA256,
    } as const;
    for (const type of INDICATOR_TYPES) {
      const pattern = stixPattern({ type, value: samples[type] });
      expect(readStixObjects([indicator(pattern)]).indicators).toEqual([{ type, value: samples[type] }]);
    }
  });

  it('reads observed objects (SCOs) and lists each value once', () => {
    const objects = [
      { type: 'ipv4-addr', id: 'ipv4-addr--1', value: '203.0.113.9' },
      { type: 'ipv4-addr', id: 'ipv4-addr--2', value: '203.0.113.0/24' },
      { type: 'domain-name', id: 'domain-name--1', value: 'c2.example' },
      { type: 'url', id: 'url--1', value: 'https://c2.example/gate' },
      { type: 'email-addr', id: 'email-addr--1', value: 'x@c2.example' },
      { type: 'file', id: 'file--1', hashes: { 'SHA-256': SHA256, MD5, SSDEEP: '3:a:b' } },
      indicator("[ipv4-addr:value = '203.0.113.9']"),
    ];
    expect(readStixObjects(objects).indicators).toEqual([
      { type: 'ipv4', value: '203.0.113.9' },
      { type: 'domain', value: 'c2.example' },
      { type: 'url', value: 'https://c2.example/gate' },
      { type: 'email', value: 'x@c2.example' },
      { type: 'sha256', value: SHA256 },
      { type: 'md5', value: MD5 },
    ]);
  });

  it("takes the first report's name as title, else the first named object that is not the producer", () => {
    const identity = { type: 'identity', id: 'identity--1', name: 'CERT Example' };
    const malware = { type: 'malware', id: 'malware--1', name: '  Emotet  ' };
    const report = { type: 'report', id: 'report--1', name: 'Phishing wave', object_refs: [] };
    expect(readStixObjects([identity, malware, report]).title).toBe('Phishing wave');
    expect(readStixObjects([identity, malware]).title).toBe('Emotet');
    expect(readStixObjects([identity, TLP_MARKINGS['TLP:RED']]).title).toBeNull();
    expect(readStixObjects([{ type: 'report', name: 'x'.repeat(5000) }]).title).toHaveLength(300);
  });

  it('never throws on hostile input', () => {
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 20 }), (objects) => {
        const reading = readStixObjects(objects);
        expect(Array.isArray(reading.unmarked)).toBe(true);
      }),
    );
    const inherited = [
      { type: 'constructor', id: 'x--1', value: '192.0.2.1' },
      { type: '__proto__', id: 'x--2', value: '192.0.2.1' },
      indicator("[constructor:value = '192.0.2.1'] OR [tostring:value = '192.0.2.1']"),
    ];
    expect(readStixObjects(inherited).indicators).toEqual([]);
    expect(readStixObjects(null as unknown as unknown[])).toEqual({
      tlp: null,
      pap: null,
      unmarked: [],
      indicators: [],
      title: null,
    });
  });

  it('reads a pattern crafted to make a regular expression backtrack in bounded time', () => {
    const pattern = `[ipv4-addr:value = '${"\\'".repeat(30_000)}${'a'.repeat(30_000)}`;
    const started = Date.now();
    readStixObjects([indicator(pattern), indicator(`[${'a-'.repeat(40_000)}:value = 'x'`)]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('bounds the number of indicators', () => {
    const objects = Array.from({ length: 1500 }, (_, index) => ({
      type: 'ipv4-addr',
      id: `ipv4-addr--${index}`,
      value: `10.0.${Math.floor(index / 256)}.${index % 256}`,
    }));
    expect(readStixObjects(objects).indicators).toHaveLength(1000);
  });
});

describe('readMispEvent', () => {
  const event = {
    Event: {
      uuid: '5a4f0f2e-0000-4000-8000-000000000001',
      info: ' Ransomware campaign against municipalities ',
      Tag: [{ name: 'tlp:green' }, { name: 'PAP:GREEN' }, { name: 'misp-galaxy:ransomware="LockBit"' }],
      Attribute: [
        { type: 'ip-dst', value: '198.51.100.23' },
        { type: 'ip-src|port', value: '2001:db8::23|443' },
        { type: 'domain|ip', value: 'Leak.Example|203.0.113.5' },
        { type: 'url', value: 'https://leak.example/x', Tag: [{ name: 'tlp:amber' }] },
        { type: 'link', value: 'https://blog.vendor.example/lockbit' },
        { type: 'filename|sha256', value: `locker.exe|${SHA256}` },
        { type: 'email-src', value: 'ransom@leak.example' },
        { type: 'comment', value: 'seen 2026-01-01' },
        { type: 'md5', value: MD5, deleted: true },
      ],
      Object: [
        {
          name: 'file',
          Attribute: [
            { type: 'sha1', value: SHA1 },
            { type: 'filename', value: 'locker.exe' },
          ],
        },
        { name: 'domain-ip', deleted: true, Attribute: [{ type: 'domain', value: 'gone.example' }] },
      ],
    },
  };

  it('reads labels, indicators and title', () => {
    expect(readMispEvent(event)).toEqual({
      tlp: 'TLP:AMBER',
      pap: 'PAP:GREEN',
      title: 'Ransomware campaign against municipalities',
      indicators: [
        { type: 'ipv4', value: '198.51.100.23' },
        { type: 'ipv6', value: '2001:db8::23' },
        { type: 'domain', value: 'leak.example' },
        { type: 'ipv4', value: '203.0.113.5' },
        { type: 'url', value: 'https://leak.example/x' },
        { type: 'sha256', value: SHA256 },
        { type: 'email', value: 'ransom@leak.example' },
        { type: 'sha1', value: SHA1 },
      ],
    });
  });

  it('accepts the event without its wrapper, and tags as the MISP API links them', () => {
    const inner = { info: 'x', EventTag: [{ Tag: { name: 'tlp:white' } }, { Tag: { name: 'PAP:WHITE' } }] };
    expect(readMispEvent(inner)).toMatchObject({ tlp: 'TLP:CLEAR', pap: 'PAP:CLEAR', title: 'x' });
  });

  it.each<[string[], TlpLabel | null]>([
    [['tlp:amber+strict', 'tlp:green'], 'TLP:AMBER+STRICT'],
    [['tlp:clear', 'TLP:RED'], 'TLP:RED'],
    [['tlp:ex:chr'], null],
    [['red', 'amber'], null],
  ])('reads the tags %j as %s', (names, label) => {
    expect(readMispEvent({ Tag: names.map((name) => ({ name })) }).tlp).toBe(label);
  });

  it('reads back every attribute type the broker writes', () => {
    const samples = {
      ipv4: '192.0.2.7',
      ipv6: '2001:db8::7',
      domain: 'a.example',
      url: 'http://a.example/',
      email: 'a@b.example',
      md5: MD5,
      sha1: SHA1,
      sha256: SHA256,
    } as const;
    for (const type of INDICATOR_TYPES) {
      const attribute = { type: mispAttributeType(type).type, value: samples[type] };
      expect(readMispEvent({ Attribute: [attribute] }).indicators).toEqual([{ type, value: samples[type] }]);
    }
  });

  it('never throws on hostile input', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        expect(readMispEvent(input).indicators).toBeInstanceOf(Array);
        expect(readMispEvent({ Event: input }).indicators).toBeInstanceOf(Array);
        expect(readMispEvent({ Attribute: [input], Tag: [input], Object: [{ Attribute: [input] }] })).toBeTruthy();
      }),
    );
    const inherited = ['constructor', '__proto__', 'toString'].map((type) => ({ type, value: '192.0.2.1' }));
    expect(readMispEvent({ Attribute: inherited }).indicators).toEqual([]);
    expect(readMispEvent('nonsense')).toEqual({ tlp: null, pap: null, indicators: [], title: null });
  });
});
