import { vi } from 'vitest';
import type { FeedEntryHead } from '@tlp-broker/persistence';
import { Publisher, servedHistory, StepView } from '@tlp-broker/stix';
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

/**
 * A channel's view holding the entries `heads`, served as the broker serves them (each item's
 * history in order), with the clear content of its TLP:CLEAR item entries titled by `title`.
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
    heads: vi.fn(async () => heads),
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
