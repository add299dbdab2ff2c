import { describe, expect, it } from 'vitest';
import { TLP_MARKINGS } from '@tlp-broker/stix';
import {
  mispSealedPayloads,
  readOpenedContent,
  stixExternalId,
  stixGroups,
  stixSealedPayloads,
  type Json,
} from './feed-readings';
import { dueEvents } from './misp-feed-poll';
import { objectsUrl } from './taxii-feed-poll';

const ARMORED = '-----BEGIN PGP MESSAGE-----\n\nwV4D…\n-----END PGP MESSAGE-----\n';
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

const indicator = (n: number, modified = '2026-03-01T10:00:00.000Z'): Json => ({
  type: 'indicator',
  id: `indicator--0000000${n}-0000-4000-8000-000000000000`,
  modified,
  created: '2026-03-01T10:00:00.000Z',
});
const report = (refs: string[], modified = '2026-03-01T10:00:00.000Z'): Json => ({
  type: 'report',
  id: 'report--11111111-0000-4000-8000-000000000000',
  created: '2026-03-01T10:00:00.000Z',
  modified,
  object_refs: refs,
});

describe('stixGroups', () => {
  it('takes a report with the objects it refers to, other objects alone, feed descriptions not at all', () => {
    const [one, two, three] = [indicator(1), indicator(2), indicator(3)];
    const groups = stixGroups([
      { type: 'identity', id: 'identity--1' },
      TLP_MARKINGS['TLP:GREEN'],
      { type: 'extension-definition', id: 'extension-definition--1' },
      report([String(one.id), String(two.id), 'indicator--not-in-this-page']),
      one,
      two,
      three,
      'not an object',
    ]);
    expect(groups).toEqual([
      [report([String(one.id), String(two.id), 'indicator--not-in-this-page']), one, two],
      [three],
    ]);
  });

  it('gives an object two reports refer to to each, each report the version of its time, and one copy of a version served twice', () => {
    const old = indicator(1, '2026-03-01T10:00:00.000Z');
    const revised = indicator(1, '2026-03-02T10:00:00.000Z');
    const first = report([String(old.id)], '2026-03-01T10:00:00.000Z');
    const second = report([String(old.id)], '2026-03-02T10:00:00.000Z');
    const groups = stixGroups([first, old, second, { ...old }, revised]);
    expect(groups).toEqual([
      [first, old],
      [second, revised],
    ]);
    expect(groups.map(stixExternalId)).toEqual([
      'report--11111111-0000-4000-8000-000000000000@2026-03-01T10:00:00.000Z',
      'report--11111111-0000-4000-8000-000000000000@2026-03-02T10:00:00.000Z',
    ]);
  });

  it('names an object without a version by its id alone', () => {
    expect(stixExternalId([{ type: 'artifact', id: 'artifact--1' }])).toBe('artifact--1');
    expect(stixExternalId([{ type: 'indicator', id: 'indicator--1', created: '2026-01-01T00:00:00Z' }])).toBe(
      'indicator--1@2026-01-01T00:00:00Z',
    );
  });
});

describe('OpenPGP messages in what a feed serves', () => {
  it('finds armored and typed artifacts, not other payloads', () => {
    const binary = Buffer.from([0xc1, 0x5e, 0x03]);
    const payloads = stixSealedPayloads([
      { type: 'artifact', id: 'artifact--1', payload_bin: base64(ARMORED) },
      {
        type: 'artifact',
        id: 'artifact--2',
        mime_type: 'application/pgp-encrypted',
        payload_bin: binary.toString('base64'),
      },
      { type: 'artifact', id: 'artifact--3', mime_type: 'application/pdf', payload_bin: base64('%PDF-1.7') },
      { type: 'report', id: 'report--1', payload_bin: base64(ARMORED) },
    ]);
    expect(payloads.map((payload) => Buffer.from(payload))).toEqual([Buffer.from(ARMORED), binary]);
  });

  it('finds MISP attachments holding a message, deleted ones left out', () => {
    const payloads = mispSealedPayloads({
      Attribute: [
        { type: 'attachment', value: 'item.json.asc', data: base64(ARMORED) },
        { type: 'attachment', value: 'old.json.asc', data: base64(ARMORED), deleted: true },
        { type: 'attachment', value: 'notes.txt', data: base64('plain notes') },
        { type: 'domain', value: 'evil.example' },
      ],
    });
    expect(payloads).toHaveLength(1);
  });
});

describe('readOpenedContent', () => {
  it('reads a tlp-broker item document by its fields, checking each indicator', () => {
    const reading = readOpenedContent(
      JSON.stringify({
        format: 'tlp-broker/item@1',
        title: 'Botnet controller',
        tlp: 'TLP:GREEN',
        pap: 'PAP:AMBER',
        indicators: [
          { type: 'ipv4', value: '198.51.100.23', description: 'C2' },
          { type: 'ipv4', value: 'not an address' },
          { type: 'weird', value: 'x' },
        ],
        publisher: { name: 'Partner CERT', fingerprint: 'A'.repeat(40) },
      }),
    );
    expect(reading).toEqual({
      tlp: 'TLP:GREEN',
      pap: 'PAP:AMBER',
      title: 'Botnet controller',
      indicators: [{ type: 'ipv4', value: '198.51.100.23' }],
    });
  });

  it('reads a STIX bundle and a MISP event as such, and anything else as text', () => {
    const bundle = readOpenedContent(
      JSON.stringify({
        type: 'bundle',
        id: 'bundle--1',
        objects: [
          {
            type: 'domain-name',
            id: 'domain-name--1',
            value: 'evil.example',
            object_marking_refs: [TLP_MARKINGS['TLP:AMBER'].id],
          },
        ],
      }),
    );
    expect(bundle).toMatchObject({ tlp: 'TLP:AMBER', indicators: [{ type: 'domain', value: 'evil.example' }] });
    const event = readOpenedContent(
      JSON.stringify({ Event: { info: 'Phishing wave', Tag: [{ name: 'tlp:green' }], Attribute: [] } }),
    );
    expect(event).toMatchObject({ tlp: 'TLP:GREEN', title: 'Phishing wave' });
    expect(readOpenedContent('TLP:RED\nSeen contacting hxxp://evil[.]example/x').tlp).toBe('TLP:RED');
  });
});

describe('where a poll asks', () => {
  it('asks a TAXII collection for every version added after the cursor, page after page', () => {
    const collection = 'https://partner.example/taxii2/api/collections/c1/';
    expect(objectsUrl(collection, undefined, null)).toBe(`${collection}objects/?limit=100&match%5Bversion%5D=all`);
    const next = new URL(objectsUrl(collection, '2026-03-01T10:00:00.123456Z', 'abc'));
    expect(Object.fromEntries(next.searchParams)).toEqual({
      added_after: '2026-03-01T10:00:00.123456Z',
      limit: '100',
      'match[version]': 'all',
      next: 'abc',
    });
  });

  it('fetches MISP events newer than the version taken, oldest first, ignoring malformed entries', () => {
    const uuid = (n: number) => `5f0c2a1e-0000-4000-8000-00000000000${n}`;
    const due = dueEvents(
      {
        [uuid(1)]: { timestamp: '1760000300' },
        [uuid(2)]: { timestamp: '1760000100' },
        [uuid(3)]: { timestamp: '1760000200' },
        '../../etc/passwd': { timestamp: '1760000000' },
        [uuid(4)]: { timestamp: 'yesterday' },
      },
      { [uuid(2)]: 1760000100, [uuid(3)]: 1760000000 },
    );
    expect(due).toEqual([
      { uuid: uuid(3), timestamp: 1760000200 },
      { uuid: uuid(1), timestamp: 1760000300 },
    ]);
  });
});
