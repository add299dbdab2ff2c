import { Injectable, NotFoundException } from '@nestjs/common';
import { ItemRepository, PublicRelease } from '@tlp-broker/persistence';
import type { PapLabel } from '@tlp-broker/tlp';
import type { Indicator, ItemKind, Severity } from '@tlp-broker/domain';

export const PUBLIC_FEED_LIMIT = 100;

export interface PublicItem {
  id: string;
  version: number;
  type: ItemKind;
  tlp: 'TLP:CLEAR';
  pap: PapLabel | null;
  severity: Severity | null;
  title: string;
  summary: string;
  body: string;
  indicators: Indicator[];
  firstPublishedAt: Date;
  publishedAt: Date;
}

/** GET /public/items: the newest public items. */
export interface PublicItemList {
  items: PublicItem[];
}

/**
 * The public feed: TLP:CLEAR only, no credentials. An item is in it while the latest version the
 * team released (routed) is TLP:CLEAR and the item is not retracted; a newer version above
 * TLP:CLEAR takes it out.
 */
@Injectable()
export class PublicFeedService {
  constructor(private readonly items: ItemRepository) {}

  /** The newest public items (1 to PUBLIC_FEED_LIMIT), newest release first. */
  async newest(limit = PUBLIC_FEED_LIMIT): Promise<PublicItem[]> {
    const releases = await this.items.publicReleases(Math.min(Math.max(1, Math.trunc(limit)), PUBLIC_FEED_LIMIT));
    return releases.map(toPublicItem);
  }

  /** Any public item, however many were released after it; any other id is a 404. */
  async item(id: string): Promise<PublicItem> {
    const release = await this.items.publicRelease(id);
    if (!release) throw new NotFoundException(`no public item ${id}`);
    return toPublicItem(release);
  }
}

function toPublicItem(release: PublicRelease): PublicItem {
  return {
    id: release.itemId,
    version: release.version,
    type: release.kind,
    tlp: 'TLP:CLEAR',
    pap: release.pap,
    severity: release.severity,
    title: release.title,
    summary: release.summary,
    body: release.body,
    indicators: release.indicators,
    firstPublishedAt: release.itemCreatedAt,
    publishedAt: release.releasedAt,
  };
}
