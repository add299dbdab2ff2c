import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
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
  deliveredAt: Date;
  /** ASCII-armored OpenPGP message: signed by the team, encrypted to this channel's key. */
  message: string;
}

/** A partner's pull feed: only what was delivered to the channel its credential belongs to. */
@Injectable()
export class FeedsService {
  constructor(@InjectRepository(FeedEntryEntity) private readonly entries: Repository<FeedEntryEntity>) {}

  async list(partner: PartnerPrincipal, limit = 100, before?: number): Promise<{ entries: FeedEntryView[]; next: string | null }> {
    const rows = await this.entries.find({
      where: { channelId: partner.channelId, ...(before !== undefined ? { seq: LessThan(String(before)) } : {}) },
      order: { seq: 'DESC' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    return { entries: page.map(toView), next: rows.length > limit ? page[page.length - 1].seq : null };
  }

  async get(partner: PartnerPrincipal, deliveryId: string): Promise<FeedEntryView> {
    // Scoped by channel in the query itself: another partner's delivery is indistinguishable from none.
    const row = await this.entries.findOne({ where: { channelId: partner.channelId, deliveryId } });
    if (!row) throw new NotFoundException(`no delivery ${deliveryId} in this feed`);
    return toView(row);
  }
}

function toView(row: FeedEntryEntity): FeedEntryView {
  return {
    id: row.deliveryId,
    entry: row.entry,
    itemId: row.itemId,
    version: row.itemVersion,
    type: row.kind,
    tlp: row.tlp,
    pap: row.pap,
    handling: row.handling,
    keyFingerprint: row.keyFingerprint,
    deliveredAt: row.createdAt,
    message: row.message,
  };
}
