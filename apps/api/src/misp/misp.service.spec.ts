import { createHash } from 'node:crypto';
import { NotFoundException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import type { FeedEntryHead } from '@tlp-broker/persistence';
import { MispManifestEntry, mispEventUuid } from '@tlp-broker/stix';
import { partnerPrincipal } from '../../../../test/support/mocks';
import { fakePartnerView, fakePublishers } from '../feeds/partner-view.test-fixtures';
import { MispService } from './misp.service';

const partner = partnerPrincipal(['misp']);
const CLEAR_ITEM = '11111111-1111-4111-8111-111111111111';
const AMBER_ITEM = '22222222-2222-4222-8222-222222222222';

let seq = 0;
const head = (over: Partial<FeedEntryHead>): FeedEntryHead => {
  seq += 1;
  return {
    seq: String(seq),
    deliveredAt: new Date(`2026-12-01T10:00:0${seq}Z`),
    addedUs: seq,
    entry: 'item',
    itemId: CLEAR_ITEM,
    version: 1,
    kind: 'advisory',
    tlp: 'TLP:CLEAR',
    pap: null,
    deliveryId: `0000000${seq}-0000-4000-8000-000000000000`,
    keyFingerprint: 'F1',
    severity: 'high',
    itemCreatedAt: new Date('2026-12-01T09:00:00Z'),
    versionCreatedAt: new Date(`2026-12-01T09:00:0${seq}Z`),
    indicators: [{ type: 'domain', value: `v${over.version ?? 1}.example` }],
    ...over,
  };
};

function service(heads: FeedEntryHead[]) {
  const view = fakePartnerView(heads);
  return { view, misp: new MispService(view, fakePublishers()) };
}

/** The text of a file written in parts. */
async function whole(parts: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const part of parts) text += part;
  return text;
}

const manifestOf = async (misp: MispService) =>
  JSON.parse(await whole(misp.manifest(partner))) as Record<string, MispManifestEntry>;

describe('MispService', () => {
  const clearV1 = head({ version: 1 });
  const clearV2 = head({ version: 2 });
  const amberV1 = head({ itemId: AMBER_ITEM, tlp: 'TLP:AMBER', indicators: [] });
  const amberRecall = head({ itemId: AMBER_ITEM, entry: 'recall', tlp: 'TLP:AMBER', indicators: [] });

  it('lists one event per item — its latest version, or the recall that withdrew it — without reading messages', async () => {
    const { view, misp } = service([clearV1, clearV2, amberV1, amberRecall]);
    const manifest = await manifestOf(misp);
    expect(Object.keys(manifest).sort()).toEqual([mispEventUuid(CLEAR_ITEM), mispEventUuid(AMBER_ITEM)].sort());
    expect(manifest[mispEventUuid(CLEAR_ITEM)].info).toBe('Clear advisory v2');
    expect(manifest[mispEventUuid(AMBER_ITEM)].info).toMatch(/^RECALL: \[TLP:AMBER\] advisory/);
    expect(manifest[mispEventUuid(AMBER_ITEM)].Tag.map((tag) => tag.name)).toContain('tlp-broker:recalled');
    expect(view.messages).not.toHaveBeenCalled();
  });

  it('keeps a later version when an older one finished late', async () => {
    const lateV1 = head({ version: 1 });
    const { misp } = service([clearV2, lateV1]);
    expect(Object.values(await manifestOf(misp))[0].info).toBe('Clear advisory v2');
  });

  it('lists the MD5 of every attribute value still held, for each event', async () => {
    const { misp } = service([clearV1, clearV2]);
    const md5 = createHash('md5').update('v2.example').digest('hex');
    expect(await whole(misp.hashes(partner))).toBe(`${md5},${mispEventUuid(CLEAR_ITEM)}\n`);
  });

  it('writes manifest.json a run of items at a time, as one JSON object in the order items first came', async () => {
    const items = Array.from({ length: 1_201 }, (_, i) =>
      head({
        itemId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        tlp: 'TLP:AMBER',
        indicators: [],
        deliveredAt: new Date('2026-12-01T10:00:00Z'),
        versionCreatedAt: new Date('2026-12-01T09:00:00Z'),
      }),
    );
    const { view, misp } = service(items);
    const text = await whole(misp.manifest(partner));
    const manifest = JSON.parse(text) as Record<string, MispManifestEntry>;
    expect(Object.keys(manifest)).toEqual(items.map((item) => mispEventUuid(item.itemId)));
    expect(text).toBe(JSON.stringify(manifest));
    expect(view.latestPerItem.mock.calls.map(([, limit, after]) => [limit, after])).toEqual([
      [500, undefined],
      [500, items[499].addedUs],
      [500, items[999].addedUs],
    ]);
    expect(await whole(service([]).misp.manifest(partner))).toBe('{}');
  });

  it('serves one event with the partner’s encrypted copy, reading only that message', async () => {
    const { view, misp } = service([clearV1, amberV1]);
    const { Event } = await misp.event(partner, mispEventUuid(AMBER_ITEM));
    expect(view.latestOfMispEvent).toHaveBeenCalledWith('channel-1', mispEventUuid(AMBER_ITEM));
    expect(view.messages).toHaveBeenCalledWith('channel-1', [amberV1.seq]);
    const attachment = Event.Attribute.find((attribute) => attribute.type === 'attachment')!;
    expect(Buffer.from(String(attachment.data), 'base64').toString()).toBe(`armored ${amberV1.seq}`);
    expect(JSON.stringify(Event)).not.toContain('Clear advisory');
  });

  it('answers 404 for an event not in this feed', async () => {
    const { misp } = service([clearV1]);
    await expect(misp.event(partner, mispEventUuid(AMBER_ITEM))).rejects.toBeInstanceOf(NotFoundException);
  });
});
