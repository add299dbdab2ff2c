import { Injectable } from '@nestjs/common';
import { Feed } from 'feed';
import {
  bundle,
  Bundle,
  identity,
  itemObjects,
  ItemContent,
  PAP_MARKINGS,
  Publisher,
  TLP_MARKINGS,
} from '@tlp-broker/stix';
import type { PapLabel } from '@tlp-broker/tlp';
import { PublisherService } from '../feeds/publisher.service';
import { PublicFeedService, PublicItem } from './public-feed.service';

/**
 * What XML 1.0 cannot carry (C0 controls but TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF), and DEL
 * and the C1 controls, which it can but no reader shows: intake refuses them, but a row written
 * before that rule, or by another path, must not make the whole feed unreadable for every
 * subscriber. They are dropped from what the feeds show.
 */
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function xmlSafe(text: string): string {
  return text.replace(NOT_XML, '');
}

/** A one-line rendering: line breaks (including U+2028/U+2029) and tabs become spaces. */
export function oneLine(text: string): string {
  return xmlSafe(text).replace(/[\t\n\r\u2028\u2029]+/g, ' ');
}

/** The public items in the formats readers and tools subscribe to: RSS 2.0, Atom 1.0, JSON Feed, a STIX 2.1 bundle. */
@Injectable()
export class PublicSyndicationService {
  constructor(
    private readonly feed: PublicFeedService,
    private readonly publishers: PublisherService,
  ) {}

  /** A STIX 2.1 bundle: the team identity, the TLP:CLEAR marking, the PAP markings used, a report per item with its indicators. */
  async stix(limit?: number): Promise<Bundle> {
    const [items, publisher] = await Promise.all([this.feed.newest(limit), this.publishers.publisher()]);
    const paps = [...new Set(items.map((item) => item.pap).filter((pap): pap is PapLabel => pap !== null))];
    return bundle([
      identity(publisher),
      TLP_MARKINGS['TLP:CLEAR'],
      ...paps.map((pap) => PAP_MARKINGS[pap]),
      ...items.flatMap((item) => itemObjects(stixContent(item), publisher)),
    ]);
  }

  /** RSS 2.0, Atom 1.0 or JSON Feed of the public items, every link under `base` (PUBLIC_URL). */
  async syndication(base: string, limit?: number): Promise<Feed> {
    const [items, publisher] = await Promise.all([this.feed.newest(limit), this.publishers.publisher()]);
    const feed = emptyFeed(base, publisher, items[0]?.publishedAt ?? publisher.since);
    for (const item of items) feed.addItem(feedItem(base, item));
    return feed;
  }
}

function stixContent(item: PublicItem): ItemContent {
  return {
    itemId: item.id,
    version: item.version,
    kind: item.type,
    tlp: item.tlp,
    pap: item.pap,
    title: item.title,
    summary: item.summary,
    body: item.body,
    indicators: item.indicators,
    createdAt: item.firstPublishedAt,
    modifiedAt: item.publishedAt,
  };
}

function emptyFeed(base: string, publisher: Publisher, updated: Date): Feed {
  const name = oneLine(publisher.name);
  return new Feed({
    title: `${name} — public advisories (TLP:CLEAR)`,
    description: `TLP:CLEAR alerts and advisories published by ${name}. Anything above TLP:CLEAR goes only to partners, encrypted.`,
    id: `${base}/public/`,
    link: `${base}/public/feed.json`,
    language: 'en',
    updated,
    copyright: `TLP:CLEAR — ${name}; recipients may share without restriction`,
    feedLinks: { rss: `${base}/public/feed.rss`, atom: `${base}/public/feed.atom`, json: `${base}/public/feed.json` },
    author: { name, email: publisher.contactEmail },
  });
}

function feedItem(base: string, item: PublicItem): Parameters<Feed['addItem']>[0] {
  return {
    title: `[TLP:CLEAR] ${oneLine(item.title)}`,
    id: `urn:uuid:${item.id}`,
    link: `${base}/public/items/${item.id}`,
    date: item.publishedAt,
    published: item.firstPublishedAt,
    description: xmlSafe(item.summary) || oneLine(item.title),
    content: xmlSafe(
      [
        item.body,
        ...(item.indicators.length > 0
          ? ['', 'Indicators:', ...item.indicators.map((i) => `${i.type} ${oneLine(i.value)}`)]
          : []),
      ].join('\n'),
    ),
    category: [{ name: item.type }, { name: 'TLP:CLEAR' }],
  };
}
