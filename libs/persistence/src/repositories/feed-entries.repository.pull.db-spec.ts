import { beforeAll, describe, expect, it } from 'vitest';
import { artifactId, itemStixId, mispEventUuid } from '@tlp-broker/stix';
import { useTestDatabase } from '../../../../test/support/test-database';
import { FeedEntryRepository } from './feed-entries.repository';
import type { RunStart } from './feed-entry-reads';
import { TestRows } from './test-rows.db-fixtures';

/** Microseconds since the epoch of a UTC timestamp written with six fraction digits. */
const us = (timestamp: string) => Date.parse(`${timestamp.slice(0, 19)}Z`) * 1000 + Number(timestamp.slice(20, 26));

describe('FeedEntryRepository: what partners pull', () => {
  const db = useTestDatabase();
  let feeds: FeedEntryRepository;
  let fixtures: TestRows;
  const scene = {} as {
    channel: string;
    other: string;
    item: string;
    v1Delivery: string;
    v2Delivery: string;
    otherDelivery: string;
    seqs: { v1: string; v2: string; other: string };
  };

  beforeAll(async () => {
    feeds = new FeedEntryRepository(db.dataSource);
    fixtures = new TestRows(db);
    const organisation = await fixtures.organisation('Feed CERT');
    const otherOrganisation = await fixtures.organisation('Other CERT');
    scene.channel = await fixtures.channel(organisation);
    scene.other = await fixtures.channel(otherOrganisation);
    scene.item = await fixtures.item();
    const v1 = await fixtures.version(scene.item, 1, {
      tlp: 'TLP:CLEAR',
      indicators: [{ type: 'domain', value: 'clear.example' }],
      createdAt: '2026-01-01T09:00:00.000Z',
    });
    const v2 = await fixtures.version(scene.item, 2, {
      tlp: 'TLP:AMBER',
      indicators: [{ type: 'domain', value: 'amber.example' }],
    });
    scene.v1Delivery = await fixtures.delivery({
      itemVersionId: v1,
      organisationId: organisation,
      channelId: scene.channel,
      state: 'delivered',
    });
    scene.v2Delivery = await fixtures.delivery({
      itemVersionId: v2,
      organisationId: organisation,
      channelId: scene.channel,
      state: 'delivered',
    });
    scene.otherDelivery = await fixtures.delivery({
      itemVersionId: v1,
      organisationId: otherOrganisation,
      channelId: scene.other,
      state: 'delivered',
    });
    const entry = (deliveryId: string, channelId: string, version: number, addedAt: string) =>
      fixtures.feedEntry({
        deliveryId,
        channelId,
        itemId: scene.item,
        version,
        tlp: version === 1 ? 'TLP:CLEAR' : 'TLP:AMBER',
        addedAt,
      });
    scene.seqs = {
      v1: await entry(scene.v1Delivery, scene.channel, 1, '2026-01-01T10:00:00.000001Z'),
      other: await entry(scene.otherDelivery, scene.other, 1, '2026-01-01T10:00:00.000002Z'),
      v2: await entry(scene.v2Delivery, scene.channel, 2, '2026-01-01T10:00:00.000005Z'),
    };
  });

  it("pages the channel's own entries newest first, by cursor and by added time to the microsecond", async () => {
    const all = await feeds.newestOfChannel(scene.channel, { limit: 10 });
    expect(all.map((entry) => entry.deliveryId)).toEqual([scene.v2Delivery, scene.v1Delivery]);
    expect(all[1]).toEqual({
      seq: scene.seqs.v1,
      deliveryId: scene.v1Delivery,
      entry: 'item',
      itemId: scene.item,
      itemVersion: 1,
      kind: 'advisory',
      tlp: 'TLP:CLEAR',
      pap: null,
      handling: null,
      keyFingerprint: 'F1F2',
      message: `message of ${scene.v1Delivery}`,
      addedAt: '2026-01-01T10:00:00.000001Z',
      publishedAt: new Date('2026-01-01T09:00:00.000Z'),
    });
    expect((await feeds.newestOfChannel(scene.channel, { limit: 1 })).map((e) => e.seq)).toEqual([scene.seqs.v2]);
    expect(
      (await feeds.newestOfChannel(scene.channel, { limit: 10, before: Number(scene.seqs.v2) })).map((e) => e.seq),
    ).toEqual([scene.seqs.v1]);
    const since = (timestamp: string) =>
      feeds
        .newestOfChannel(scene.channel, { limit: 10, sinceUs: us(timestamp) })
        .then((page) => page.map((e) => e.seq));
    expect(await since('2026-01-01T10:00:00.000001Z')).toEqual([scene.seqs.v2]);
    expect(await since('2026-01-01T10:00:00.000000Z')).toEqual([scene.seqs.v2, scene.seqs.v1]);
    expect(await since('2026-01-01T10:00:00.000005Z')).toEqual([]);
  });

  it("finds an entry by its delivery only in the delivery's own channel", async () => {
    expect((await feeds.channelEntry(scene.channel, scene.v2Delivery))?.seq).toBe(scene.seqs.v2);
    expect(await feeds.channelEntry(scene.channel, scene.otherDelivery)).toBeNull();
  });

  it('reads runs of entries in added order with every entry of their items, from a place, never another channel', async () => {
    const seqs = async (start: RunStart, limit: number) => {
      const { run, ofItems } = await feeds.runWithItems(scene.channel, start, limit);
      return { run: run.map((head) => head.seq), ofItems: ofItems.map((head) => head.seq) };
    };
    const { run } = await feeds.runWithItems(scene.channel, null, 10);
    expect(run.map((head) => [head.seq, head.addedUs, head.version])).toEqual([
      [scene.seqs.v1, us('2026-01-01T10:00:00.000001Z'), 1],
      [scene.seqs.v2, us('2026-01-01T10:00:00.000005Z'), 2],
    ]);
    expect(run[0]).toMatchObject({
      entry: 'item',
      tlp: 'TLP:CLEAR',
      severity: 'high',
      deliveryId: scene.v1Delivery,
      versionCreatedAt: new Date('2026-01-01T09:00:00.000Z'),
      indicators: [{ type: 'domain', value: 'clear.example' }],
    });
    expect(run[1].indicators).toEqual([]);
    // A run of one entry comes with every entry of its item.
    expect(await seqs(null, 1)).toEqual({ run: [scene.seqs.v1], ofItems: [scene.seqs.v1, scene.seqs.v2] });
    // The entry added at or before the time may still hold objects added after it.
    const cover = (timestamp: string) => seqs({ coverUs: us(timestamp) }, 10).then((read) => read.run);
    expect(await cover('2026-01-01T10:00:00.000003Z')).toEqual([scene.seqs.v1, scene.seqs.v2]);
    expect(await cover('2026-01-01T10:00:00.000005Z')).toEqual([scene.seqs.v2]);
    expect(await cover('2026-01-01T09:00:00.000000Z')).toEqual([scene.seqs.v1, scene.seqs.v2]);
    const after = (timestamp: string) => seqs({ afterUs: us(timestamp) }, 10).then((read) => read.run);
    expect(await after('2026-01-01T10:00:00.000001Z')).toEqual([scene.seqs.v2]);
    expect(await after('2026-01-01T10:00:00.000005Z')).toEqual([]);
  });

  it('reads the latest entry of each item, items by their first entry, a run of items at a time', async () => {
    expect(await feeds.latestPerItem(scene.channel, 10)).toMatchObject({
      heads: [{ seq: scene.seqs.v2 }],
      nextFirstUs: null,
    });
    const first = await feeds.latestPerItem(scene.channel, 1);
    expect(first).toEqual({
      heads: [expect.objectContaining({ seq: scene.seqs.v2 })],
      nextFirstUs: us('2026-01-01T10:00:00.000001Z'),
    });
    expect(await feeds.latestPerItem(scene.channel, 1, first.nextFirstUs!)).toEqual({ heads: [], nextFirstUs: null });
    expect((await feeds.latestPerItem(scene.other, 10)).heads.map((head) => head.seq)).toEqual([scene.seqs.other]);
  });

  it("finds an item's latest entry by its MISP event UUID, as libs/stix names events, in the channel only", async () => {
    const event = mispEventUuid(scene.item);
    expect((await feeds.latestOfMispEvent(scene.channel, event))?.seq).toBe(scene.seqs.v2);
    expect((await feeds.latestOfMispEvent(scene.other, event))?.seq).toBe(scene.seqs.other);
    expect(await feeds.latestOfMispEvent(scene.channel, mispEventUuid(scene.other))).toBeNull();
  });

  it('finds the items serving a STIX report, note or artifact by its id, as libs/stix names them, in the channel only', async () => {
    const uuid = (id: string) => id.split('--')[1];
    const report = itemStixId(scene.item, 'advisory');
    expect(await feeds.itemsOfStixObject(scene.channel, 'report', uuid(report))).toEqual([scene.item]);
    expect(await feeds.itemsOfStixObject(scene.other, 'report', uuid(report))).toEqual([scene.item]);
    expect(await feeds.itemsOfStixObject(scene.channel, 'artifact', uuid(artifactId(scene.v2Delivery)))).toEqual([
      scene.item,
    ]);
    expect(await feeds.itemsOfStixObject(scene.other, 'artifact', uuid(artifactId(scene.v2Delivery)))).toEqual([]);
    // After the channel's first recall of an item, its report has an id of another generation.
    const recalled = await fixtures.item();
    const version = await fixtures.version(recalled, 1);
    const [organisation] = (await db.superuser.query('SELECT organisation_id FROM channels WHERE id = $1', [
      scene.channel,
    ])) as { organisation_id: string }[];
    const recall = await fixtures.delivery({
      itemVersionId: version,
      organisationId: organisation.organisation_id,
      channelId: scene.channel,
      kind: 'recall',
      state: 'delivered',
    });
    await fixtures.feedEntry({
      deliveryId: recall,
      channelId: scene.channel,
      itemId: recalled,
      version: 1,
      entry: 'recall',
      addedAt: '2026-01-01T11:00:00.000000Z',
    });
    const nextGeneration = uuid(itemStixId(recalled, 'advisory', 1));
    expect(await feeds.itemsOfStixObject(scene.channel, 'report', nextGeneration)).toEqual([recalled]);
    expect(await feeds.itemsOfStixObject(scene.channel, 'report', uuid(itemStixId(recalled, 'advisory', 2)))).toEqual(
      [],
    );
    expect((await feeds.entriesOfItems(scene.channel, [scene.item, recalled])).map((head) => head.seq)).toEqual([
      scene.seqs.v1,
      scene.seqs.v2,
      expect.any(String),
    ]);
    expect(await feeds.entriesOfItems(scene.other, [recalled])).toEqual([]);
  });

  it("reads the messages of the channel's own entries only", async () => {
    const messages = await feeds.messagesOfChannel(scene.channel, [scene.seqs.v1, scene.seqs.other]);
    expect([...messages]).toEqual([[scene.seqs.v1, `message of ${scene.v1Delivery}`]]);
    expect(await feeds.messagesOfChannel(scene.channel, [])).toEqual(new Map());
  });
});
