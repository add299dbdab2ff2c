import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { FeedEntryRepository, NewFeedEntry } from './feed-entries.repository';
import { TestRows } from './test-rows.db-fixtures';

const db = useTestDatabase();
const fixtures = new TestRows(db);
let feeds: FeedEntryRepository;

beforeAll(() => {
  feeds = new FeedEntryRepository(db.dataSource);
});

/** A feed channel and an item whose versions carry two indicators in all: each entry takes 2 + 2 µs of the clock. */
async function scene() {
  const organisationId = await fixtures.organisation();
  const channelId = await fixtures.channel(organisationId);
  const itemId = await fixtures.item({ currentVersion: 2 });
  const indicator = { type: 'domain' as const, value: 'evil.example' };
  const versionIds = [
    await fixtures.version(itemId, 1, { indicators: [indicator] }),
    await fixtures.version(itemId, 2, { indicators: [{ ...indicator, value: 'worse.example' }] }),
  ];
  const entryFor = async (version: 1 | 2, entry: 'item' | 'recall' = 'item'): Promise<NewFeedEntry> => ({
    deliveryId: await fixtures.delivery({
      itemVersionId: versionIds[version - 1],
      organisationId,
      channelId,
      kind: entry,
      state: 'sending',
    }),
    channelId,
    itemId,
    itemVersion: version,
    entry,
    kind: 'advisory',
    tlp: 'TLP:AMBER',
    pap: null,
    handling: null,
    keyFingerprint: 'FP',
    message: `message of v${version}`,
  });
  return { organisationId, channelId, itemId, entryFor };
}

/** The channel's entries: delivery, entry kind and added_at in microseconds, in the order they were added. */
async function entriesOf(channelId: string): Promise<{ deliveryId: string; entry: string; addedUs: number }[]> {
  const rows: { delivery_id: string; entry: string; added_us: string }[] = await db.superuser.query(
    `SELECT delivery_id, entry, (extract(epoch FROM added_at) * 1000000)::bigint::text AS added_us
       FROM feed_entries WHERE channel_id = $1 ORDER BY added_at`,
    [channelId],
  );
  return rows.map((row) => ({ deliveryId: row.delivery_id, entry: row.entry, addedUs: Number(row.added_us) }));
}

describe('FeedEntryRepository on PostgreSQL', () => {
  it('adds each entry after the room the previous one reserved, once per delivery, and the clock outlives removals', async () => {
    const { channelId, itemId, entryFor } = await scene();
    const first = await entryFor(1);
    await feeds.append(first);
    await feeds.append({ ...first, message: 'written again' });
    // A clock ahead of the wall clock (entries added in quick succession): each entry starts
    // where the previous one's room ends, one microsecond per object it may be served as.
    // TypeORM answers an UPDATE with [rows, count].
    const [[{ until }]] = await db.superuser.query(
      `UPDATE feed_clocks SET added_until = added_until + interval '1 hour' WHERE channel_id = $1
       RETURNING (extract(epoch FROM added_until) * 1000000)::bigint::text AS until`,
      [channelId],
    );
    const second = await entryFor(2);
    await feeds.append(second);
    const entries = await entriesOf(channelId);
    expect(entries.map((e) => e.deliveryId)).toEqual([first.deliveryId, second.deliveryId]);
    expect(entries[1].addedUs).toBe(Number(until));
    const [stored] = await db.superuser.query('SELECT message, item_version FROM feed_entries WHERE delivery_id = $1', [
      first.deliveryId,
    ]);
    expect(stored).toEqual({ message: 'message of v1', item_version: 1 });

    expect(await feeds.removeItem(itemId)).toBe(2);
    await feeds.append(await entryFor(2, 'recall'));
    const [recall] = await entriesOf(channelId);
    expect(recall.entry).toBe('recall');
    expect(recall.addedUs).toBe(Number(until) + 4);
  });

  it('holds the channel clock until the transaction that appends commits: entries are added in commit order', async () => {
    const { channelId, entryFor } = await scene();
    const [first, second] = [await entryFor(1), await entryFor(2)];
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await feeds.append(first, runner.manager);
      await expect(
        db.dataSource.transaction(async (tx) => {
          await tx.query(`SET LOCAL lock_timeout = '200ms'`);
          await feeds.append(second, tx);
        }),
      ).rejects.toThrow(/lock timeout/);
    } finally {
      await runner.commitTransaction();
      await runner.release();
    }
    await feeds.append(second);
    expect((await entriesOf(channelId)).map((e) => e.deliveryId)).toEqual([first.deliveryId, second.deliveryId]);
  });

  it('takes an item’s versions out of feeds, of some channels or all, and leaves recall notices', async () => {
    const a = await scene();
    const b = await scene();
    await feeds.append(await a.entryFor(1));
    await feeds.append(await a.entryFor(2, 'recall'));
    await feeds.append(await b.entryFor(1));
    expect(await feeds.removeItem(a.itemId, [b.channelId])).toBe(0);
    expect(await feeds.removeItem(a.itemId, [a.channelId])).toBe(1);
    expect((await entriesOf(a.channelId)).map((e) => e.entry)).toEqual(['recall']);
    expect(await entriesOf(b.channelId)).toHaveLength(1);
  });

  it("changes the feed's state with every entry added or taken out, and only that channel's", async () => {
    const a = await scene();
    const b = await scene();
    expect(await feeds.stateOf(a.channelId)).toBeNull();
    await feeds.append(await a.entryFor(1));
    await feeds.append(await b.entryFor(1));
    const states = [await feeds.stateOf(a.channelId)];
    expect(states[0]).toMatch(/^\d+\/\d+$/);
    expect(await feeds.stateOf(a.channelId)).toBe(states[0]);
    await feeds.append(await a.entryFor(2));
    states.push(await feeds.stateOf(a.channelId));
    const bBefore = await feeds.stateOf(b.channelId);
    expect(await feeds.removeItem(a.itemId)).toBe(2);
    states.push(await feeds.stateOf(a.channelId));
    expect(new Set(states).size).toBe(3);
    expect(await feeds.stateOf(b.channelId)).toBe(bBefore);
    // Nothing to take out: the state stays.
    expect(await feeds.removeItem(a.itemId)).toBe(0);
    expect(await feeds.stateOf(a.channelId)).toBe(states[2]);
  });
});
