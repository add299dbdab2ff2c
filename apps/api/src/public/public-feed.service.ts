import { Injectable } from '@nestjs/common';
import { Feed } from 'feed';
import { DataSource } from 'typeorm';
import { OutboxTopic } from '@tlp-broker/persistence';
import { bundle, Bundle, identity, itemObjects, ItemContent, PAP_MARKINGS, TLP_MARKINGS } from '@tlp-broker/stix';
import { PartnerView } from '../feeds/partner-view';
import { Indicator } from '@tlp-broker/domain';
import type { TlpLabel, PapLabel } from '@tlp-broker/tlp';
import type { ItemKind, Severity } from '@tlp-broker/domain';

export const PUBLIC_FEED_LIMIT = 100;

/**
 * What XML 1.0 cannot carry (C0 controls but TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF), and DEL
 * and the C1 controls, which it can but no reader shows: intake refuses them, but a row written
 * before that rule, or by another path, must not make the whole feed unreadable for every
 * subscriber. They are dropped from what the feeds show.
 */
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function xmlSafe(text: string): string {
  return text.replace(NOT_XML, '');
}

/** A one-line rendering: line breaks (including U+2028/U+2029) and tabs become spaces. */
function oneLine(text: string): string {
  return xmlSafe(text).replace(/[\t\n\r\u2028\u2029]+/g, ' ');
}

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

/**
 * The public feed: TLP:CLEAR only, no credentials. An item is in it while the latest version the
 * team released (routed) is TLP:CLEAR and the item is not retracted; a newer version above
 * TLP:CLEAR takes it out.
 */
@Injectable()
export class PublicFeedService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly view: PartnerView,
  ) {}

  async items(limit = PUBLIC_FEED_LIMIT): Promise<PublicItem[]> {
    const rows: {
      id: string;
      kind: ItemKind;
      item_created_at: Date;
      version: number;
      tlp: TlpLabel;
      pap: PapLabel | null;
      severity: Severity | null;
      title: string;
      summary: string;
      body: string;
      indicators: Indicator[];
      released_at: Date;
    }[] = await this.dataSource.query(
      `SELECT * FROM (
         SELECT DISTINCT ON (i.id) i.id, i.kind, i.created_at AS item_created_at, v.version, v.tlp, v.pap, v.severity, v.title, v.summary,
                v.body, v.indicators, v.created_at AS released_at
           FROM items i
           JOIN item_versions v ON v.item_id = i.id
           JOIN outbox o ON o.item_version_id = v.id AND o.topic = $1 AND o.processed_at IS NOT NULL
          WHERE i.state <> 'retracted'
          ORDER BY i.id, v.version DESC
       ) latest
       WHERE latest.tlp = 'TLP:CLEAR'
       ORDER BY latest.released_at DESC
       LIMIT $2`,
      [OutboxTopic.Published, Math.min(Math.max(1, Math.trunc(limit)), PUBLIC_FEED_LIMIT)],
    );
    return rows.map((row) => ({
      id: row.id,
      version: row.version,
      type: row.kind,
      tlp: 'TLP:CLEAR',
      pap: row.pap,
      severity: row.severity,
      title: row.title,
      summary: row.summary,
      body: row.body,
      indicators: row.indicators,
      firstPublishedAt: row.item_created_at,
      publishedAt: row.released_at,
    }));
  }

  async stix(limit?: number): Promise<Bundle> {
    const [items, publisher] = await Promise.all([this.items(limit), this.view.publisher()]);
    const content = (item: PublicItem): ItemContent => ({
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
    });
    const paps = [...new Set(items.map((item) => item.pap).filter((pap): pap is PapLabel => pap !== null))];
    return bundle([
      identity(publisher),
      TLP_MARKINGS['TLP:CLEAR'],
      ...paps.map((pap) => PAP_MARKINGS[pap]),
      ...items.flatMap((item) => itemObjects(content(item), publisher)),
    ]);
  }

  /** RSS 2.0, Atom 1.0 or JSON Feed of the public items. */
  async syndication(base: string, limit?: number): Promise<Feed> {
    const [items, publisher] = await Promise.all([this.items(limit), this.view.publisher()]);
    const name = oneLine(publisher.name);
    const feed = new Feed({
      title: `${name} — public advisories (TLP:CLEAR)`,
      description: `TLP:CLEAR alerts and advisories published by ${name}. Anything above TLP:CLEAR goes only to partners, encrypted.`,
      id: `${base}/public/`,
      link: `${base}/public/feed.json`,
      language: 'en',
      updated: items[0]?.publishedAt ?? publisher.since,
      copyright: `TLP:CLEAR — ${name}; recipients may share without restriction`,
      feedLinks: { rss: `${base}/public/feed.rss`, atom: `${base}/public/feed.atom`, json: `${base}/public/feed.json` },
      author: { name, email: publisher.contactEmail },
    });
    for (const item of items) {
      feed.addItem({
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
      });
    }
    return feed;
  }
}
