import type { EntityManager } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryState } from '@tlp-broker/domain';
import { useTestDatabase } from '../../../../test/support/test-database';
import { FeedEntryRepository } from './feed-entries.repository';
import { FeedHandover, FeedHandoverEntry, FeedHandoverRepository } from './feed-handovers.repository';
import { TestRows } from './test-rows.db-fixtures';

const db = useTestDatabase();
const fixtures = new TestRows(db);
let handovers: FeedHandoverRepository;
let feeds: FeedEntryRepository;

beforeAll(() => {
  handovers = new FeedHandoverRepository(db.dataSource);
  feeds = new FeedEntryRepository(db.dataSource);
});

const DELIVERED_AT = new Date('2030-03-01T10:00:00.123Z');
/** The item's versions carry three indicators in all: each entry reserves 2 + 3 µs of its channel's clock. */
const ROOM_US = 5;

interface Partner {
  readonly organisationId: string;
  readonly channelId: string;
}

async function partners(count: number): Promise<Partner[]> {
  const found: Partner[] = [];
  for (let i = 0; i < count; i += 1) {
    const organisationId = await fixtures.organisation();
    found.push({ organisationId, channelId: await fixtures.channel(organisationId) });
  }
  return found;
}

/** An alert with two versions (TLP:GREEN/PAP:AMBER, then TLP:AMBER) carrying three indicators in all. */
async function anItem() {
  const itemId = await fixtures.item({ kind: 'alert', currentVersion: 2 });
  const indicator = { type: 'domain' as const, value: 'evil.example' };
  const versionIds = [
    await fixtures.version(itemId, 1, { tlp: 'TLP:GREEN', pap: 'PAP:AMBER', indicators: [indicator] }),
    await fixtures.version(itemId, 2, {
      indicators: [indicator, { type: 'domain', value: 'worse.example' }],
    }),
  ];
  return { itemId, versionIds };
}

/** A handover of `deliveries` of version 1 of the item, each with a message of its own. */
function handoverOf(itemId: string, entries: FeedHandoverEntry[]): FeedHandover {
  return {
    itemId,
    itemVersion: 1,
    kind: 'alert',
    tlp: 'TLP:GREEN',
    pap: 'PAP:AMBER',
    deliveredAt: DELIVERED_AT,
    entries,
  };
}

function entryFor(deliveryId: string, partner: Partner, keyFingerprint: string | null = 'FPR'): FeedHandoverEntry {
  return {
    deliveryId,
    channelId: partner.channelId,
    handling: keyFingerprint ? 'may share with its clients' : null,
    keyFingerprint,
    message: `armored message of ${deliveryId}`,
  };
}

const inTransaction = <T>(work: (tx: EntityManager) => Promise<T>) => db.dataSource.transaction(work);

interface EntryRow {
  delivery_id: string;
  channel_id: string;
  item_id: string;
  item_version: number;
  entry: string;
  kind: string;
  tlp: string;
  pap: string | null;
  handling: string | null;
  key_fingerprint: string;
  message: string;
  added_us: string;
}

async function entriesOf(channelIds: readonly string[]): Promise<EntryRow[]> {
  return db.superuser.query(
    `SELECT delivery_id, channel_id, item_id, item_version, entry, kind, tlp, pap, handling, key_fingerprint, message,
            (extract(epoch FROM added_at) * 1000000)::bigint::text AS added_us
       FROM feed_entries WHERE channel_id = ANY($1) ORDER BY channel_id, added_at`,
    [channelIds],
  );
}

async function deliveryRows(ids: readonly string[]) {
  const rows: {
    id: string;
    state: DeliveryState;
    attempts: number;
    last_error: string | null;
    key_fingerprint: string | null;
    message_id: string | null;
    delivered_at: Date | null;
    handed: boolean;
  }[] = await db.superuser.query(
    `SELECT id, state, attempts, last_error, key_fingerprint, message_id, delivered_at, handed_at IS NOT NULL AS handed
       FROM deliveries WHERE id = ANY($1)`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row]));
}

async function clockUs(channelId: string): Promise<number | null> {
  const [row]: { until_us: string }[] = await db.superuser.query(
    `SELECT (extract(epoch FROM added_until) * 1000000)::bigint::text AS until_us FROM feed_clocks WHERE channel_id = $1`,
    [channelId],
  );
  return row ? Number(row.until_us) : null;
}

/** Waits until `count` sessions of the test database wait for a lock. */
async function waitForLockWaits(count: number): Promise<void> {
  for (let tries = 0; tries < 200; tries += 1) {
    const [{ waiting }]: { waiting: number }[] = await db.superuser.query(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (waiting >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${count} sessions never waited for a lock`);
}

describe('FeedHandoverRepository on PostgreSQL', () => {
  it('writes one entry per open delivery, with its message and the item’s labels, and marks the deliveries delivered', async () => {
    const [a, b, c] = await partners(3);
    const { itemId, versionIds } = await anItem();
    const queued = await fixtures.delivery({ itemVersionId: versionIds[0], ...a });
    const retried = await fixtures.delivery({
      itemVersionId: versionIds[0],
      ...b,
      state: 'failed',
      attempts: 2,
      lastError: 'connection reset',
    });
    const signedOnly = await fixtures.delivery({ itemVersionId: versionIds[0], ...c, state: 'sending', attempts: 1 });
    const entries = [entryFor(queued, a), entryFor(retried, b), entryFor(signedOnly, c, null)];

    const carried = await inTransaction((tx) => handovers.handOver(handoverOf(itemId, entries), tx));
    expect([...carried].sort()).toEqual([queued, retried, signedOnly].sort());

    const written = await entriesOf([a.channelId, b.channelId, c.channelId]);
    expect(written).toHaveLength(3);
    for (const entry of entries) {
      const row = written.find((w) => w.delivery_id === entry.deliveryId)!;
      expect(row).toMatchObject({
        channel_id: entry.channelId,
        item_id: itemId,
        item_version: 1,
        entry: 'item',
        kind: 'alert',
        tlp: 'TLP:GREEN',
        pap: 'PAP:AMBER',
        handling: entry.handling,
        // Signed only (no key to encrypt to): stored as no fingerprint, as a single delivery's entry is.
        key_fingerprint: entry.keyFingerprint ?? '',
        message: entry.message,
      });
    }

    const rows = await deliveryRows([queued, retried, signedOnly]);
    for (const [id, attempts] of [
      [queued, 1],
      [retried, 3],
      [signedOnly, 2],
    ] as const) {
      expect(rows.get(id)).toMatchObject({
        state: 'delivered',
        attempts,
        last_error: null,
        message_id: null,
        delivered_at: DELIVERED_AT,
        handed: true,
      });
    }
    expect(rows.get(queued)!.key_fingerprint).toBe('FPR');
    expect(rows.get(signedOnly)!.key_fingerprint).toBeNull();
  });

  it('adds each entry on its channel’s feed clock: after the room of any earlier entry, one channel after another', async () => {
    const [a, b] = await partners(2);
    const fresh = (await partners(1))[0];
    const earlier = await anItem();
    const { itemId, versionIds } = await anItem();
    // An earlier entry on channel a, its clock then pushed ahead of the wall clock (entries added in
    // quick succession): the batch's entry must start where that room ends, not at the wall clock.
    await feeds.append({
      deliveryId: await fixtures.delivery({ itemVersionId: earlier.versionIds[0], ...a, state: 'sending' }),
      channelId: a.channelId,
      itemId: earlier.itemId,
      itemVersion: 1,
      entry: 'item',
      kind: 'alert',
      tlp: 'TLP:GREEN',
      pap: null,
      handling: null,
      keyFingerprint: 'FPR',
      message: 'earlier',
    });
    const [[{ until }]] = await db.superuser.query(
      `UPDATE feed_clocks SET added_until = added_until + interval '1 hour' WHERE channel_id = $1
       RETURNING (extract(epoch FROM added_until) * 1000000)::bigint::text AS until`,
      [a.channelId],
    );
    const toA = await fixtures.delivery({ itemVersionId: versionIds[0], ...a });
    const toB = await fixtures.delivery({ itemVersionId: versionIds[0], ...b });
    const toFresh = await fixtures.delivery({ itemVersionId: versionIds[0], ...fresh });
    const before = Date.now() * 1000;
    await inTransaction((tx) =>
      handovers.handOver(handoverOf(itemId, [entryFor(toA, a), entryFor(toB, b), entryFor(toFresh, fresh)]), tx),
    );

    const [first, second] = await entriesOf([a.channelId]);
    expect(first.message).toBe('earlier');
    expect(Number(second.added_us)).toBe(Number(until));
    expect(await clockUs(a.channelId)).toBe(Number(until) + ROOM_US);
    // A channel with no clock yet gets one, its entry at the wall clock with its room reserved after it.
    for (const partner of [b, fresh]) {
      const [entry] = await entriesOf([partner.channelId]);
      expect(Number(entry.added_us)).toBeGreaterThanOrEqual(before);
      expect(await clockUs(partner.channelId)).toBe(Number(entry.added_us) + ROOM_US);
    }

    // The next version's batch: each entry after the room the previous one reserved on its channel.
    const v2 = await fixtures.delivery({ itemVersionId: versionIds[1], ...a });
    await inTransaction((tx) =>
      handovers.handOver({ ...handoverOf(itemId, [entryFor(v2, a)]), itemVersion: 2, tlp: 'TLP:AMBER', pap: null }, tx),
    );
    const added = (await entriesOf([a.channelId])).map((row) => Number(row.added_us));
    expect(added).toHaveLength(3);
    expect(added[2]).toBeGreaterThanOrEqual(added[1] + ROOM_US);
    expect((await entriesOf([a.channelId]))[2]).toMatchObject({ item_version: 2, tlp: 'TLP:AMBER', pap: null });
  });

  it('leaves a delivery another worker closed, or one of another channel, as it is, with no entry', async () => {
    const [a, b, c] = await partners(3);
    const { itemId, versionIds } = await anItem();
    const open = await fixtures.delivery({ itemVersionId: versionIds[0], ...a });
    const cancelled = await fixtures.delivery({
      itemVersionId: versionIds[0],
      ...b,
      state: 'cancelled',
      lastError: 'NCSC is suspended and receives nothing.',
    });
    const misaddressed = await fixtures.delivery({ itemVersionId: versionIds[0], ...c });

    const carried = await inTransaction((tx) =>
      handovers.handOver(
        handoverOf(itemId, [
          entryFor(open, a),
          entryFor(cancelled, b),
          { ...entryFor(misaddressed, c), channelId: a.channelId },
        ]),
        tx,
      ),
    );
    expect(carried).toEqual([open]);
    expect((await entriesOf([a.channelId, b.channelId, c.channelId])).map((row) => row.delivery_id)).toEqual([open]);
    const rows = await deliveryRows([cancelled, misaddressed]);
    expect(rows.get(cancelled)).toMatchObject({
      state: 'cancelled',
      attempts: 0,
      last_error: 'NCSC is suspended and receives nothing.',
      delivered_at: null,
    });
    expect(rows.get(misaddressed)).toMatchObject({ state: 'queued', attempts: 0, delivered_at: null });
    expect(await clockUs(b.channelId)).toBeNull();
  });

  it('writes nothing more when run again, nor when a second worker carries the same batch at the same time', async () => {
    const [a, b] = await partners(2);
    const { itemId, versionIds } = await anItem();
    const entries = [
      entryFor(await fixtures.delivery({ itemVersionId: versionIds[0], ...a }), a),
      entryFor(await fixtures.delivery({ itemVersionId: versionIds[0], ...b }), b),
    ];
    const handover = handoverOf(itemId, entries);

    // Two workers: the second waits for the first's row locks, then finds the deliveries closed.
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    let second: Promise<string[]>;
    try {
      expect(await handovers.handOver(handover, runner.manager)).toHaveLength(2);
      second = inTransaction((tx) => handovers.handOver({ ...handover, deliveredAt: new Date() }, tx));
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await runner.commitTransaction();
      await runner.release();
    }
    expect(await second).toEqual([]);

    const clocks = [await clockUs(a.channelId), await clockUs(b.channelId)];
    expect(await inTransaction((tx) => handovers.handOver(handover, tx))).toEqual([]);
    expect(await entriesOf([a.channelId, b.channelId])).toHaveLength(2);
    expect([await clockUs(a.channelId), await clockUs(b.channelId)]).toEqual(clocks);
    const rows = await deliveryRows(entries.map((entry) => entry.deliveryId));
    for (const row of rows.values())
      expect(row).toMatchObject({ state: 'delivered', attempts: 1, delivered_at: DELIVERED_AT });
    expect(await inTransaction((tx) => handovers.handOver(handoverOf(itemId, []), tx))).toEqual([]);
  });

  it('carries two items’ batches to the same feeds at the same time, whatever order each lists its channels in', async () => {
    const shared = await partners(40);
    const [x, y] = [await anItem(), await anItem()];
    const batchOf = async (item: { itemId: string; versionIds: string[] }, order: Partner[]) =>
      handoverOf(
        item.itemId,
        await Promise.all(
          order.map(async (p) => entryFor(await fixtures.delivery({ itemVersionId: item.versionIds[0], ...p }), p)),
        ),
      );
    const forX = await batchOf(x, shared);
    const forY = await batchOf(y, [...shared].reverse());
    await db.superuser.query(`INSERT INTO feed_clocks (channel_id, added_until) SELECT unnest($1::uuid[]), now()`, [
      shared.map((p) => p.channelId),
    ]);

    // A single delivery in progress holds one channel's clock in the middle of both lists: both
    // batches reach it, having taken some clocks already, before it commits and lets them on.
    const single = db.superuser.createQueryRunner();
    await single.connect();
    await single.startTransaction();
    let carried: Promise<string[][]>;
    try {
      await single.query('SELECT 1 FROM feed_clocks WHERE channel_id = $1 FOR UPDATE', [shared[20].channelId]);
      carried = Promise.all([
        inTransaction((tx) => handovers.handOver(forX, tx)),
        inTransaction((tx) => handovers.handOver(forY, tx)),
      ]);
      await waitForLockWaits(2);
    } finally {
      await single.commitTransaction();
      await single.release();
    }
    expect((await carried).map((ids) => ids.length)).toEqual([40, 40]);
    const written = await entriesOf(shared.map((p) => p.channelId));
    expect(written).toHaveLength(80);
    for (const p of shared) {
      const [first, second] = written.filter((row) => row.channel_id === p.channelId);
      expect(Number(second.added_us)).toBeGreaterThanOrEqual(Number(first.added_us) + ROOM_US);
    }
  });

  it('cancels the open deliveries only, each with its reason, and finds deliveries by id', async () => {
    const [a, b, c, d] = await partners(4);
    const { versionIds } = await anItem();
    const queued = await fixtures.delivery({ itemVersionId: versionIds[0], ...a });
    const failed = await fixtures.delivery({ itemVersionId: versionIds[0], ...b, state: 'failed', attempts: 1 });
    const delivered = await fixtures.delivery({ itemVersionId: versionIds[0], ...c, state: 'delivered', attempts: 1 });
    const dead = await fixtures.delivery({ itemVersionId: versionIds[0], ...d, state: 'dead', lastError: 'gone' });
    const reasons = new Map([
      [queued, 'CERT-A is suspended and receives nothing.'],
      [failed, 'The key of CERT-B was revoked.'],
      [delivered, 'too late'],
      [dead, 'too late'],
    ]);

    const closed = await inTransaction((tx) => handovers.cancel(reasons, tx));
    expect([...closed].sort()).toEqual([queued, failed].sort());
    const rows = await deliveryRows([queued, failed, delivered, dead]);
    expect(rows.get(queued)).toMatchObject({ state: 'cancelled', last_error: reasons.get(queued), attempts: 0 });
    expect(rows.get(failed)).toMatchObject({ state: 'cancelled', last_error: reasons.get(failed), attempts: 1 });
    expect(rows.get(delivered)).toMatchObject({ state: 'delivered', last_error: null });
    expect(rows.get(dead)).toMatchObject({ state: 'dead', last_error: 'gone' });
    expect(await inTransaction((tx) => handovers.cancel(reasons, tx))).toEqual([]);
    expect(await inTransaction((tx) => handovers.cancel(new Map(), tx))).toEqual([]);

    const found = await handovers.findByIds([queued, delivered, '00000000-0000-4000-8000-000000000000']);
    expect(found.map((row) => [row.id, row.state]).sort()).toEqual(
      [
        [queued, 'cancelled'],
        [delivered, 'delivered'],
      ].sort(),
    );
    expect(await handovers.findByIds([])).toEqual([]);
  });
});
