import { describe, expect, it } from 'vitest';
import type { ItemKind, Severity } from '@tlp-broker/domain';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import { clearEvent, hashLines, manifestEntry, sealedEvent } from './misp';

const publisher = { name: 'Police CSIRT', since: new Date('2025-01-15T09:00:00Z') };
const ITEM = {
  itemId: '3f2a9c1e-7b4d-4c1a-9e2f-0a1b2c3d4e5f',
  version: 2,
  kind: 'advisory' as ItemKind,
  tlp: 'TLP:CLEAR' as TlpLabel,
  pap: null as PapLabel | null,
  title: 'Phishing wave',
  summary: '',
  body: 'Block these.',
  indicators: [{ type: 'ipv4' as const, value: '203.0.113.7' }],
  createdAt: new Date('2026-11-01T08:00:00Z'),
  modifiedAt: new Date('2026-11-02T10:30:00.400Z'),
  severity: 'high' as Severity,
};

describe('MISP feed events', () => {
  it('lists again, marked deleted and with the new timestamp, what an earlier version served and this one does not', () => {
    const event = clearEvent(ITEM, publisher, {
      timestamp: 1_796_200_201,
      withdrawn: {
        indicators: [{ type: 'domain', value: 'dropped.example' }],
        attachments: [{ deliveryId: '0b6a4f3e-1111-4222-8333-444455556666', version: 1, recall: false }],
      },
    });
    expect(event.timestamp).toBe('1796200201');
    expect(manifestEntry(event).timestamp).toBe('1796200201');
    expect(
      event.Attribute.map((attribute) => [
        attribute.type,
        attribute.value,
        attribute.deleted,
        attribute.timestamp,
        attribute.to_ids,
      ]),
    ).toEqual([
      ['ip-dst', '203.0.113.7', false, '1796200201', true],
      ['domain', 'dropped.example', true, '1796200201', false],
      ['attachment', `tlp-broker-${ITEM.itemId}-v1.asc`, true, '1796200201', false],
    ]);
    // hashes.csv lists only what is still held.
    expect(hashLines(event)).toEqual([expect.stringMatching(/^[0-9a-f]{32},/)]);
  });

  it('keeps the attribute identity of an encrypted copy when it is later withdrawn', () => {
    const copy = {
      ...ITEM,
      tlp: 'TLP:AMBER' as TlpLabel,
      version: 1,
      deliveryId: '0b6a4f3e-1111-4222-8333-444455556666',
      armoredMessage: 'armored',
      keyFingerprint: 'ABCD',
    };
    const first = sealedEvent(copy, publisher);
    const recall = sealedEvent(
      { ...copy, deliveryId: '9c6a4f3e-1111-4222-8333-444455556666', recall: true, revoked: true },
      publisher,
      {
        timestamp: Number(first.timestamp) + 1,
        withdrawn: { indicators: [], attachments: [{ deliveryId: copy.deliveryId, version: 1, recall: false }] },
      },
    );
    const withdrawn = recall.Attribute.find((attribute) => attribute.deleted)!;
    expect(withdrawn.uuid).toBe(first.Attribute[0].uuid);
    expect(withdrawn.value).toBe(first.Attribute[0].value);
    expect(Number(withdrawn.timestamp)).toBeGreaterThan(Number(first.Attribute[0].timestamp));
    expect(recall.Tag.map((tag) => tag.name)).toContain('tlp-broker:recalled');
  });

  it('tags events with the TLP and PAP tags of the MISP taxonomies, in their spelling and colours', () => {
    const tags = (tlp: TlpLabel, pap: PapLabel) =>
      clearEvent({ ...ITEM, tlp, pap }, publisher).Tag.map((tag) => [tag.name, tag.colour]);
    expect(tags('TLP:CLEAR', 'PAP:CLEAR')).toEqual([
      ['tlp:clear', '#ffffff'],
      ['PAP:CLEAR', '#ffffff'],
    ]);
    expect(tags('TLP:GREEN', 'PAP:GREEN')).toEqual([
      ['tlp:green', '#33FF00'],
      ['PAP:GREEN', '#33ff00'],
    ]);
    expect(tags('TLP:AMBER', 'PAP:AMBER')).toEqual([
      ['tlp:amber', '#FFC000'],
      ['PAP:AMBER', '#ffc000'],
    ]);
    expect(tags('TLP:AMBER+STRICT', 'PAP:RED')).toEqual([
      ['tlp:amber+strict', '#FFC000'],
      ['PAP:RED', '#ff2b2b'],
    ]);
    expect(tags('TLP:RED', 'PAP:RED')[0]).toEqual(['tlp:red', '#FF2B2B']);
  });
});
