import { vi } from 'vitest';
import type { FeedEntryHead, RunStart } from '@tlp-broker/persistence';
import { artifactId, itemStixId, mispEventUuid, Publisher, servedHistory, StepView } from '@tlp-broker/stix';
import { PartnerView } from './partner-view.service';
import type { PublisherService } from './publisher.service';
import { stepOfHead } from './served-steps';

/** What the pull forms (TAXII, MISP) read of a channel, replaced for their unit tests: nothing here touches a database. */

export const PUBLISHER: Publisher = {
  name: 'Test CSIRT',
  since: new Date('2026-01-01T00:00:00Z'),
  contactEmail: 'c@t.example',
};

/** The publisher the pull forms name: always PUBLISHER. */
export function fakePublishers(): PublisherService {
  return { publisher: vi.fn(async () => PUBLISHER) } as unknown as PublisherService;
}

/** Entries in added order from `start` (as FeedEntryRepository.runWithItems reads them). */
function runFrom(heads: readonly FeedEntryHead[], start: RunStart): FeedEntryHead[] {
  const ordered = [...heads].sort((a, b) => a.addedUs - b.addedUs);
  if (start === null) return ordered;
  if ('afterUs' in start) return ordered.filter((head) => head.addedUs > start.afterUs);
  const covering = ordered.filter((head) => head.addedUs <= start.coverUs).pop();
  return ordered.filter((head) => head.addedUs >= (covering?.addedUs ?? Number.NEGATIVE_INFINITY));
}

/** Each item's latest entry (highest version, then recall, then added last), items by their first entry. */
export function latestOfItems(heads: readonly FeedEntryHead[]): FeedEntryHead[] {
  const rank = (head: FeedEntryHead) => head.version * 2 + (head.entry === 'recall' ? 1 : 0);
  const latest = new Map<string, FeedEntryHead>();
  for (const head of [...heads].sort((a, b) => a.addedUs - b.addedUs)) {
    const held = latest.get(head.itemId);
    if (!held || rank(head) >= rank(held)) latest.set(head.itemId, head);
  }
  return [...latest.values()];
}

/**
 * A channel's view holding the entries `heads`, served as the broker serves them (each item's
 * history in order), with the clear content of its TLP:CLEAR item entries titled by `title`; its
 * reads behave as the repository's queries do (runs, latest entries by item), in memory.
 */
export function fakePartnerView(
  heads: FeedEntryHead[],
  options: { title?: (head: FeedEntryHead) => string; channelCreatedUs?: number } = {},
) {
  const title = options.title ?? ((head: FeedEntryHead) => `Clear advisory v${head.version}`);
  const byItem = new Map<string, FeedEntryHead[]>();
  for (const head of heads) byItem.set(head.itemId, [...(byItem.get(head.itemId) ?? []), head]);
  const views = new Map<string, StepView>();
  for (const history of byItem.values())
    for (const view of servedHistory(history.map(stepOfHead))) views.set(view.step.deliveryId, view);
  const view = {
    run: vi.fn(async (_channel: string, start: RunStart, limit: number) => {
      const run = runFrom(heads, start).slice(0, limit);
      const items = new Set(run.map((head) => head.itemId));
      return { run, ofItems: heads.filter((head) => items.has(head.itemId)).sort((a, b) => a.addedUs - b.addedUs) };
    }),
    latestPerItem: vi.fn(async (_channel: string, limit: number, afterFirstUs?: number) => {
      const firsts = new Map<string, number>();
      for (const head of [...heads].sort((a, b) => a.addedUs - b.addedUs))
        if (!firsts.has(head.itemId)) firsts.set(head.itemId, head.addedUs);
      const latest = latestOfItems(heads).filter((head) => firsts.get(head.itemId)! > (afterFirstUs ?? -Infinity));
      const page = latest.slice(0, limit);
      return { heads: page, nextFirstUs: page.length < limit ? null : firsts.get(page[page.length - 1].itemId)! };
    }),
    itemsOfStixObject: vi.fn(async (_channel: string, kind: 'report' | 'artifact', uuid: string) => {
      const names = (head: FeedEntryHead) => {
        if (kind === 'artifact') return [artifactId(head.deliveryId)];
        const recalls = heads.filter((other) => other.itemId === head.itemId && other.entry === 'recall').length;
        return Array.from({ length: recalls + 1 }, (_, generation) => itemStixId(head.itemId, head.kind, generation));
      };
      return [
        ...new Set(heads.filter((head) => names(head).some((id) => id.endsWith(`--${uuid}`))).map((h) => h.itemId)),
      ];
    }),
    entriesOfItems: vi.fn(async (_channel: string, items: readonly string[]) =>
      heads.filter((head) => items.includes(head.itemId)).sort((a, b) => a.addedUs - b.addedUs),
    ),
    latestOfMispEvent: vi.fn(
      async (_channel: string, uuid: string) =>
        latestOfItems(heads).find((head) => mispEventUuid(head.itemId) === uuid) ?? null,
    ),
    served: vi.fn(async () => views),
    channelCreatedUs: vi.fn(async () => options.channelCreatedUs ?? 0),
    messages: vi.fn(
      async (_channel: string, seqs: readonly string[]) => new Map(seqs.map((seq) => [seq, `armored ${seq}`])),
    ),
    clearContent: vi.fn(
      async (wanted: readonly FeedEntryHead[]) =>
        new Map(
          wanted
            .filter((head) => head.entry === 'item' && head.tlp === 'TLP:CLEAR')
            .map((head) => [
              head.seq,
              {
                itemId: head.itemId,
                version: head.version,
                kind: head.kind,
                tlp: head.tlp,
                pap: head.pap,
                title: title(head),
                summary: 'summary',
                body: 'body',
                indicators: head.indicators,
                createdAt: head.itemCreatedAt,
                modifiedAt: head.versionCreatedAt,
              },
            ]),
        ),
    ),
    sealedCopy: PartnerView.prototype.sealedCopy,
  };
  return view as typeof view & PartnerView;
}
