import { Injectable } from '@nestjs/common';
import {
  artifactId,
  identity,
  indicatorId,
  indicatorVersionObjects,
  itemObjects,
  itemStixId,
  Page,
  pageOfRecords,
  PAP_MARKINGS,
  Publisher,
  sealedObjects,
  selectRecords,
  StepView,
  StixObject,
  TaxiiQuery,
  TLP_MARKINGS,
} from '@tlp-broker/stix';
import type { RunStart } from '@tlp-broker/persistence';
import { EntryHead, inClear, PartnerView, servedContent } from '../feeds/partner-view.service';
import { PublisherService } from '../feeds/publisher.service';
import { TaxiiNextTokens } from './taxii-next-token';
import { ObjectRecord } from './taxii.types';

/**
 * Entries read at most at once while looking for a page's objects (the first run reads fewer: see
 * `entryRecords`); with many more, PostgreSQL reads a channel's deliveries whole to find those of
 * the run's items.
 */
const MAX_RUN = 500;

/**
 * The objects of a partner channel's TAXII collection: which object versions it holds, in
 * collection order (each with its own date_added), and the STIX objects themselves for a page of
 * them. TLP:CLEAR item versions are STIX in the clear; anything above TLP:CLEAR only the
 * recipient's own encrypted copy (a report naming the item by reference, and an artifact holding
 * the OpenPGP message encrypted to its key).
 *
 * A page is read in runs of entries in added order from where it starts, never the whole
 * collection: each entry holds its objects' dates added (a microsecond apart, after the previous
 * entry's), so a run ends a page as soon as it has found one object more than the page holds.
 */
@Injectable()
export class TaxiiCollectionService {
  constructor(
    private readonly view: PartnerView,
    private readonly publishers: PublisherService,
    private readonly tokens: TaxiiNextTokens,
  ) {}

  /**
   * The page of the channel's collection a query asks for (see selectRecords), with the publisher
   * its objects name. `query.next` must be a token handed out for this collection (a 400 otherwise).
   */
  async page(channelId: string, query: TaxiiQuery): Promise<{ page: Page<ObjectRecord>; publisher: Publisher }> {
    const after = this.tokens.open(channelId, query.next);
    const afterUs = after === undefined ? query.addedAfter : Math.max(after, query.addedAfter ?? after);
    const [publisher, channelCreated] = await Promise.all([
      this.publishers.publisher(),
      this.view.channelCreatedUs(channelId),
    ]);
    const found = selectRecords(fixedRecords(publisher, channelCreated), query, afterUs);
    const items = query.ids ? await this.itemsServing(channelId, query.ids) : null;
    const more = items
      ? this.itemRecords(channelId, items, query, afterUs)
      : this.entryRecords(channelId, query, afterUs);
    if (found.length <= query.limit)
      for await (const records of more) {
        found.push(...records);
        if (found.length > query.limit) break;
      }
    const page = pageOfRecords(found, query.limit, (dateAdded) => this.tokens.seal(channelId, dateAdded));
    return { page, publisher };
  }

  /** Whether the collection holds any version of the object. */
  async holds(channelId: string, objectId: string): Promise<boolean> {
    const { page } = await this.page(channelId, { limit: 1, ids: [objectId], versions: ['all'] });
    return page.items.length > 0;
  }

  /** The object versions a query selects (after `afterUs`), run after run of entries in added order. */
  private async *entryRecords(
    channelId: string,
    query: TaxiiQuery,
    afterUs: number | undefined,
  ): AsyncGenerator<ObjectRecord[]> {
    // Every entry holds at least two objects: a first run of half a page and one more usually ends it.
    let size = Math.min(MAX_RUN, Math.ceil(query.limit / 2) + 1);
    let start: RunStart = afterUs === undefined ? null : { coverUs: afterUs };
    for (;;) {
      const { run, ofItems } = await this.view.run(channelId, start, size);
      if (run.length === 0) return;
      const inRun = new Set(run.map((head) => head.seq));
      const found = (await this.selected(channelId, ofItems, query, afterUs)).filter((record) =>
        inRun.has(record.head!.seq),
      );
      yield found.sort((a, b) => a.dateAdded - b.dateAdded);
      if (run.length < size) return;
      start = { afterUs: run[run.length - 1].addedUs };
      size = Math.min(MAX_RUN, size * 2);
    }
  }

  /**
   * The items whose entries serve the objects named (reports, notes and artifacts are found through
   * indexes; the team identity and the marking definitions are served by none); null when one of
   * them is of another kind (an indicator), to be looked for run after run.
   */
  private async itemsServing(channelId: string, ids: readonly string[]): Promise<string[] | null> {
    const items = new Set<string>();
    for (const id of ids) {
      const [, type, uuid] =
        /^([a-z-]+)--([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(id) ?? [];
      if (type === 'identity' || type === 'marking-definition' || type === undefined) continue;
      if (type !== 'report' && type !== 'note' && type !== 'artifact') return null;
      for (const item of await this.view.itemsOfStixObject(
        channelId,
        type === 'artifact' ? 'artifact' : 'report',
        uuid,
      ))
        items.add(item);
    }
    return [...items];
  }

  /** The object versions a query selects (after `afterUs`) among those the entries of these items serve. */
  private async *itemRecords(
    channelId: string,
    items: readonly string[],
    query: TaxiiQuery,
    afterUs: number | undefined,
  ): AsyncGenerator<ObjectRecord[]> {
    const heads = await this.view.entriesOfItems(channelId, items);
    yield (await this.selected(channelId, heads, query, afterUs)).sort((a, b) => a.dateAdded - b.dateAdded);
  }

  /**
   * The object versions a query selects of those some entries serve — every entry of the channel
   * for their items — each entry served as its item's history serves it (the change it makes to what
   * the partner holds: new versions of its report and indicators, revoked versions of indicators
   * and, for a recall, of the report).
   */
  private async selected(
    channelId: string,
    heads: readonly EntryHead[],
    query: TaxiiQuery,
    afterUs: number | undefined,
  ): Promise<ObjectRecord[]> {
    if (heads.length === 0) return [];
    const views = await this.view.served(channelId, heads);
    const byItem = new Map<string, ObjectRecord[]>();
    for (const head of heads) {
      const records = entryRecords(head, views.get(head.deliveryId)!);
      const held = byItem.get(head.itemId);
      if (held) held.push(...records);
      else byItem.set(head.itemId, records);
    }
    return [...byItem.values()].flatMap((records) => selectRecords(records, query, afterUs));
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
