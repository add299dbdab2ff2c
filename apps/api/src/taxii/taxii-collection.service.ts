import { Injectable } from '@nestjs/common';
import {
  artifactId,
  identity,
  indicatorId,
  indicatorVersionObjects,
  itemObjects,
  itemStixId,
  PAP_MARKINGS,
  Publisher,
  sealedObjects,
  StepView,
  StixObject,
  TLP_MARKINGS,
} from '@tlp-broker/stix';
import { EntryHead, inClear, PartnerView, servedContent } from '../feeds/partner-view.service';
import { PublisherService } from '../feeds/publisher.service';
import { ObjectRecord } from './taxii.types';

/**
 * The objects of a partner channel's TAXII collection: which object versions it holds, in
 * collection order (each with its own date_added), and the STIX objects themselves for a page of
 * them. TLP:CLEAR item versions are STIX in the clear; anything above TLP:CLEAR only the
 * recipient's own encrypted copy (a report naming the item by reference, and an artifact holding
 * the OpenPGP message encrypted to its key).
 */
@Injectable()
export class TaxiiCollectionService {
  constructor(
    private readonly view: PartnerView,
    private readonly publishers: PublisherService,
  ) {}

  /**
   * The object versions of the channel's collection, in collection order; only those that may have
   * been added after `addedAfter` (microseconds) when given (a client polling for what is new reads
   * only the new entries). Each entry is served as the change it makes to what the partner holds:
   * new versions of its report and indicators, and revoked versions of indicators (and, for a
   * recall, of the report) it no longer stands by.
   */
  async records(channelId: string, addedAfter?: number): Promise<{ records: ObjectRecord[]; publisher: Publisher }> {
    const [heads, publisher, channelCreated] = await Promise.all([
      this.view.heads(channelId, addedAfter),
      this.publishers.publisher(),
      this.view.channelCreatedUs(channelId),
    ]);
    const views = await this.view.served(channelId, heads);
    const records = [
      ...fixedRecords(publisher, channelCreated),
      ...heads.flatMap((head) => entryRecords(head, views.get(head.deliveryId)!)),
    ];
    records.sort((a, b) => a.dateAdded - b.dateAdded);
    return { records, publisher };
  }

  /** The STIX objects of a page: messages and clear content are read only for its entries. */
  async materialise(channelId: string, records: readonly ObjectRecord[], publisher: Publisher): Promise<StixObject[]> {
    const entries = [
      ...new Map(
        records
          .filter((record) => record.head)
          .map((record) => [record.head!.seq, { head: record.head!, view: record.view! }]),
      ).values(),
    ];
    const built = await this.entryObjects(channelId, entries, publisher);
    return records.flatMap((record) => {
      if (record.fixed) return [record.fixed];
      const objects = built.get(record.head!.seq) ?? [];
      const object = objects.find(
        (candidate) =>
          candidate.id === record.id &&
          (candidate.modified === undefined || candidate.modified === record.version.toISOString()),
      );
      return object ? [object] : [];
    });
  }

  /** Every STIX object each entry is served as, by seq. */
  private async entryObjects(
    channelId: string,
    entries: readonly { head: EntryHead; view: StepView }[],
    publisher: Publisher,
  ): Promise<Map<string, StixObject[]>> {
    const heads = entries.map((entry) => entry.head);
    const [messages, clear] = await Promise.all([
      this.view.messages(
        channelId,
        heads.filter((head) => !inClear(head)).map((head) => head.seq),
      ),
      this.view.clearContent(heads),
    ]);
    const built = new Map<string, StixObject[]>();
    for (const { head, view } of entries) {
      const content = clear.get(head.seq);
      const revoked = indicatorVersionObjects(head.itemId, head.itemCreatedAt, view.revoked, publisher);
      if (content) built.set(head.seq, [...itemObjects(servedContent(content, view), publisher), ...revoked]);
      else if (messages.has(head.seq))
        built.set(head.seq, [
          ...sealedObjects(this.view.sealedCopy(head, messages.get(head.seq)!, view), publisher),
          ...revoked,
        ]);
    }
    return built;
  }
}

/**
 * The team identity and the marking definitions, added just before the channel was created (each
 * at a microsecond of its own, before any feed entry).
 */
export function fixedRecords(publisher: Publisher, channelCreatedUs: number): ObjectRecord[] {
  const objects: StixObject[] = [identity(publisher), ...Object.values(TLP_MARKINGS), ...Object.values(PAP_MARKINGS)];
  return objects.map((object, part) => ({
    id: object.id,
    type: object.type,
    version: new Date(String(object.modified ?? object.created)),
    dateAdded: channelCreatedUs - objects.length + part,
    seq: 0n,
    part,
    head: null,
    view: null,
    fixed: object,
  }));
}

/**
 * The object versions one entry adds, a microsecond apart from its added time: its report (or
 * note), then its indicators in the clear or its artifact, then the indicators it revokes.
 */
export function entryRecords(head: EntryHead, view: StepView): ObjectRecord[] {
  const records: ObjectRecord[] = [];
  const add = (id: string, type: string, version: Date) => {
    const part = records.length;
    records.push({ id, type, version, dateAdded: head.addedUs + part, seq: BigInt(head.seq), part, head, view });
  };
  const main = itemStixId(head.itemId, head.kind, view.generation);
  add(main, main.split('--')[0], view.modified);
  if (inClear(head)) {
    for (const live of view.live) add(indicatorId(head.itemId, live.indicator), 'indicator', live.modified);
  } else {
    add(artifactId(head.deliveryId), 'artifact', view.modified);
  }
  for (const revoked of view.revoked) add(indicatorId(head.itemId, revoked.indicator), 'indicator', revoked.modified);
  return records;
}
