import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { ItemEntity, ItemVersionEntity, OutboxTopic } from '../entities';
import { ItemRepository, NewItemVersion } from './items.repository';
import { TestRows } from './test-rows.db-fixtures';

const db = useTestDatabase();
const fixtures = new TestRows(db);
let items: ItemRepository;
let author: string;
let approver: string;

beforeAll(async () => {
  items = new ItemRepository(db.dataSource);
  author = await fixtures.user('item-author');
  approver = await fixtures.user('item-approver', ['approver']);
});

function versionRow(itemId: string, version: number): NewItemVersion {
  return {
    itemId,
    version,
    title: `v${version}`,
    summary: '',
    body: 'body',
    tlp: 'TLP:AMBER',
    pap: 'PAP:GREEN',
    audience: { communities: [], organisations: [], contacts: [] },
    severity: 'high',
    caveats: ['need-to-know'],
    indicators: [{ type: 'domain', value: 'evil.example' }],
    provenance: null,
    releaseAt: new Date('2030-01-01T08:00:00Z'),
    createdBy: author,
  };
}

async function itemWithVersions(count: number): Promise<{ item: ItemEntity; versions: ItemVersionEntity[] }> {
  const item = await items.insert({
    kind: 'advisory',
    state: 'published',
    currentVersion: count,
    createdBy: author,
    updatedAt: new Date(),
  });
  const versions: ItemVersionEntity[] = [];
  for (let number = 1; number <= count; number++) versions.push(await items.insertVersion(versionRow(item.id, number)));
  return { item, versions };
}

describe('ItemRepository reads and writes on PostgreSQL', () => {
  it('stores an item and its versions, and reads them back typed', async () => {
    const { item, versions } = await itemWithVersions(2);
    expect(await items.findById(item.id)).toMatchObject({ id: item.id, kind: 'advisory', state: 'published' });
    expect(await items.findById('00000000-0000-4000-8000-000000000000')).toBeNull();
    const second = await items.versionOf(item.id, 2);
    expect(second).toMatchObject({
      id: versions[1].id,
      version: 2,
      tlp: 'TLP:AMBER',
      pap: 'PAP:GREEN',
      caveats: ['need-to-know'],
      indicators: [{ type: 'domain', value: 'evil.example' }],
      releaseAt: new Date('2030-01-01T08:00:00Z'),
      approvedBy: null,
    });
    await expect(items.versionOf(item.id, 3)).rejects.toThrow();
  });

  it('tells the latest version number, 0 for an item without versions', async () => {
    const { item } = await itemWithVersions(3);
    expect(await items.latestVersionNumber(item.id)).toBe(3);
    const bare = await items.insert({
      kind: 'alert',
      state: 'draft',
      currentVersion: 1,
      createdBy: author,
      updatedAt: new Date(),
    });
    expect(await items.latestVersionNumber(bare.id)).toBe(0);
  });
});

describe('ItemRepository lifecycle changes on PostgreSQL', () => {
  it('finds the last released version before a given one: released means routed by a published outbox row', async () => {
    const { item, versions } = await itemWithVersions(4);
    await fixtures.outbox(versions[0].id);
    await fixtures.outbox(versions[1].id, { topic: OutboxTopic.Retracted });
    await fixtures.outbox(versions[3].id);
    expect(await items.lastReleasedVersionBefore(item.id, 4)).toBe(1);
    expect(await items.lastReleasedVersionBefore(item.id, 5)).toBe(4);
    expect(await items.lastReleasedVersionBefore(item.id, 1)).toBeNull();
  });

  it('changes state, with or without a new current version, and marks a retraction', async () => {
    const { item } = await itemWithVersions(2);
    const at = new Date('2026-03-01T10:00:00Z');
    await items.changeState(item.id, { state: 'pending-approval', at });
    expect(await items.findById(item.id)).toMatchObject({
      state: 'pending-approval',
      currentVersion: 2,
      updatedAt: at,
    });
    await items.changeState(item.id, { state: 'published', currentVersion: 1, at });
    expect(await items.findById(item.id)).toMatchObject({ state: 'published', currentVersion: 1 });
    await items.markRetracted(item.id, 'please delete', at);
    expect(await items.findById(item.id)).toMatchObject({
      state: 'retracted',
      retractedAt: at,
      retractionNotice: 'please delete',
      updatedAt: at,
    });
  });

  it('records who approved a version and when', async () => {
    const { item, versions } = await itemWithVersions(1);
    const at = new Date('2026-03-02T09:00:00Z');
    await items.recordApproval(versions[0].id, approver, at);
    expect(await items.versionOf(item.id, 1)).toMatchObject({ approvedBy: approver, approvedAt: at });
  });
});

describe('ItemRepository in transactions on PostgreSQL', () => {
  it('holds the row lock until the transaction ends: a second locker waits', async () => {
    const { item } = await itemWithVersions(1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = db.dataSource.transaction(async (tx) => {
      expect(await items.lockForUpdate(item.id, tx)).toMatchObject({ id: item.id });
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(
      db.dataSource.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '200ms'`);
        await items.lockForUpdate(item.id, tx);
      }),
    ).rejects.toThrow(/lock timeout/);
    release();
    await first;
    await db.dataSource.transaction(async (tx) => {
      expect(await items.lockForUpdate(item.id, tx)).toMatchObject({ id: item.id });
    });
    const none = await db.dataSource.transaction((tx) =>
      items.lockForUpdate('00000000-0000-4000-8000-000000000000', tx),
    );
    expect(none).toBeNull();
  });

  it('takes part in the caller transaction: nothing stays when it rolls back', async () => {
    let id = '';
    await expect(
      db.dataSource.transaction(async (tx) => {
        const item = await items.insert(
          { kind: 'alert', state: 'published', currentVersion: 1, createdBy: author, updatedAt: new Date() },
          tx,
        );
        id = item.id;
        await items.insertVersion(versionRow(item.id, 1), tx);
        expect(await items.latestVersionNumber(item.id, tx)).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await items.findById(id)).toBeNull();
  });
});
