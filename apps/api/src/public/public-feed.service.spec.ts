import { NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { ItemRepository, PublicRelease } from '@tlp-broker/persistence';
import { PublicFeedService } from './public-feed.service';

const release: PublicRelease = {
  itemId: 'item-1',
  kind: 'alert',
  version: 3,
  pap: 'PAP:CLEAR',
  severity: 'critical',
  title: 'Fake police fines by SMS',
  summary: 'summary',
  body: 'body',
  indicators: [{ type: 'domain', value: 'amendes.example' }],
  itemCreatedAt: new Date('2026-11-01T08:00:00Z'),
  releasedAt: new Date('2026-11-02T08:00:00Z'),
};

function service(found: PublicRelease | null = release) {
  const items = {
    publicReleases: vi.fn(async () => [release]),
    publicRelease: vi.fn(async () => found),
  };
  return { items, feed: new PublicFeedService(items as unknown as ItemRepository) };
}

describe('PublicFeedService', () => {
  it('lists the newest public items as TLP:CLEAR, 100 by default and never more', async () => {
    const { items, feed } = service();
    expect(await feed.newest()).toEqual([
      {
        id: 'item-1',
        version: 3,
        type: 'alert',
        tlp: 'TLP:CLEAR',
        pap: 'PAP:CLEAR',
        severity: 'critical',
        title: 'Fake police fines by SMS',
        summary: 'summary',
        body: 'body',
        indicators: [{ type: 'domain', value: 'amendes.example' }],
        firstPublishedAt: new Date('2026-11-01T08:00:00Z'),
        publishedAt: new Date('2026-11-02T08:00:00Z'),
      },
    ]);
    expect(items.publicReleases).toHaveBeenLastCalledWith(100);
    await feed.newest(500);
    expect(items.publicReleases).toHaveBeenLastCalledWith(100);
    await feed.newest(0);
    expect(items.publicReleases).toHaveBeenLastCalledWith(1);
    await feed.newest(7.9);
    expect(items.publicReleases).toHaveBeenLastCalledWith(7);
  });

  it('finds any public item by its id, not only among the newest', async () => {
    const { items, feed } = service();
    expect(await feed.item('item-1')).toMatchObject({ id: 'item-1', tlp: 'TLP:CLEAR', version: 3 });
    expect(items.publicRelease).toHaveBeenCalledWith('item-1');
    expect(items.publicReleases).not.toHaveBeenCalled();
  });

  it('answers 404 for an item that is not public', async () => {
    const { feed } = service(null);
    const error = await feed.item('item-9').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundException);
    expect((error as NotFoundException).message).toBe('no public item item-9');
  });
});
