import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { FeedEntryEntity } from '@tlp-broker/persistence';
import { PartnerPrincipal } from '../auth/principal';
import { invalidField } from '../common/errors';
import { INSTANT } from './partner-view';
import type { TlpLabel, PapLabel } from '@tlp-broker/tlp';
import type { ItemKind } from '@tlp-broker/domain';

export interface FeedEntryView {
  id: string;
  /** `item`: a version of an item; `recall`: a notice to withdraw an item received earlier (its message says which versions). */
  entry: 'item' | 'recall';
  itemId: string;
  version: number;
  type: string;
  tlp: TlpLabel;
  pap: PapLabel | null;
  handling: string | null;
  keyFingerprint: string;
  /** When this version was released by the team. */
  publishedAt: Date;
  /**
   * When the entry was added to this feed, with microseconds: distinct for every entry of the feed
   * and in the order entries appear, so `since` set to the newest one seen misses nothing.
   */
  deliveredAt: string;
  /** ASCII-armored OpenPGP message: signed by the team, encrypted to this channel's key. */
  message: string;
}

/** A partner's pull feed: only what was delivered to the channel its credential belongs to. */
@Injectable()
export class FeedsService {
  constructor(@InjectRepository(FeedEntryEntity) private readonly entries: Repository<FeedEntryEntity>) {}

  /**
   * Newest first; `before`: a cursor from a previous page; `since` (an ISO 8601 timestamp with its
   * time zone): only entries added after it. An entry's seq and added time follow the order entries
   * are committed in (see appendFeedEntry), so neither cursor skips an entry committed late.
   */
  async list(
    partner: PartnerPrincipal,
    limit = 100,
    before?: number,
    since?: string,
  ): Promise<{ entries: FeedEntryView[]; next: string | null }> {
    const sinceUs = since === undefined ? null : microsecondsOf(since);
    const rows: Row[] = await this.entries.query(
      `${SELECT} WHERE f.channel_id = $1 AND ($2::bigint IS NULL OR f.seq < $2) AND ($3::bigint IS NULL OR f.added_at > ${INSTANT('$3::bigint')})
        ORDER BY f.seq DESC LIMIT $4`,
      [partner.channelId, before ?? null, sinceUs, limit + 1],
    );
    const page = rows.slice(0, limit);
    return { entries: page.map(toView), next: rows.length > limit ? page[page.length - 1].seq : null };
  }

  async get(partner: PartnerPrincipal, deliveryId: string): Promise<FeedEntryView> {
    // Scoped by channel in the query itself: another partner's delivery is indistinguishable from none.
    const [row]: Row[] = await this.entries.query(`${SELECT} WHERE f.channel_id = $1 AND f.delivery_id = $2`, [
      partner.channelId,
      deliveryId,
    ]);
    if (!row) throw new NotFoundException(`no delivery ${deliveryId} in this feed`);
    return toView(row);
  }
}

const SELECT = `
  SELECT f.seq, f.delivery_id, f.entry, f.item_id, f.item_version, f.kind, f.tlp, f.pap, f.handling, f.key_fingerprint, f.message,
         to_char(f.added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS added_at, v.created_at AS published_at
    FROM feed_entries f JOIN item_versions v ON v.item_id = f.item_id AND v.version = f.item_version`;

interface Row {
  seq: string;
  delivery_id: string;
  entry: 'item' | 'recall';
  item_id: string;
  item_version: number;
  kind: ItemKind;
  tlp: TlpLabel;
  pap: PapLabel | null;
  handling: string | null;
  key_fingerprint: string;
  message: string;
  added_at: string;
  published_at: Date;
}

function toView(row: Row): FeedEntryView {
  return {
    id: row.delivery_id,
    entry: row.entry,
    itemId: row.item_id,
    version: row.item_version,
    type: row.kind,
    tlp: row.tlp,
    pap: row.pap,
    handling: row.handling,
    keyFingerprint: row.key_fingerprint,
    publishedAt: row.published_at,
    deliveredAt: row.added_at,
    message: row.message,
  };
}

/**
 * Microseconds since the epoch of an ISO 8601 date and time with its time zone. Fraction digits
 * beyond the sixth are dropped, never rounded up: an entry added at that microsecond is not after it.
 */
function microsecondsOf(timestamp: string): number {
  const parts = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(timestamp);
  const whole = parts ? Date.parse(`${parts[1]}${parts[3]}`) : Number.NaN;
  if (!parts || Number.isNaN(whole))
    throw invalidField(
      'since',
      'since must be an ISO 8601 date and time with its time zone, e.g. 2026-12-01T08:00:00Z',
    );
  return whole * 1000 + Number((parts[2] ?? '').padEnd(6, '0').slice(0, 6));
}
