import { Injectable, NotFoundException } from '@nestjs/common';
import { clearEvent, hashLines, manifestEntry, MispEvent, Publisher, sealedEvent } from '@tlp-broker/stix';
import { PartnerPrincipal } from '../auth/principal';
import { EntryHead, inClear, PartnerView, servedContent } from '../feeds/partner-view.service';
import { PublisherService } from '../feeds/publisher.service';

/**
 * Items read at once for manifest.json and hashes.csv (with many more, PostgreSQL reads a channel's
 * deliveries whole to find those of the run's items).
 */
const EVENTS_PER_RUN = 500;

/**
 * A MISP feed of what one partner channel was delivered: one event per item (its latest delivered
 * version, or the recall that withdrew it), manifest.json and hashes.csv. TLP:CLEAR items are
 * events with their indicators as attributes; anything above TLP:CLEAR is an event naming the item
 * by reference whose one attribute is the OpenPGP message encrypted to the partner. MISP keeps what
 * it pulled until a newer event says otherwise, so every attribute served in an earlier version of
 * the event and not in this one comes again marked deleted, and each version of an event has a
 * greater timestamp than the one before (see `servedHistory`).
 *
 * manifest.json and hashes.csv list every event of the feed: they are written a run of items at a
 * time (EVENTS_PER_RUN), so that the memory they take does not grow with the feed; an event file
 * reads its item alone.
 */
@Injectable()
export class MispService {
  constructor(
    private readonly view: PartnerView,
    private readonly publishers: PublisherService,
  ) {}

  /** manifest.json, in parts (its text is their concatenation): read a run of items at a time, never the whole feed. */
  async *manifest(partner: PartnerPrincipal): AsyncGenerator<string> {
    let separator = '';
    yield '{';
    for await (const events of this.events(partner.channelId)) {
      if (events.length === 0) continue;
      yield (
        separator +
        events.map((event) => `${JSON.stringify(event.uuid)}:${JSON.stringify(manifestEntry(event))}`).join(',')
      );
      separator = ',';
    }
    yield '}';
  }

  /** hashes.csv, in parts, as `manifest`. */
  async *hashes(partner: PartnerPrincipal): AsyncGenerator<string> {
    for await (const events of this.events(partner.channelId))
      yield events
        .flatMap(hashLines)
        .map((line) => `${line}\n`)
        .join('');
  }

  async event(partner: PartnerPrincipal, uuid: string): Promise<{ Event: MispEvent }> {
    const head = await this.view.latestOfMispEvent(partner.channelId, uuid);
    if (!head) throw new NotFoundException(`no event ${uuid} in this feed`);
    const [event] = await this.build(partner.channelId, [head], true);
    return { Event: event };
  }

  /**
   * The channel's events without their messages (what manifest.json and hashes.csv need), a run of
   * items at a time; the next run is read while this one is made into events.
   */
  private async *events(channelId: string): AsyncGenerator<MispEvent[]> {
    let reading = this.view.latestPerItem(channelId, EVENTS_PER_RUN);
    for (;;) {
      const { heads, nextFirstUs } = await reading;
      if (nextFirstUs !== null) {
        reading = this.view.latestPerItem(channelId, EVENTS_PER_RUN, nextFirstUs);
        // Awaited on the next turn; a client gone before then leaves it unread, and that is no error.
        reading.catch(() => undefined);
      }
      yield await this.build(channelId, heads, false);
      if (nextFirstUs === null) return;
    }
  }

  /** Each item's event, from its latest entry. */
  private async build(channelId: string, heads: EntryHead[], withMessages: boolean): Promise<MispEvent[]> {
    if (heads.length === 0) return [];
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
