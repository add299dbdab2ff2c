import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { FeedEntryEntity } from '@tlp-broker/persistence';
import { PartnerPrincipal } from '../auth/principal';

export interface FeedEntryView {
  id: string;
  /** `item`: a version of an item; `recall`: a notice to withdraw an item received earlier (its message says which versions). */
  entry: 'item' | 'recall';
  itemId: string;
  version: number;
  type: string;
  tlp: string;
  pap: string | null;
  handling: string | null;
  keyFingerprint: string;
  /** When this version was released by the team. */
  publishedAt: Date;
  deliveredAt: Date;
  /** ASCII-armored OpenPGP message: signed by the team, encrypted to this channel's key. */
  message: string;
}

/** A partner's pull feed: only what was delivered to the channel its credential belongs to. */
@Injectable()
export class FeedsService {
  constructor(@InjectRepository(FeedEntryEntity) private readonly entries: Repository<FeedEntryEntity>) {}

  /** Newest first; `before`: a cursor from a previous page; `since`: only entries delivered after it. */
  async list(partner: PartnerPrincipal, limit = 100, before?: number, since?: Date): Promise<{ entries: FeedEntryView[]; next: string | null }> {
    const rows: Row[] = await this.entries.query(
      `${SELECT} WHERE f.channel_id = $1 AND ($2::bigint IS NULL OR f.seq < $2) AND ($3::timestamptz IS NULL OR date_trunc('milliseconds', f.created_at) > $3)
        ORDER BY f.seq DESC LIMIT $4`,
      [partner.channelId, before ?? null, since ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    return { entries: page.map(toView), next: rows.length > limit ? page[page.length - 1].seq : null };
  }

  async get(partner: PartnerPrincipal, deliveryId: string): Promise<FeedEntryView> {
    // Scoped by channel in the query itself: another partner's delivery is indistinguishable from none.
    const [row]: Row[] = await this.entries.query(`${SELECT} WHERE f.channel_id = $1 AND f.delivery_id = $2`, [partner.channelId, deliveryId]);
    if (!row) throw new NotFoundException(`no delivery ${deliveryId} in this feed`);
    return toView(row);
  }
}

const SELECT = `
  SELECT f.seq, f.delivery_id, f.entry, f.item_id, f.item_version, f.kind, f.tlp, f.pap, f.handling, f.key_fingerprint, f.message,
         f.created_at, v.created_at AS published_at
    FROM feed_entries f JOIN item_versions v ON v.item_id = f.item_id AND v.version = f.item_version`;

interface Row {
  seq: string;
  delivery_id: string;
  entry: 'item' | 'recall';
  item_id: string;
  item_version: number;
  kind: string;
  tlp: string;
  pap: string | null;
  handling: string | null;
  key_fingerprint: string;
  message: string;
  created_at: Date;
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
    deliveredAt: row.created_at,
    message: row.message,
  };
}
