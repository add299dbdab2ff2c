import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { OutboxEntity, OutboxTopic } from '../entities';
import { OutboxRepository } from './outbox.repository';

let db: TestDatabase;
let outbox: OutboxRepository;
let versionId: string;

beforeAll(async () => {
  db = await openTestDatabase();
  outbox = new OutboxRepository(db.dataSource);
  const [{ id: userId }]: { id: string }[] = await db.superuser.query(
    `INSERT INTO users (name, roles) VALUES ('outbox-author', ARRAY['analyst']) RETURNING id`,
  );
  const [{ id: itemId }]: { id: string }[] = await db.superuser.query(
    `INSERT INTO items (kind, state, current_version, created_by) VALUES ('alert', 'published', 1, $1) RETURNING id`,
    [userId],
  );
  [{ id: versionId }] = await db.superuser.query(
    `INSERT INTO item_versions (item_id, version, title, body, tlp, audience, created_by)
     VALUES ($1, 1, 't', 'b', 'TLP:CLEAR', '{}'::jsonb, $2) RETURNING id`,
    [itemId, userId],
  );
});

afterAll(async () => {
  await db?.close();
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
