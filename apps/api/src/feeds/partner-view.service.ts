import { Injectable } from '@nestjs/common';
import {
  DeliveryRepository,
  FeedEntryHead,
  FeedEntryRepository,
  ItemRepository,
  OrganisationRepository,
  RunStart,
} from '@tlp-broker/persistence';
import { ItemContent, SealedCopy, StepView } from '@tlp-broker/stix';
import { inClear, servedViews, withEntries } from './served-steps';

/**
 * What one partner channel was delivered, as every pull form (JSON, TAXII, MISP) sees it: its feed
 * entries, nothing else. An entry is an item version or a recall notice. A TLP:CLEAR item version
 * may be served in the clear; anything else only as the recipient's own encrypted copy.
 */
export type EntryHead = FeedEntryHead;

export { inClear } from './served-steps';

@Injectable()
export class PartnerView {
  private readonly channelsCreated = new Map<string, number>();

  constructor(
    private readonly entries: FeedEntryRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly items: ItemRepository,
    private readonly organisations: OrganisationRepository,
  ) {}

  /**
   * A run of at most `limit` entries of the channel's feed, in the order they were added, from
   * `start`, without the messages; with every entry of the channel for the run's items (how an
   * entry is served depends on the rest of its item's history).
   */
  run(channelId: string, start: RunStart, limit: number): Promise<{ run: EntryHead[]; ofItems: EntryHead[] }> {
    return this.entries.runWithItems(channelId, start, limit);
  }

  /**
   * Each item's latest entry (its highest version, or the recall that withdrew it), for the next
   * `limit` items in the order of their first entry, after the item whose first entry was added at
   * `afterFirstUs`; `nextFirstUs` continues, null when there is no more.
   */
  latestPerItem(
    channelId: string,
    limit: number,
    afterFirstUs?: number,
  ): Promise<{ heads: EntryHead[]; nextFirstUs: number | null }> {
    return this.entries.latestPerItem(channelId, limit, afterFirstUs);
  }

  /** The items of the channel that serve the STIX report or note (`report`) or artifact with this UUID. */
  itemsOfStixObject(channelId: string, kind: 'report' | 'artifact', uuid: string): Promise<string[]> {
    return this.entries.itemsOfStixObject(channelId, kind, uuid);
  }

  /** Every entry of the channel for these items, in added order, without the messages. */
  entriesOfItems(channelId: string, itemIds: readonly string[]): Promise<EntryHead[]> {
    return this.entries.entriesOfItems(channelId, itemIds);
  }

  /** The latest entry of the channel's item whose MISP event has this UUID; null if the channel has none. */
  latestOfMispEvent(channelId: string, eventUuid: string): Promise<EntryHead | null> {
    return this.entries.latestOfMispEvent(channelId, eventUuid);
  }

  /** The armored messages of some of the channel's entries, by seq. */
  messages(channelId: string, seqs: readonly string[]): Promise<Map<string, string>> {
    return this.entries.messagesOfChannel(channelId, seqs);
  }

  /** The content of TLP:CLEAR item versions the channel was delivered (only those), by seq. */
  async clearContent(heads: readonly EntryHead[]): Promise<Map<string, ItemContent>> {
    const wanted = heads.filter(inClear);
    if (wanted.length === 0) return new Map();
    const texts = await this.items.versionTexts(wanted.map((head) => ({ itemId: head.itemId, version: head.version })));
    // The version's own label decides too: nothing above TLP:CLEAR is ever served in the clear.
    const byKey = new Map(
      texts.filter((text) => text.tlp === 'TLP:CLEAR').map((text) => [`${text.itemId}/${text.version}`, text]),
    );
    const out = new Map<string, ItemContent>();
    for (const head of wanted) {
      const text = byKey.get(`${head.itemId}/${head.version}`);
      if (!text) continue;
      out.set(head.seq, {
        itemId: head.itemId,
        version: head.version,
        kind: head.kind,
        tlp: head.tlp,
        pap: head.pap,
        title: text.title,
        summary: text.summary,
        body: text.body,
        indicators: head.indicators,
        createdAt: head.itemCreatedAt,
        modifiedAt: head.versionCreatedAt,
      });
    }
    return out;
  }

  /**
   * How each entry is served, given everything the channel was handed of its item (`servedHistory`):
   * one view per head, by delivery. Item versions come from the deliveries made to the channel,
   * since a retraction or a narrowing update removes their entries from the feed while partners'
   * tools still hold what they ingested from them.
   */
  async served(channelId: string, heads: readonly EntryHead[]): Promise<Map<string, StepView>> {
    if (heads.length === 0) return new Map();
    const itemIds = [...new Set(heads.map((head) => head.itemId))];
    const delivered = await this.deliveries.servedToChannel(channelId, itemIds);
    return servedViews(withEntries(delivered, heads).values());
  }

  /** The recipient's own copy of an entry, described without its content. */
  sealedCopy(head: EntryHead, message: string, view: StepView): SealedCopy {
    return {
      itemId: head.itemId,
      version: view.referenceVersion,
      kind: head.kind,
      tlp: head.tlp,
      pap: head.entry === 'item' ? head.pap : null,
      createdAt: head.itemCreatedAt,
      modifiedAt: view.modified,
      deliveryId: head.deliveryId,
      armoredMessage: message,
      keyFingerprint: head.keyFingerprint,
      revoked: head.entry === 'recall',
      recall: head.entry === 'recall',
      generation: view.generation,
    };
  }

  /**
   * When the channel was created, in microseconds: the team identity and the marking definitions
   * are added then. A channel's creation never changes: it is read once per channel.
   */
  async channelCreatedUs(channelId: string): Promise<number> {
    const known = this.channelsCreated.get(channelId);
    if (known !== undefined) return known;
    const created = await this.organisations.channelCreatedMicros(channelId);
    if (created === null) throw new Error(`channel ${channelId} does not exist`);
    this.channelsCreated.set(channelId, created);
    return created;
  }
}

/** A TLP:CLEAR item version's content as this step serves it (its `modified`, its indicators' generations). */
export function servedContent(content: ItemContent, view: StepView): ItemContent {
  return {
    ...content,
    modifiedAt: view.modified,
    generation: view.generation,
    indicators: view.live.map((version) => version.indicator),
  };
}
