import { Injectable, NotFoundException } from '@nestjs/common';
import { FeedEntryRepository, PulledFeedEntry } from '@tlp-broker/persistence';
import type { TlpLabel, PapLabel } from '@tlp-broker/tlp';
import type { DeliveryKind } from '@tlp-broker/domain';
import { PartnerPrincipal } from '../auth/principal';
import { invalidField } from '../common/errors';

export interface FeedEntryView {
  id: string;
  /** `item`: a version of an item; `recall`: a notice to withdraw an item received earlier (its message says which versions). */
  entry: DeliveryKind;
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

/** A page of the feed, newest first. */
export interface FeedPageView {
  entries: FeedEntryView[];
  /** `before` for the next (older) page; null on the last page. */
  next: string | null;
}

/** A partner's pull feed: only what was delivered to the channel its credential belongs to. */
@Injectable()
export class FeedsService {
  constructor(private readonly entries: FeedEntryRepository) {}

  /**
   * Newest first; `before`: a cursor from a previous page; `since` (an ISO 8601 timestamp with its
   * time zone): only entries added after it. An entry's seq and added time follow the order entries
   * are committed in (see FeedEntryRepository.append), so neither cursor skips an entry committed late.
   */
  async list(partner: PartnerPrincipal, limit = 100, before?: number, since?: string): Promise<FeedPageView> {
    const sinceUs = since === undefined ? undefined : microsecondsOf(since);
    const rows = await this.entries.newestOfChannel(partner.channelId, { limit: limit + 1, before, sinceUs });
    const page = rows.slice(0, limit);
    return { entries: page.map(toView), next: rows.length > limit ? page[page.length - 1].seq : null };
  }

  async get(partner: PartnerPrincipal, deliveryId: string): Promise<FeedEntryView> {
    const entry = await this.entries.channelEntry(partner.channelId, deliveryId);
    if (!entry) throw new NotFoundException(`no delivery ${deliveryId} in this feed`);
    return toView(entry);
  }
}

/** The entry as the JSON feed shows it (this key order is part of the page's ETag). */
function toView(entry: PulledFeedEntry): FeedEntryView {
  return {
    id: entry.deliveryId,
    entry: entry.entry,
    itemId: entry.itemId,
    version: entry.itemVersion,
    type: entry.kind,
    tlp: entry.tlp,
    pap: entry.pap,
    handling: entry.handling,
    keyFingerprint: entry.keyFingerprint,
    publishedAt: entry.publishedAt,
    deliveredAt: entry.addedAt,
    message: entry.message,
  };
}

/**
 * Microseconds since the epoch of an ISO 8601 date and time with its time zone. Fraction digits
 * beyond the sixth are dropped, never rounded up: an entry added at that microsecond is not after it.
 */
export function microsecondsOf(timestamp: string): number {
  const parts = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(timestamp);
  const whole = parts ? Date.parse(`${parts[1]}${parts[3]}`) : Number.NaN;
  if (!parts || Number.isNaN(whole))
    throw invalidField(
      'since',
      'since must be an ISO 8601 date and time with its time zone, e.g. 2026-12-01T08:00:00Z',
    );
  return whole * 1000 + Number((parts[2] ?? '').padEnd(6, '0').slice(0, 6));
}
