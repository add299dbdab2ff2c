import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { ItemRepository } from './items.repository';
import { TestRows } from './test-rows.db-fixtures';

describe('ItemRepository: the public items and version texts', () => {
  const db = useTestDatabase();
  let items: ItemRepository;
  const ids = {} as Record<'older' | 'newer' | 'narrowed' | 'pending' | 'retracted' | 'green', string>;

  beforeAll(async () => {
    items = new ItemRepository(db.dataSource);
    const fixtures = new TestRows(db);
    /** An item whose versions (label, routed or not, released when) are given in order. */
    const item = async (
      versions: { tlp: 'TLP:CLEAR' | 'TLP:GREEN' | 'TLP:AMBER'; routed?: boolean; at: string }[],
      state: 'published' | 'retracted' = 'published',
    ) => {
      const id = await fixtures.item({ state });
      for (const [index, version] of versions.entries()) {
        const versionId = await fixtures.version(id, index + 1, {
          tlp: version.tlp,
          createdAt: version.at,
          title: `${version.tlp} v${index + 1}`,
          indicators: [{ type: 'domain', value: `v${index + 1}.example` }],
        });
        await fixtures.outbox(versionId, { processed: version.routed ?? true });
      }
      return id;
    };
    ids.older = await item([{ tlp: 'TLP:CLEAR', at: '2026-03-01T08:00:00Z' }]);
    ids.newer = await item([{ tlp: 'TLP:CLEAR', at: '2026-03-02T08:00:00Z' }]);
    ids.narrowed = await item([
      { tlp: 'TLP:CLEAR', at: '2026-03-03T08:00:00Z' },
      { tlp: 'TLP:AMBER', at: '2026-03-03T09:00:00Z' },
    ]);
    ids.pending = await item([
      { tlp: 'TLP:CLEAR', at: '2026-03-04T08:00:00Z' },
      { tlp: 'TLP:AMBER', routed: false, at: '2026-03-04T09:00:00Z' },
    ]);
    ids.retracted = await item([{ tlp: 'TLP:CLEAR', at: '2026-03-05T08:00:00Z' }], 'retracted');
    ids.green = await item([{ tlp: 'TLP:GREEN', at: '2026-03-06T08:00:00Z' }]);
  });

  it('lists items whose latest released version is TLP:CLEAR and not retracted, newest release first', async () => {
    const releases = await items.publicReleases(10);
    expect(releases.map((release) => release.itemId)).toEqual([ids.pending, ids.newer, ids.older]);
    expect(releases[0]).toMatchObject({
      kind: 'advisory',
      version: 1,
      title: 'TLP:CLEAR v1',
      summary: 'summary',
      body: 'body',
      severity: 'high',
      pap: null,
      indicators: [{ type: 'domain', value: 'v1.example' }],
      releasedAt: new Date('2026-03-04T08:00:00Z'),
    });
    expect((await items.publicReleases(2)).map((release) => release.itemId)).toEqual([ids.pending, ids.newer]);
  });

  it('finds one public item by its id, however many were released after it, and no other', async () => {
    expect(await items.publicRelease(ids.older)).toMatchObject({ itemId: ids.older, title: 'TLP:CLEAR v1' });
    expect((await items.publicRelease(ids.pending))?.version).toBe(1);
    for (const hidden of [ids.narrowed, ids.retracted, ids.green, '00000000-0000-4000-8000-000000000000'])
      expect(await items.publicRelease(hidden)).toBeNull();
  });

  it('reads the texts and labels of the item versions asked for', async () => {
    const texts = await items.versionTexts([
      { itemId: ids.narrowed, version: 2 },
      { itemId: ids.older, version: 1 },
      { itemId: ids.older, version: 7 },
    ]);
    expect(texts.sort((a, b) => a.title.localeCompare(b.title))).toEqual([
      { itemId: ids.narrowed, version: 2, tlp: 'TLP:AMBER', title: 'TLP:AMBER v2', summary: 'summary', body: 'body' },
      { itemId: ids.older, version: 1, tlp: 'TLP:CLEAR', title: 'TLP:CLEAR v1', summary: 'summary', body: 'body' },
    ]);
    expect(await items.versionTexts([])).toEqual([]);
  });
});
