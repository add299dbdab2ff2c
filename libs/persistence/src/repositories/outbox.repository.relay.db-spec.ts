import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { OutboxEntity, OutboxTopic } from '../entities';
import { OutboxRepository } from './outbox.repository';
import { TestRows } from './test-rows.db-fixtures';

/** OutboxRepository as the dispatcher uses it: the relay's batches and routing's row lock. */
const db = useTestDatabase();
const fixtures = new TestRows(db);
let outbox: OutboxRepository;

beforeAll(() => {
  outbox = new OutboxRepository(db.dataSource);
});

const newVersion = async (kind: 'alert' | 'annual-report' = 'alert') =>
  fixtures.version(await fixtures.item({ kind }), 1);

const processedAt = async (id: string) =>
  (await db.dataSource.getRepository(OutboxEntity).findOneByOrFail({ id })).processedAt;

/** Leaves no earlier row due: each relay test starts from an empty batch. */
const processEverything = () => db.superuser.query('UPDATE outbox SET processed_at = now() WHERE processed_at IS NULL');

describe('OutboxRepository for routing', () => {
  it('finds a row by its job key', async () => {
    const versionId = await newVersion();
    const row = await fixtures.outbox(versionId, { topic: OutboxTopic.Retracted });
    expect(await outbox.findByJobKey(row.jobKey)).toMatchObject({
      id: row.id,
      topic: OutboxTopic.Retracted,
      itemVersionId: versionId,
    });
    expect(await outbox.findByJobKey('00000000-0000-0000-0000-000000000000')).toBeNull();
  });

  it('locks a version’s release row until the transaction ends; a second routing waits for it', async () => {
    const versionId = await newVersion();
    expect(await outbox.lockRelease(versionId)).toBeNull();
    await fixtures.outbox(versionId, { topic: OutboxTopic.Retracted });
    expect(await outbox.lockRelease(versionId)).toBeNull();
    const release = await fixtures.outbox(versionId);

    await db.dataSource.transaction(async (tx) => {
      expect(await outbox.lockRelease(versionId, tx)).toEqual({ id: release.id, processedAt: null });
      await expect(
        db.dataSource.transaction(async (other) => {
          await other.query(`SET LOCAL lock_timeout = '200ms'`);
          await outbox.lockRelease(versionId, other);
        }),
      ).rejects.toThrow(/lock timeout/);
      await outbox.markProcessed(release.id, tx);
    });
    const first = await processedAt(release.id);
    expect(first).toBeInstanceOf(Date);
    expect(await outbox.lockRelease(versionId)).toEqual({ id: release.id, processedAt: first });
    await outbox.markProcessed(release.id);
    expect(await processedAt(release.id)).toEqual(first);
  });
});

describe('OutboxRepository for the relay', () => {
  it('takes due rows oldest first, with their item’s kind and whether they were handed over before', async () => {
    await processEverything();
    const fresh = await fixtures.outbox(await newVersion('annual-report'));
    await fixtures.outbox(await newVersion(), { notBefore: '1 hour' }); // embargoed
    const dueNow = await fixtures.outbox(await newVersion(), { notBefore: '-1 second' });
    await fixtures.outbox(await newVersion(), { enqueued: '-1 second' }); // handed over recently
    const stale = await fixtures.outbox(await newVersion(), { enqueued: '-1 hour' });
    await fixtures.outbox(await newVersion(), { processed: true });

    const due = await outbox.lockDue(60_000, 10);
    expect(due.map((row) => [row.id, row.itemKind, row.handed])).toEqual([
      [fresh.id, 'annual-report', false],
      [dueNow.id, 'alert', false],
      [stale.id, 'alert', true],
    ]);
    expect(due[0].jobKey).toBe(fresh.jobKey);
    expect((await outbox.lockDue(60_000, 2)).map((row) => row.id)).toEqual([fresh.id, dueNow.id]);
  });

  it('skips rows another relay holds, and marks a batch handed over', async () => {
    await processEverything();
    const rows = [await fixtures.outbox(await newVersion()), await fixtures.outbox(await newVersion())];
    await db.dataSource.transaction(async (tx) => {
      expect((await outbox.lockDue(60_000, 1, tx)).map((row) => row.id)).toEqual([rows[0].id]);
      const other = await db.dataSource.transaction((next) => outbox.lockDue(60_000, 10, next));
      expect(other.map((row) => row.id)).toEqual([rows[1].id]);
      await outbox.markEnqueued([rows[0].id], tx);
    });
    expect((await outbox.lockDue(60_000, 10)).map((row) => row.id)).toEqual([rows[1].id]);
    expect((await outbox.lockDue(0, 10)).map((row) => [row.id, row.handed])).toEqual([
      [rows[0].id, true],
      [rows[1].id, false],
    ]);
  });
});
