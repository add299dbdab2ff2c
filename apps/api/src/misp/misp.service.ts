import { Injectable, NotFoundException } from '@nestjs/common';
import {
  clearEvent,
  hashLines,
  manifestEntry,
  MispEvent,
  MispManifestEntry,
  mispEventUuid,
  Publisher,
  sealedEvent,
} from '@tlp-broker/stix';
import { PartnerPrincipal } from '../auth/principal';
import { EntryHead, inClear, PartnerView, servedContent } from '../feeds/partner-view.service';
import { PublisherService } from '../feeds/publisher.service';

/**
 * A MISP feed of what one partner channel was delivered: one event per item (its latest delivered
 * version, or the recall that withdrew it), manifest.json and hashes.csv. TLP:CLEAR items are
 * events with their indicators as attributes; anything above TLP:CLEAR is an event naming the item
 * by reference whose one attribute is the OpenPGP message encrypted to the partner. MISP keeps what
 * it pulled until a newer event says otherwise, so every attribute served in an earlier version of
 * the event and not in this one comes again marked deleted, and each version of an event has a
 * greater timestamp than the one before (see `servedHistory`).
 */
@Injectable()
export class MispService {
  constructor(
    private readonly view: PartnerView,
    private readonly publishers: PublisherService,
  ) {}

  async manifest(partner: PartnerPrincipal): Promise<Record<string, MispManifestEntry>> {
    const events = await this.events(partner, false);
    return Object.fromEntries(events.map((event) => [event.uuid, manifestEntry(event)]));
  }

  async hashes(partner: PartnerPrincipal): Promise<string> {
    const events = await this.events(partner, false);
    return events
      .flatMap(hashLines)
      .map((line) => `${line}\n`)
      .join('');
  }

  async event(partner: PartnerPrincipal, uuid: string): Promise<{ Event: MispEvent }> {
    const heads = latestPerItem(await this.view.heads(partner.channelId)).filter(
      (head) => mispEventUuid(head.itemId) === uuid,
    );
    if (heads.length === 0) throw new NotFoundException(`no event ${uuid} in this feed`);
    const [event] = await this.build(partner.channelId, heads, true);
    return { Event: event };
  }

  private async events(partner: PartnerPrincipal, withMessages: boolean): Promise<MispEvent[]> {
    return this.build(partner.channelId, latestPerItem(await this.view.heads(partner.channelId)), withMessages);
  }

  private async build(channelId: string, heads: EntryHead[], withMessages: boolean): Promise<MispEvent[]> {
    const publisher: Publisher = await this.publishers.publisher();
    const [clear, messages, views] = await Promise.all([
      this.view.clearContent(heads),
      withMessages
        ? this.view.messages(
            channelId,
            heads.filter((head) => !inClear(head)).map((head) => head.seq),
          )
        : Promise.resolve(new Map<string, string>()),
      this.view.served(channelId, heads),
    ]);
    return heads.map((head) => {
      const view = views.get(head.deliveryId)!;
      const serving = { timestamp: view.mispTimestamp, withdrawn: view.withdrawn };
      const content = clear.get(head.seq);
      if (content) return clearEvent({ ...servedContent(content, view), severity: view.severity }, publisher, serving);
      // manifest.json and hashes.csv need only the event's header and attribute names.
      return sealedEvent(
        { ...this.view.sealedCopy(head, messages.get(head.seq) ?? '', view), severity: view.severity },
        publisher,
        serving,
      );
    });
  }
}

/**
 * For each item, the channel's latest entry: the highest version, or the recall that withdrew it
 * (an older version's delivery that finished late does not take the event back).
 */
function latestPerItem(heads: readonly EntryHead[]): EntryHead[] {
  const rank = (head: EntryHead) => head.version * 2 + (head.entry === 'recall' ? 1 : 0);
  const latest = new Map<string, EntryHead>();
  for (const head of heads) {
    const held = latest.get(head.itemId);
    if (!held || rank(head) >= rank(held)) latest.set(head.itemId, head);
  }
  return [...latest.values()];
}
