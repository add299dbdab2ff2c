import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { ItemEntity, OutboxTopic } from '../entities';
import { ItemRepository } from './items.repository';
import { TestRows } from './test-rows.db-fixtures';

/** ItemRepository as the dispatcher uses it: routing's checks and the share lock deliveries finish under. */
const db = useTestDatabase();
const fixtures = new TestRows(db);
let items: ItemRepository;

beforeAll(() => {
  items = new ItemRepository(db.dataSource);
});

const stateOf = async (id: string) => (await db.dataSource.getRepository(ItemEntity).findOneByOrFail({ id })).state;

describe('ItemRepository for the dispatcher', () => {
  it('reads a version by id, and tells whether its release time is still ahead by the database clock', async () => {
    const itemId = await fixtures.item({ currentVersion: 3 });
    const now = await fixtures.version(itemId, 1);
    const past = await fixtures.version(itemId, 2, { releaseAt: new Date(Date.now() - 60_000) });
    const future = await fixtures.version(itemId, 3, { releaseAt: new Date(Date.now() + 3_600_000) });
    expect(await items.findVersion(past)).toMatchObject({ id: past, itemId, version: 2 });
    expect(await items.findVersion('00000000-0000-0000-0000-000000000000')).toBeNull();
    expect(await items.isEmbargoed(now)).toBe(false);
    expect(await items.isEmbargoed(past)).toBe(false);
    expect(await items.isEmbargoed(future)).toBe(true);
  });

  it('finds the latest version released after another (an outbox row to route it), ignoring drafts', async () => {
    const itemId = await fixtures.item({ currentVersion: 4 });
    const versions = [];
    for (let v = 1; v <= 4; v++) versions.push(await fixtures.version(itemId, v));
    await fixtures.outbox(versions[0]);
    await fixtures.outbox(versions[2]);
    await fixtures.outbox(versions[3], { topic: OutboxTopic.Retracted });
    expect(await items.latestReleasedVersionAfter(itemId, 1)).toBe(3);
    expect(await items.latestReleasedVersionAfter(itemId, 3)).toBeNull();
  });

  it('share-locks an item: other deliveries finish alongside, a retraction waits', async () => {
    const itemId = await fixtures.item({ state: 'published', currentVersion: 2 });
    expect(await items.lockForShare('00000000-0000-0000-0000-000000000000')).toBeNull();
    await db.dataSource.transaction(async (tx) => {
      expect(await items.lockForShare(itemId, tx)).toEqual({ state: 'published', currentVersion: 2 });
      await db.dataSource.transaction(async (other) => {
        await other.query(`SET LOCAL lock_timeout = '200ms'`);
        expect(await items.lockForShare(itemId, other)).toEqual({ state: 'published', currentVersion: 2 });
      });
      await expect(
        db.dataSource.transaction(async (other) => {
          await other.query(`SET LOCAL lock_timeout = '200ms'`);
          await items.lockForUpdate(itemId, other);
        }),
      ).rejects.toThrow(/lock timeout/);
    });
  });

  it('publishes a scheduled item once its version is routed, and leaves any other state alone', async () => {
    const scheduled = await fixtures.item({ state: 'scheduled' });
    const retracted = await fixtures.item({ state: 'retracted' });
    await items.publishIfScheduled(scheduled);
    await items.publishIfScheduled(retracted);
    expect(await stateOf(scheduled)).toBe('published');
    expect(await stateOf(retracted)).toBe('retracted');
  });
});
