import { describe, expect, it, vi } from 'vitest';
import { PAP_MARKINGS, Publisher, TLP_MARKINGS } from '@tlp-broker/stix';
import type { PublisherService } from '../feeds/publisher.service';
import type { PublicFeedService, PublicItem } from './public-feed.service';
import { PublicSyndicationService } from './public-syndication.service';

const publisher: Publisher = {
  name: 'CSIRT\u0007 Police',
  since: new Date('2026-01-01T00:00:00Z'),
  contactEmail: 'csirt@police.example',
};

const item = (id: string, over: Partial<PublicItem> = {}): PublicItem => ({
  id,
  version: 1,
  type: 'advisory',
  tlp: 'TLP:CLEAR',
  pap: null,
  severity: null,
  title: `Advisory ${id}`,
  summary: 'summary',
  body: 'body',
  indicators: [],
  firstPublishedAt: new Date('2026-11-01T08:00:00Z'),
  publishedAt: new Date('2026-11-02T08:00:00Z'),
  ...over,
});

function service(items: PublicItem[]) {
  const feed = { newest: vi.fn(async () => items) };
  const publishers = { publisher: vi.fn(async () => publisher) };
  return {
    feed,
    syndication: new PublicSyndicationService(
      feed as unknown as PublicFeedService,
      publishers as unknown as PublisherService,
    ),
  };
}

describe('PublicSyndicationService', () => {
  it('bundles the team identity, TLP:CLEAR, the PAP markings in use and each item as STIX', async () => {
    const { feed, syndication } = service([
      item('11111111-1111-4111-8111-111111111111', { pap: 'PAP:GREEN' }),
      item('22222222-2222-4222-8222-222222222222', { pap: 'PAP:GREEN' }),
    ]);
    const bundle = await syndication.stix(5);
    expect(feed.newest).toHaveBeenCalledWith(5);
    const ids = bundle.objects.map((object) => object.id);
    expect(ids).toContain(TLP_MARKINGS['TLP:CLEAR'].id);
    expect(ids.filter((id) => id === PAP_MARKINGS['PAP:GREEN'].id)).toHaveLength(1);
    expect(ids).not.toContain(PAP_MARKINGS['PAP:RED'].id);
    expect(bundle.objects.filter((object) => object.type === 'report')).toHaveLength(2);
    expect(bundle.objects[0].type).toBe('identity');
  });

  it('links every entry under the base URL and drops what XML cannot carry', async () => {
    const { syndication } = service([
      item('11111111-1111-4111-8111-111111111111', {
        title: 'Line one\nline two\u0000',
        body: 'Body\u0001 text',
        indicators: [{ type: 'domain', value: 'evil.example' }],
      }),
    ]);
    const rss = (await syndication.syndication('https://broker.example')).rss2();
    expect(rss).toContain('https://broker.example/public/items/11111111-1111-4111-8111-111111111111');
    expect(rss).toContain('[TLP:CLEAR] Line one line two');
    expect(rss).toContain('Indicators:');
    expect(rss).toContain('domain evil.example');
    expect(rss).not.toMatch(/[\u0000\u0001\u0007]/);
    expect(rss).toContain('CSIRT Police — public advisories (TLP:CLEAR)');
  });

  it('dates an empty feed from when the team began publishing', async () => {
    const { syndication } = service([]);
    const feed = await syndication.syndication('https://broker.example');
    expect(JSON.parse(feed.json1()).items).toEqual([]);
    expect(feed.atom1()).toContain('<updated>2026-01-01T00:00:00.000Z</updated>');
  });
});
