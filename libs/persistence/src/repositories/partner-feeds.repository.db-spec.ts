import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { PartnerFeedRepository } from './partner-feeds.repository';
import { TestRows } from './test-rows.db-fixtures';

describe('PartnerFeedRepository on PostgreSQL', () => {
  const db = useTestDatabase();
  const fixtures = new TestRows(db);
  let feeds: PartnerFeedRepository;
  let organisationId: string;
  let count = 0;

  const newFeed = (fields: { organisationId?: string; intervalSeconds?: number } = {}) =>
    feeds.insert({
      organisationId: fields.organisationId ?? organisationId,
      kind: 'taxii',
      name: 'collection',
      url: `https://feeds.partner.example/taxii2/api/collections/${++count}/`,
      authorizationHeader: 'Bearer secret',
      intervalSeconds: fields.intervalSeconds ?? 60,
    });

  /** Seconds from now to the column's value (negative: in the past). */
  const secondsAhead = async (id: string, column: 'next_poll_at' | 'claimed_until' | 'last_polled_at') => {
    const [row]: { seconds: number | null }[] = await db.superuser.query(
      `SELECT extract(epoch FROM ${column} - now())::float AS seconds FROM partner_feeds WHERE id = $1`,
      [id],
    );
    return row.seconds;
  };

  beforeAll(async () => {
    feeds = new PartnerFeedRepository(db.dataSource);
    organisationId = await fixtures.organisation('Feeding CERT');
  });

  beforeEach(async () => {
    await db.superuser.query('DELETE FROM partner_feeds');
  });

  it('claims feeds that are due, each by one claimant only, and keeps their cadence', async () => {
    const due = await Promise.all([newFeed(), newFeed(), newFeed({ intervalSeconds: 600 })]);
    const claims = await Promise.all([feeds.claimDue(3, 60_000), feeds.claimDue(3, 60_000), feeds.claimDue(3, 60_000)]);
    const claimed = claims.flat().map((claim) => claim.feed.id);
    expect(claimed.sort()).toEqual(due.map((feed) => feed.id).sort());
    const third = claims.flat().find((claim) => claim.feed.id === due[2].id)!;
    expect(third.feed.lastPolledAt).toBeInstanceOf(Date);
    expect(await secondsAhead(due[2].id, 'next_poll_at')).toBeCloseTo(600, -1);
    expect(await secondsAhead(due[2].id, 'claimed_until')).toBeCloseTo(60, -1);
    expect(await feeds.claimDue(3, 60_000)).toEqual([]);

    // Released, a feed waits for its next time; "poll now" brings it forward.
    await feeds.release(third, 'feeds.partner.example answered HTTP 500');
    expect(await feeds.claimDue(3, 60_000)).toEqual([]);
    await feeds.pollNow(due[2].id);
    const [again] = await feeds.claimDue(3, 60_000);
    expect(again.feed).toMatchObject({ id: due[2].id, lastError: 'feeds.partner.example answered HTTP 500' });
    await feeds.release(again, null);
    expect((await feeds.byId(due[2].id))?.lastError).toBeNull();
  });

  it('passes over suspended feeds and feeds of suspended partners, and takes back a lease that ran out', async () => {
    const suspendedPartner = await fixtures.organisation('Suspended CERT', { status: 'suspended' });
    const [ofSuspended, suspended, live] = await Promise.all([
      newFeed({ organisationId: suspendedPartner }),
      newFeed(),
      newFeed(),
    ]);
    await db.dataSource.transaction((tx) => feeds.update(suspended.id, { status: 'suspended' }, tx));
    const claimed = await feeds.claimDue(10, 60_000);
    expect(claimed.map((claim) => claim.feed.id)).toEqual([live.id]);
    expect([ofSuspended.id, suspended.id]).not.toContain(claimed[0].feed.id);
    const [first] = claimed;

    // The dispatcher holding it died: once its lease has run out, another takes the feed, and the
    // first one's late writes change nothing.
    await db.superuser.query(
      `UPDATE partner_feeds SET claimed_until = now() - interval '1 second', next_poll_at = now() WHERE id = $1`,
      [live.id],
    );
    const [second] = await feeds.claimDue(10, 60_000);
    expect(second.feed.id).toBe(live.id);
    expect(await feeds.saveCursor(first, { addedAfter: '2026-01-01T00:00:00.000000Z' })).toBe(false);
    await feeds.release(first, 'late');
    expect(await feeds.saveCursor(second, { addedAfter: '2026-02-01T00:00:00.000000Z' })).toBe(true);
    const held = await feeds.byId(live.id);
    expect(held).toMatchObject({ cursor: { addedAfter: '2026-02-01T00:00:00.000000Z' }, lastError: null });
    expect(held?.claimedUntil).toBeInstanceOf(Date);
  });

  it('keeps a MISP cursor event by event, and starts again, at once, when the URL changes', async () => {
    const feed = await newFeed();
    const [claim] = await feeds.claimDue(1, 60_000);
    expect(await feeds.saveEventCursor(claim, 'a1b2c3d4-0000-4000-8000-000000000001', 1_760_000_000)).toBe(true);
    expect(await feeds.saveEventCursor(claim, 'a1b2c3d4-0000-4000-8000-000000000002', 1_760_000_100)).toBe(true);
    expect((await feeds.byId(feed.id))?.cursor).toEqual({
      events: {
        'a1b2c3d4-0000-4000-8000-000000000001': 1_760_000_000,
        'a1b2c3d4-0000-4000-8000-000000000002': 1_760_000_100,
      },
    });

    await db.dataSource.transaction((tx) =>
      feeds.update(feed.id, { url: 'https://other.partner.example/misp/', intervalSeconds: 120 }, tx),
    );
    // The poll under way was for the old URL: what it reaches is not kept.
    expect(await feeds.saveEventCursor(claim, 'a1b2c3d4-0000-4000-8000-000000000003', 1_760_000_200)).toBe(false);
    expect(await feeds.byId(feed.id)).toMatchObject({ cursor: {}, intervalSeconds: 120 });
    expect(await secondsAhead(feed.id, 'next_poll_at')).toBeLessThanOrEqual(0);

    // A new interval counts from the last poll.
    await db.dataSource.transaction((tx) => feeds.update(feed.id, { intervalSeconds: 600 }, tx));
    expect(await secondsAhead(feed.id, 'next_poll_at')).toBeCloseTo(600, -1);
  });

  it('counts what each feed brought in, refused apart', async () => {
    const [feed, other] = await Promise.all([newFeed(), newFeed()]);
    const insert = (status: string, externalId: string) =>
      db.superuser.query(
        `INSERT INTO submissions (source, status, sender_proof, organisation_id, partner_feed_id, external_id,
                                  content, size_bytes, raw_size_bytes)
         VALUES ('feed', $1, 'feed', $2, $3, $4, CASE WHEN $1 = 'verified' THEN '{}' END, 2, 2)`,
        [status, organisationId, feed.id, externalId],
      );
    await insert('verified', 'report--1@2026-01-01T00:00:00.000Z');
    await insert('verified', 'report--2@2026-01-01T00:00:00.000Z');
    await insert('rejected', 'report--3@2026-01-01T00:00:00.000Z');
    const counts = await feeds.intakeCounts([feed.id, other.id]);
    expect(counts.get(feed.id)).toEqual({ taken: 2, rejected: 1 });
    expect(counts.has(other.id)).toBe(false);
  });
});
