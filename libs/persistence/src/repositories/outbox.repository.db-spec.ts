import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { OutboxEntity, OutboxTopic } from '../entities';
import { OutboxRepository } from './outbox.repository';
import { TestRows } from './test-rows.db-fixtures';

const db = useTestDatabase();
const fixtures = new TestRows(db);
let outbox: OutboxRepository;
let versionId: string;

beforeAll(async () => {
  outbox = new OutboxRepository(db.dataSource);
  versionId = await fixtures.version(await fixtures.item({ kind: 'alert' }), 1, { tlp: 'TLP:CLEAR' });
});

const rowsOf = (itemVersionId: string) =>
  db.dataSource.getRepository(OutboxEntity).find({ where: { itemVersionId }, order: { id: 'ASC' } });

describe('OutboxRepository on PostgreSQL', () => {
  it('queues a release (with its embargo) and a retraction for the dispatcher', async () => {
    const notBefore = new Date('2030-01-01T08:00:00Z');
    await outbox.queueRelease(versionId, notBefore);
    await outbox.queueRetraction(versionId);
    const rows = await rowsOf(versionId);
    expect(rows.map((row) => [row.topic, row.notBefore, row.enqueuedAt, row.processedAt])).toEqual([
      [OutboxTopic.Published, notBefore, null, null],
      [OutboxTopic.Retracted, null, null, null],
    ]);
    expect(rows[0].jobKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('says a version is routed once its release row was processed, whatever became of a retraction row', async () => {
    expect(await outbox.isRouted(versionId)).toBe(false);
    await db.superuser.query('UPDATE outbox SET processed_at = now() WHERE item_version_id = $1 AND topic = $2', [
      versionId,
      OutboxTopic.Retracted,
    ]);
    expect(await outbox.isRouted(versionId)).toBe(false);
    await db.superuser.query('UPDATE outbox SET processed_at = now() WHERE item_version_id = $1 AND topic = $2', [
      versionId,
      OutboxTopic.Published,
    ]);
    expect(await outbox.isRouted(versionId)).toBe(true);
  });

  it('takes part in the caller transaction: nothing stays when it rolls back', async () => {
    const before = (await rowsOf(versionId)).length;
    await expect(
      db.dataSource.transaction(async (tx) => {
        await outbox.queueRelease(versionId, null, tx);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await rowsOf(versionId)).toHaveLength(before);
  });
});
