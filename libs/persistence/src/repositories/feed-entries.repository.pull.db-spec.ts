import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { FeedEntryRepository } from './feed-entries.repository';
import { TestRows } from './test-rows.db-fixtures';

/** Microseconds since the epoch of a UTC timestamp written with six fraction digits. */
const us = (timestamp: string) => Date.parse(`${timestamp.slice(0, 19)}Z`) * 1000 + Number(timestamp.slice(20, 26));

describe('FeedEntryRepository: what partners pull', () => {
  const db = useTestDatabase();
  let feeds: FeedEntryRepository;
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
    const fixtures = new TestRows(db);
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

  it('lists heads in added order, with indicators only for TLP:CLEAR item versions, from the entry at or before a time', async () => {
    const heads = await feeds.headsOfChannel(scene.channel);
    expect(heads.map((head) => [head.seq, head.addedUs, head.version])).toEqual([
      [scene.seqs.v1, us('2026-01-01T10:00:00.000001Z'), 1],
      [scene.seqs.v2, us('2026-01-01T10:00:00.000005Z'), 2],
    ]);
    expect(heads[0]).toMatchObject({
      entry: 'item',
      tlp: 'TLP:CLEAR',
      severity: 'high',
      deliveryId: scene.v1Delivery,
      versionCreatedAt: new Date('2026-01-01T09:00:00.000Z'),
      indicators: [{ type: 'domain', value: 'clear.example' }],
    });
    expect(heads[1].indicators).toEqual([]);
    const after = async (timestamp: string) =>
      (await feeds.headsOfChannel(scene.channel, us(timestamp))).map((head) => head.seq);
    // The entry added at or before the time may still hold objects added after it.
    expect(await after('2026-01-01T10:00:00.000003Z')).toEqual([scene.seqs.v1, scene.seqs.v2]);
    expect(await after('2026-01-01T10:00:00.000005Z')).toEqual([scene.seqs.v2]);
    expect(await after('2026-01-01T09:00:00.000000Z')).toEqual([scene.seqs.v1, scene.seqs.v2]);
  });

  it("reads the messages of the channel's own entries only", async () => {
    const messages = await feeds.messagesOfChannel(scene.channel, [scene.seqs.v1, scene.seqs.other]);
    expect([...messages]).toEqual([[scene.seqs.v1, `message of ${scene.v1Delivery}`]]);
    expect(await feeds.messagesOfChannel(scene.channel, [])).toEqual(new Map());
  });
});
