import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { ItemRepository } from './items.repository';
import { TestRows } from './test-rows.db-fixtures';

/** The team's lists of items and each item's versions, as the analysts' console reads them. */
const db = useTestDatabase();
const fixtures = new TestRows(db);
let items: ItemRepository;
const user = { ana: { id: '', name: '' }, bob: { id: '', name: '' }, pat: { id: '', name: '' } };
/** Items by what they show: a published update, an update and a first version pending, a rejected update. */
const item = { updated: '', pendingUpdate: '', pendingFirst: '', rejectedUpdate: '' };
let channel: { organisationId: string; channelId: string };

async function arrangeUser(key: keyof typeof user, roles: ('analyst' | 'approver')[]): Promise<void> {
  const id = await fixtures.user(key, roles);
  const [row]: { name: string }[] = await db.superuser.query('SELECT name FROM users WHERE id = $1', [id]);
  user[key] = { id, name: row.name };
}

/** Routed: its release processed and a decision recorded for a partner channel. */
async function released(versionId: string): Promise<void> {
  await fixtures.outbox(versionId, { processed: true });
  await fixtures.decision(versionId, channel);
}

beforeAll(async () => {
  items = new ItemRepository(db.dataSource);
  await arrangeUser('ana', ['analyst']);
  await arrangeUser('bob', ['analyst']);
  await arrangeUser('pat', ['approver']);
  const organisationId = await fixtures.organisation();
  channel = { organisationId, channelId: await fixtures.channel(organisationId) };

  item.updated = await fixtures.item({ kind: 'alert', state: 'published', currentVersion: 2 });
  await released(
    await fixtures.version(item.updated, 1, { title: 'Phishing wave', createdAt: '2026-01-01T08:00:00Z' }),
  );
  await released(
    await fixtures.version(item.updated, 2, {
      title: 'Phishing wave: second edition',
      tlp: 'TLP:RED',
      body: 'Second body',
      createdBy: user.bob.id,
      approvedBy: user.pat.id,
      createdAt: '2026-01-03T08:00:00Z',
    }),
  );

  item.pendingUpdate = await fixtures.item({ state: 'pending-approval', currentVersion: 3 });
  await released(await fixtures.version(item.pendingUpdate, 1, { createdAt: '2026-01-01T09:00:00Z' }));
  // Released, then skipped at routing (a later version was released first): it never reached anyone.
  const skipped = await fixtures.version(item.pendingUpdate, 2, { createdAt: '2026-01-02T09:00:00Z' });
  await fixtures.outbox(skipped, { processed: true });
  await fixtures.version(item.pendingUpdate, 3, {
    title: 'Ransomware update',
    body: 'Third body',
    createdBy: user.ana.id,
    createdAt: '2026-01-04T09:00:00Z',
  });

  item.pendingFirst = await fixtures.item({ state: 'pending-approval', currentVersion: 1 });
  await fixtures.version(item.pendingFirst, 1, { title: 'Phishing KIT sold', createdAt: '2026-01-02T10:00:00Z' });

  // A rejected update: the version released before stays current.
  item.rejectedUpdate = await fixtures.item({ kind: 'announcement', state: 'published', currentVersion: 1 });
  await released(
    await fixtures.version(item.rejectedUpdate, 1, { title: 'Refunds: 100% scam', createdAt: '2026-01-01T11:00:00Z' }),
  );
  await fixtures.version(item.rejectedUpdate, 2, { title: 'Refunds withdrawn', createdAt: '2026-01-05T11:00:00Z' });
});

const ids = (summaries: { id: string }[]) => summaries.map((summary) => summary.id);

describe('ItemRepository item summaries on PostgreSQL', () => {
  it('lists items by their current version, the newest current version first', async () => {
    const all = await items.summaries({}, 50);
    expect(ids(all)).toEqual([item.pendingUpdate, item.updated, item.pendingFirst, item.rejectedUpdate]);
    expect(all[1]).toEqual({
      id: item.updated,
      kind: 'alert',
      state: 'published',
      version: 2,
      title: 'Phishing wave: second edition',
      tlp: 'TLP:RED',
      pap: null,
      severity: 'high',
      author: user.bob,
      createdAt: new Date('2026-01-01T08:00:00Z'),
      updatedAt: new Date('2026-01-03T08:00:00Z'),
      releaseAt: null,
      lastReleasedVersion: null,
    });
    expect(all[3]).toMatchObject({ version: 1, title: 'Refunds: 100% scam' });
  });

  it('lists the approvals queue with the version last released to partners, null when none was', async () => {
    const pending = await items.summaries({ state: 'pending-approval' }, 50);
    expect(
      pending.map(({ id, version, lastReleasedVersion, author }) => ({ id, version, lastReleasedVersion, author })),
    ).toEqual([
      { id: item.pendingUpdate, version: 3, lastReleasedVersion: 1, author: user.ana },
      { id: item.pendingFirst, version: 1, lastReleasedVersion: null, author: expect.any(Object) },
    ]);
    expect(ids(await items.summaries({ state: 'published' }, 50))).toEqual([item.updated, item.rejectedUpdate]);
    expect(await items.summaries({ state: 'retracted' }, 50)).toEqual([]);
  });

  it('finds a piece of the current title in any case, with no character read as a wildcard', async () => {
    expect(ids(await items.summaries({ title: 'PHISHING' }, 50))).toEqual([item.updated, item.pendingFirst]);
    expect(ids(await items.summaries({ title: 'kit', state: 'pending-approval' }, 50))).toEqual([item.pendingFirst]);
    expect(ids(await items.summaries({ title: '100%' }, 50))).toEqual([item.rejectedUpdate]);
    expect(await items.summaries({ title: '_' }, 50)).toEqual([]);
    expect(await items.summaries({ title: 'withdrawn' }, 50)).toEqual([]);
    expect(ids(await items.summaries({ title: '' }, 50))).toHaveLength(4);
  });

  it('gives at most `limit` items, the first ones in order', async () => {
    expect(ids(await items.summaries({}, 2))).toEqual([item.pendingUpdate, item.updated]);
  });
});

describe('ItemRepository version records on PostgreSQL', () => {
  it('gives every version newest first, in full, with its author, approver and whether it was released', async () => {
    const [second, first] = await items.versionRecords(item.updated);
    expect(second).toMatchObject({
      itemId: item.updated,
      version: 2,
      title: 'Phishing wave: second edition',
      body: 'Second body',
      tlp: 'TLP:RED',
      audience: {},
      caveats: [],
      indicators: [],
      author: user.bob,
      approvedBy: user.pat,
      approvedAt: expect.any(Date),
      createdAt: new Date('2026-01-03T08:00:00Z'),
      released: true,
    });
    expect(first).toMatchObject({ version: 1, body: 'body', approvedBy: null, approvedAt: null, released: true });
    expect(first.author.id).not.toBe(user.bob.id);
  });

  it('marks released only the versions routed to partners: not one pending, skipped or rejected', async () => {
    const pending = await items.versionRecords(item.pendingUpdate);
    expect(pending.map(({ version, released, body }) => ({ version, released, body }))).toEqual([
      { version: 3, released: false, body: 'Third body' },
      { version: 2, released: false, body: 'body' },
      { version: 1, released: true, body: 'body' },
    ]);
    expect((await items.versionRecords(item.rejectedUpdate)).map((v) => v.released)).toEqual([false, true]);
    expect((await items.versionRecords(item.pendingFirst)).map((v) => v.released)).toEqual([false]);
  });

  it('gives nothing for an item that does not exist', async () => {
    expect(await items.versionRecords('00000000-0000-4000-8000-000000000000')).toEqual([]);
  });
});
