import { describe, expect, it } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import type { FeedEntryHead } from '@tlp-broker/persistence';
import {
  artifactId,
  identityId,
  indicatorId,
  itemStixId,
  PAP_MARKINGS,
  parseTaxiiQuery,
  taxiiTimestamp,
  TLP_MARKINGS,
} from '@tlp-broker/stix';
import { fakePartnerView, fakePublishers, PUBLISHER } from '../feeds/partner-view.test-fixtures';
import { TaxiiCollectionService } from './taxii-collection.service';
import { TaxiiNextTokens } from './taxii-next-token';
import { TaxiiError } from './taxii.types';

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

const tokens = new TaxiiNextTokens({ audit: { key: Buffer.alloc(32, 7) } } as unknown as AppConfig);
const FIXED = 1 + Object.keys(TLP_MARKINGS).length + Object.keys(PAP_MARKINGS).length;
const query = (raw: Record<string, unknown> = {}) => parseTaxiiQuery(raw);

function service(heads = [clearHead, amberHead]) {
  const view = fakePartnerView(heads, { title: () => 'Clear advisory', channelCreatedUs: CREATED });
  return { view, collection: new TaxiiCollectionService(view, fakePublishers(), tokens) };
}

/** `count` entries above TLP:CLEAR (a report and an artifact each), one item each unless `itemOf` says. */
const amberEntries = (count: number, itemOf = (i: number) => i) =>
  Array.from({ length: count }, (_, i) =>
    head({
      seq: String(i + 1),
      addedUs: CREATED + 1_000 * (i + 1),
      itemId: `00000000-0000-4000-8000-${String(itemOf(i)).padStart(12, '0')}`,
      version: 1 + [...Array(i).keys()].filter((j) => itemOf(j) === itemOf(i)).length,
      tlp: 'TLP:AMBER',
      deliveryId: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
      versionCreatedAt: new Date(Date.parse('2026-12-01T09:00:00Z') + i * 1_000),
      indicators: [],
    }),
  );

/** Every page of a query, following `next`. */
async function walk(collection: TaxiiCollectionService, raw: Record<string, unknown>) {
  const pages = [];
  let next: string | undefined;
  do {
    const { page } = await collection.page('channel-1', query({ ...raw, ...(next ? { next } : {}) }));
    pages.push(page);
    next = page.next;
  } while (next);
  return pages;
}

describe('TaxiiCollectionService', () => {
  it('gives every object version its own date_added: fixed objects before the channel, then each entry’s objects', async () => {
    const { collection } = service();
    const { page } = await collection.page('channel-1', query({ 'match[version]': 'all', limit: '1000' }));
    const records = page.items;
    expect(records.slice(0, FIXED).map((r) => r.dateAdded)).toEqual(
      Array.from({ length: FIXED }, (_, part) => CREATED - FIXED + part),
    );
    expect(records[0].id).toBe(identityId(PUBLISHER));
    expect(records.slice(FIXED).map((r) => [r.id, r.dateAdded - CREATED])).toEqual([
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
    const { page } = await collection.page('channel-1', query({ 'match[type]': 'report,artifact' }));
    const objects = await collection.materialise('channel-1', page.items, PUBLISHER);
    expect(objects.map((object) => object.type)).toEqual(['report', 'report', 'artifact']);
    expect(objects[0]).toMatchObject({ name: 'Clear advisory' });
    expect(JSON.stringify(objects[1])).not.toContain('Clear advisory');
    expect(objects[2]).toMatchObject({ mime_type: 'application/pgp-encrypted' });
    // Messages are read for the entry above TLP:CLEAR only.
    expect(view.messages).toHaveBeenCalledWith('channel-1', ['2']);
  });

  it('serves fixed objects as they are, without reading any entry', async () => {
    const { view, collection } = service();
    const { page } = await collection.page('channel-1', query({ limit: '2' }));
    expect(view.run).not.toHaveBeenCalled();
    const objects = await collection.materialise('channel-1', page.items, PUBLISHER);
    expect(objects.map((object) => object.id)).toEqual([identityId(PUBLISHER), page.items[1].id]);
    expect(view.messages).toHaveBeenCalledWith('channel-1', []);
  });

  it('reads a page in runs of entries from where it starts, never the whole feed', async () => {
    const { view, collection } = service(amberEntries(40));
    const after = taxiiTimestamp(CREATED + 10_000);
    const { page } = await collection.page('channel-1', query({ added_after: after, limit: '4' }));
    expect(page.items.map((r) => r.dateAdded - CREATED)).toEqual([10_001, 11_000, 11_001, 12_000]);
    // Half a page of entries and one more, from the entry that may hold objects added after the time.
    expect(view.run.mock.calls).toEqual([['channel-1', { coverUs: CREATED + 10_000 }, 3]]);
    await collection.page('channel-1', query({ added_after: after, limit: '4', next: page.next }));
    expect(view.run.mock.calls[1]).toEqual(['channel-1', { coverUs: CREATED + 12_000 }, 3]);
    // A filter that keeps few objects reads on, in longer runs.
    await collection.page('channel-1', query({ 'match[type]': 'identity,marking-definition', limit: '4' }));
    expect(view.run.mock.calls.slice(2).map(([, start, size]) => [start, size])).toEqual([]);
    await collection.page('channel-1', query({ 'match[type]': 'artifact', added_after: after, limit: '20' }));
    expect(view.run.mock.calls.slice(2).map(([, , size]) => size)).toEqual([11, 22]);
  });

  it('pages through the whole collection following `next`, in order, with no object missing or repeated', async () => {
    const entries = amberEntries(30, (i) => i % 7);
    const { collection } = service(entries);
    const { page: everything } = await collection.page('channel-1', query({ 'match[version]': 'all', limit: '1000' }));
    for (const [raw, limit] of [
      [{ 'match[version]': 'all' }, 7],
      [{}, 3],
      [{ 'match[type]': 'report' }, 2],
    ] as const) {
      const { page: expected } = await collection.page('channel-1', query({ ...raw, limit: '1000' }));
      const pages = await walk(collection, { ...raw, limit: String(limit) });
      const walked = pages.flatMap((page) => page.items);
      expect(walked.map((r) => r.dateAdded)).toEqual(expected.items.map((r) => r.dateAdded));
      expect(pages.slice(0, -1).every((page) => page.items.length === limit && page.more)).toBe(true);
    }
    expect(everything.items).toHaveLength(FIXED + 60);
  });

  it("serves an object's last version only, though its later versions come in later runs", async () => {
    // Item 0 has versions in entries 1, 11 and 21; each version of its report is a version of one object.
    const entries = amberEntries(25, (i) => (i % 10 === 0 ? 0 : i));
    const { collection } = service(entries);
    const report = itemStixId(entries[0].itemId, 'advisory');
    const walked = (await walk(collection, { limit: '2' })).flatMap((page) => page.items);
    expect(walked.filter((r) => r.id === report).map((r) => r.dateAdded)).toEqual([entries[20].addedUs]);
    const first = (await walk(collection, { limit: '2', 'match[version]': 'first' })).flatMap((page) => page.items);
    expect(first.filter((r) => r.id === report).map((r) => r.dateAdded)).toEqual([entries[0].addedUs]);
  });

  it('refuses a `next` it did not hand out for this collection with a 400, before reading anything', async () => {
    const { view, collection } = service(amberEntries(10));
    const { page } = await collection.page('channel-1', query({ limit: '12' }));
    const forged = [
      tokens.seal('channel-2', CREATED + 1_000),
      `${Buffer.from(String(CREATED)).toString('base64url')}.${page.next!.split('.')[1]}`,
    ];
    view.run.mockClear();
    for (const next of forged) {
      const error = await collection.page('channel-1', query({ next })).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TaxiiError);
      expect((error as TaxiiError).getStatus()).toBe(400);
    }
    expect(view.run).not.toHaveBeenCalled();
  });

  it('finds the versions of a report, note or artifact through the items that serve it, reading no run', async () => {
    const entries = amberEntries(30, (i) => (i % 10 === 0 ? 0 : i));
    // The item's second entry is a recall: what follows it is a report of another generation.
    const withRecall = entries.map((entry, i) => (i === 10 ? { ...entry, entry: 'recall' as const } : entry));
    const { view, collection } = service(withRecall);
    const { page: everything } = await collection.page('channel-1', query({ 'match[version]': 'all', limit: '1000' }));
    view.run.mockClear();
    const ids = [
      itemStixId(entries[0].itemId, 'advisory'),
      itemStixId(entries[0].itemId, 'advisory', 1),
      artifactId(entries[20].deliveryId),
    ];
    for (const id of ids) {
      const { page } = await collection.page('channel-1', query({ 'match[id]': id, 'match[version]': 'all' }));
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items).toEqual(everything.items.filter((record) => record.id === id));
    }
    expect(view.run).not.toHaveBeenCalled();
    expect(view.entriesOfItems).toHaveBeenCalledWith('channel-1', [entries[0].itemId]);
    // An indicator is looked for run after run.
    await collection.page('channel-1', query({ 'match[id]': indicatorId(entries[0].itemId, indicators[0]) }));
    expect(view.run).toHaveBeenCalled();
  });

  it('tells whether the collection holds any version of an object', async () => {
    const { collection } = service();
    expect(await collection.holds('channel-1', artifactId(amberHead.deliveryId))).toBe(true);
    expect(await collection.holds('channel-1', identityId(PUBLISHER))).toBe(true);
    expect(await collection.holds('channel-1', artifactId(clearHead.deliveryId))).toBe(false);
  });
});
