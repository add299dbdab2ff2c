import { describe, expect, it } from 'vitest';
import { PAP_MARKINGS, TLP_MARKINGS } from '@tlp-broker/stix';
import type { TlpLabel } from '@tlp-broker/tlp';
import { readInboxObjects } from './inbox-label';

const TLP1_WHITE = 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9';
const tlp = (label: TlpLabel) => TLP_MARKINGS[label].id;

let serial = 0;
function indicator(value: string, markings: string[] = []) {
  serial += 1;
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--6d1c7a52-93f4-4b0e-8c21-${String(serial).padStart(12, '0')}`,
    created: '2026-03-02T09:15:00.000Z',
    modified: '2026-03-02T09:15:00.000Z',
    pattern: `[domain-name:value = '${value}']`,
    pattern_type: 'stix',
    valid_from: '2026-03-02T09:15:00Z',
    ...(markings.length > 0 ? { object_marking_refs: markings } : {}),
  };
}

describe('readInboxObjects: the label of one post to the inbox', () => {
  it('is the most restrictive TLP marking among the objects; unmarked objects take it', () => {
    const reading = readInboxObjects([
      indicator('a.example', [tlp('TLP:GREEN')]),
      indicator('b.example', [tlp('TLP:RED')]),
      indicator('c.example'),
      TLP_MARKINGS['TLP:RED'],
    ]);
    expect(reading).toMatchObject({ tlp: 'TLP:RED', flags: [] });
    expect(reading.indicators.map((found) => found.value)).toEqual(['a.example', 'b.example', 'c.example']);
  });

  it('reads TLP 1.0 markings in TLP 2.0 spelling, and AMBER+STRICT above AMBER', () => {
    expect(readInboxObjects([indicator('a.example', [TLP1_WHITE])]).tlp).toBe('TLP:CLEAR');
    expect(
      readInboxObjects([indicator('a.example', [tlp('TLP:AMBER')]), indicator('b.example', [tlp('TLP:AMBER+STRICT')])])
        .tlp,
    ).toBe('TLP:AMBER+STRICT');
  });

  it('holds a post with no TLP marking at all as TLP:AMBER, flagged label-assumed', () => {
    const reading = readInboxObjects([indicator('a.example'), indicator('b.example')]);
    expect(reading).toMatchObject({ tlp: 'TLP:AMBER', pap: null, flags: ['label-assumed'] });
    expect(reading.title).toBe('2 STIX objects posted to the TAXII inbox');
  });

  it('reads PAP with no default, and titles the post after its report', () => {
    const marked = indicator('a.example', [tlp('TLP:GREEN'), PAP_MARKINGS['PAP:AMBER'].id]);
    const report = {
      type: 'report',
      spec_version: '2.1',
      id: 'report--0a7f3c1e-58b2-4d6a-9e43-2b8c1f7d5e90',
      created: '2026-03-02T09:15:00.000Z',
      modified: '2026-03-02T09:15:00.000Z',
      name: 'Phishing wave against regional banks',
      published: '2026-03-02T09:15:00Z',
      object_refs: [marked.id],
      object_marking_refs: [tlp('TLP:GREEN')],
    };
    expect(readInboxObjects([report, marked])).toMatchObject({
      tlp: 'TLP:GREEN',
      pap: 'PAP:AMBER',
      title: 'Phishing wave against regional banks',
    });
    expect(readInboxObjects([indicator('a.example', [tlp('TLP:CLEAR')])]).pap).toBeNull();
  });
});
