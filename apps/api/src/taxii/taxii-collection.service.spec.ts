import { describe, expect, it } from 'vitest';
import type { FeedEntryHead } from '@tlp-broker/persistence';
import { artifactId, identityId, indicatorId, itemStixId, PAP_MARKINGS, TLP_MARKINGS } from '@tlp-broker/stix';
import { fakePartnerView, fakePublishers, PUBLISHER } from '../feeds/partner-view.test-fixtures';
import { TaxiiCollectionService } from './taxii-collection.service';

const CREATED = Date.parse('2026-12-01T08:00:00Z') * 1000;
const indicators = [
  { type: 'domain' as const, value: 'one.example' },
  { type: 'ipv4' as const, value: '192.0.2.1' },
];

const head = (over: Partial<FeedEntryHead>): FeedEntryHead => ({
  seq: '1',
  deliveredAt: new Date('2026-12-01T10:00:00Z'),
  addedUs: CREATED + 1_000,
  entry: 'item',
  itemId: '11111111-1111-4111-8111-111111111111',
  version: 1,
  kind: 'advisory',
  tlp: 'TLP:CLEAR',
  pap: null,
  deliveryId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  keyFingerprint: 'F1',
  severity: 'high',
  itemCreatedAt: new Date('2026-12-01T09:00:00Z'),
  versionCreatedAt: new Date('2026-12-01T09:00:00Z'),
  indicators,
  ...over,
});

const clearHead = head({});
const amberHead = head({
  seq: '2',
  addedUs: CREATED + 2_000,
  itemId: '22222222-2222-4222-8222-222222222222',
  tlp: 'TLP:AMBER',
  deliveryId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
  indicators: [],
});

function service() {
  const view = fakePartnerView([clearHead, amberHead], { title: () => 'Clear advisory', channelCreatedUs: CREATED });
  return { view, collection: new TaxiiCollectionService(view, fakePublishers()) };
}

describe('TaxiiCollectionService', () => {
  it('gives every object version its own date_added: fixed objects before the channel, then each entry’s objects', async () => {
    const { view, collection } = service();
    const { records } = await collection.records('channel-1', 123);
    expect(view.heads).toHaveBeenCalledWith('channel-1', 123);
    const fixed = 1 + Object.keys(TLP_MARKINGS).length + Object.keys(PAP_MARKINGS).length;
    expect(records.slice(0, fixed).map((r) => r.dateAdded)).toEqual(
      Array.from({ length: fixed }, (_, part) => CREATED - fixed + part),
    );
    expect(records[0].id).toBe(identityId(PUBLISHER));
    expect(records.slice(fixed).map((r) => [r.id, r.dateAdded - CREATED])).toEqual([
      [itemStixId(clearHead.itemId, 'advisory'), 1_000],
      [indicatorId(clearHead.itemId, { ...indicators[0], generation: 0 }), 1_001],
      [indicatorId(clearHead.itemId, { ...indicators[1], generation: 0 }), 1_002],
      [itemStixId(amberHead.itemId, 'advisory'), 2_000],
      [artifactId(amberHead.deliveryId), 2_001],
    ]);
    expect(new Set(records.map((r) => r.dateAdded)).size).toBe(records.length);
  });

  it('materialises a page: the clear report in the clear, the item above TLP:CLEAR only as the encrypted copy', async () => {
    const { view, collection } = service();
    const { records } = await collection.records('channel-1');
    const page = records.filter((r) => r.type === 'report' || r.type === 'artifact');
    const objects = await collection.materialise('channel-1', page, PUBLISHER);
    expect(objects.map((object) => object.type)).toEqual(['report', 'report', 'artifact']);
    expect(objects[0]).toMatchObject({ name: 'Clear advisory' });
    expect(JSON.stringify(objects[1])).not.toContain('Clear advisory');
    expect(objects[2]).toMatchObject({ mime_type: 'application/pgp-encrypted' });
    // Messages are read for the entry above TLP:CLEAR only.
    expect(view.messages).toHaveBeenCalledWith('channel-1', ['2']);
  });

  it('serves fixed objects as they are, without reading any entry', async () => {
    const { view, collection } = service();
    const { records } = await collection.records('channel-1');
    const objects = await collection.materialise('channel-1', records.slice(0, 2), PUBLISHER);
    expect(objects.map((object) => object.id)).toEqual([identityId(PUBLISHER), records[1].id]);
    expect(view.messages).toHaveBeenCalledWith('channel-1', []);
  });
});
