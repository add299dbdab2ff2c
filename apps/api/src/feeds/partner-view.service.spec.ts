import { describe, expect, it, vi } from 'vitest';
import type {
  DeliveryRepository,
  FeedEntryHead,
  FeedEntryRepository,
  ItemRepository,
  OrganisationRepository,
  ServedDelivery,
  VersionText,
} from '@tlp-broker/persistence';
import type { StepView } from '@tlp-broker/stix';
import { PartnerView } from './partner-view.service';

const indicator = { type: 'domain' as const, value: 'evil.example' };

const head = (over: Partial<FeedEntryHead> = {}): FeedEntryHead => ({
  seq: '1',
  deliveredAt: new Date('2026-12-01T10:00:00Z'),
  addedUs: 1,
  entry: 'item',
  itemId: 'item-1',
  version: 1,
  kind: 'advisory',
  tlp: 'TLP:CLEAR',
  pap: 'PAP:GREEN',
  deliveryId: 'delivery-1',
  keyFingerprint: 'F1',
  severity: 'high',
  itemCreatedAt: new Date('2026-12-01T08:00:00Z'),
  versionCreatedAt: new Date('2026-12-01T09:00:00Z'),
  indicators: [indicator],
  ...over,
});

function view(options: { texts?: VersionText[]; served?: ServedDelivery[]; created?: number | null } = {}) {
  const entries = {
    runWithItems: vi.fn(async () => ({ run: [head()], ofItems: [head()] })),
    latestPerItem: vi.fn(async () => ({ heads: [head()], nextFirstUs: null })),
    latestOfMispEvent: vi.fn(async () => head()),
    messagesOfChannel: vi.fn(async () => new Map()),
  };
  const deliveries = { servedToChannel: vi.fn(async () => options.served ?? []) };
  const items = { versionTexts: vi.fn(async () => options.texts ?? []) };
  const organisations = { channelCreatedMicros: vi.fn(async () => options.created ?? null) };
  return {
    entries,
    deliveries,
    items,
    organisations,
    partnerView: new PartnerView(
      entries as unknown as FeedEntryRepository,
      deliveries as unknown as DeliveryRepository,
      items as unknown as ItemRepository,
      organisations as unknown as OrganisationRepository,
    ),
  };
}

const text = (itemId: string, version: number, tlp: VersionText['tlp']): VersionText => ({
  itemId,
  version,
  tlp,
  title: `${itemId} v${version}`,
  summary: 'summary',
  body: 'body',
});

describe('PartnerView', () => {
  it("reads the channel's entries and messages from its own feed, a run at a time", async () => {
    const { entries, partnerView } = view();
    await partnerView.run('channel-1', { coverUs: 42 }, 51);
    await partnerView.latestPerItem('channel-1', 500, 7);
    await partnerView.latestOfMispEvent('channel-1', 'event-uuid');
    await partnerView.messages('channel-1', ['1']);
    expect(entries.runWithItems).toHaveBeenCalledWith('channel-1', { coverUs: 42 }, 51);
    expect(entries.latestPerItem).toHaveBeenCalledWith('channel-1', 500, 7);
    expect(entries.latestOfMispEvent).toHaveBeenCalledWith('channel-1', 'event-uuid');
    expect(entries.messagesOfChannel).toHaveBeenCalledWith('channel-1', ['1']);
  });

  it('reads content only for TLP:CLEAR item versions, and serves none whose stored version is above TLP:CLEAR', async () => {
    const { items, partnerView } = view({
      texts: [text('item-1', 1, 'TLP:CLEAR'), text('item-2', 1, 'TLP:GREEN')],
    });
    const heads = [
      head(),
      head({ seq: '2', itemId: 'item-2' }),
      head({ seq: '3', itemId: 'item-3', tlp: 'TLP:AMBER' }),
      head({ seq: '4', itemId: 'item-1', entry: 'recall' }),
    ];
    const content = await partnerView.clearContent(heads);
    expect(items.versionTexts).toHaveBeenCalledWith([
      { itemId: 'item-1', version: 1 },
      { itemId: 'item-2', version: 1 },
    ]);
    expect([...content.keys()]).toEqual(['1']);
    expect(content.get('1')).toEqual({
      itemId: 'item-1',
      version: 1,
      kind: 'advisory',
      tlp: 'TLP:CLEAR',
      pap: 'PAP:GREEN',
      title: 'item-1 v1',
      summary: 'summary',
      body: 'body',
      indicators: [indicator],
      createdAt: new Date('2026-12-01T08:00:00Z'),
      modifiedAt: new Date('2026-12-01T09:00:00Z'),
    });
    expect(await view().partnerView.clearContent([head({ tlp: 'TLP:RED' })])).toEqual(new Map());
  });

  it("serves each entry from the channel's whole history of its item, versions whose entries left the feed included", async () => {
    // Version 1 was delivered in the clear, then withdrawn: its entry is gone, its delivery remains.
    const delivered: ServedDelivery = {
      itemId: 'item-1',
      deliveryId: 'delivery-v1',
      entry: 'item',
      version: 1,
      tlp: 'TLP:CLEAR',
      pap: null,
      severity: 'high',
      at: new Date('2026-12-01T09:00:00Z'),
      clearIndicators: [indicator],
    };
    const { deliveries, partnerView } = view({ served: [delivered] });
    const recall = head({
      seq: '7',
      entry: 'recall',
      version: 1,
      tlp: 'TLP:CLEAR',
      deliveryId: 'delivery-recall',
      deliveredAt: new Date('2026-12-01T11:00:00Z'),
    });
    const views = await partnerView.served('channel-1', [recall]);
    expect(deliveries.servedToChannel).toHaveBeenCalledWith('channel-1', ['item-1']);
    const served = views.get('delivery-recall')!;
    expect(served.generation).toBe(0);
    expect(served.modified).toEqual(new Date('2026-12-01T11:00:00Z'));
    expect(served.revoked.map((version) => version.indicator.value)).toEqual(['evil.example']);
    expect(served.withdrawn.indicators).toEqual([indicator]);
    expect(views.get('delivery-v1')!.live.map((version) => version.indicator.value)).toEqual(['evil.example']);
    expect(await partnerView.served('channel-1', [])).toEqual(new Map());
  });

  it("serves an entry from the entry itself when the channel's deliveries do not record it as handed", async () => {
    const { partnerView } = view({ served: [] });
    const views = await partnerView.served('channel-1', [head({ tlp: 'TLP:AMBER', pap: 'PAP:RED' })]);
    expect(views.get('delivery-1')).toMatchObject({
      step: { entry: 'item', tlp: 'TLP:AMBER', pap: 'PAP:RED', clearIndicators: [] },
      modified: new Date('2026-12-01T09:00:00Z'),
      live: [],
    });
  });

  it('describes the recipient’s own copy of a recall without the version it withdraws', () => {
    const { partnerView } = view();
    const recall = head({ entry: 'recall', version: 2, tlp: 'TLP:AMBER' });
    const copy = partnerView.sealedCopy(recall, 'armored', {
      referenceVersion: 1,
      modified: new Date('2026-12-02T00:00:00Z'),
      generation: 1,
    } as unknown as StepView);
    expect(copy).toMatchObject({
      version: 1,
      pap: null,
      revoked: true,
      recall: true,
      generation: 1,
      armoredMessage: 'armored',
    });
  });

  it('gives the channel creation in microseconds, read once, and fails for a channel that does not exist', async () => {
    const { organisations, partnerView } = view({ created: 1_700_000_000_000_001 });
    expect(await partnerView.channelCreatedUs('channel-1')).toBe(1_700_000_000_000_001);
    expect(await partnerView.channelCreatedUs('channel-1')).toBe(1_700_000_000_000_001);
    expect(organisations.channelCreatedMicros).toHaveBeenCalledTimes(1);
    await expect(view({ created: null }).partnerView.channelCreatedUs('gone')).rejects.toThrow('channel gone');
  });
});
