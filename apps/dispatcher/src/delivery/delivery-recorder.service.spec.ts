import { describe, expect, it, vi } from 'vitest';
import type {
  DecisionRepository,
  DeliveryRepository,
  FeedEntryRepository,
  FeedHandoverRepository,
  ItemRepository,
  LaterDecision,
} from '@tlp-broker/persistence';
import type { ItemState } from '@tlp-broker/domain';
import { fakeAudit, fakeTransactions, tx } from '../../../../test/support/mocks';
import { aTarget, anItem, aVersion } from '../dispatch.test-fixtures';
import { DeliveryRecorderService, Finishing } from './delivery-recorder.service';
import { Outgoing } from './outgoing';

const NOW = new Date('2030-06-01T00:00:00Z');
const RECALL_TARGETS = [{ channelId: 'channel-feed', organisationId: 'org-1', contactId: null, version: 1 }];

function setup(options: { itemState?: ItemState; later?: LaterDecision | null; open?: boolean } = {}) {
  const open = options.open ?? true;
  const deliveries = {
    markSending: vi.fn(async () => open),
    markHandedOver: vi.fn(async () => open),
    markFailed: vi.fn(async () => open),
    close: vi.fn(async () => open),
    markRecalled: vi.fn(async () => 1),
    channelsToRecall: vi.fn(async () => RECALL_TARGETS),
    queueRecalls: vi.fn(async () => ['recall-1']),
  };
  const items = {
    lockForShare: vi.fn(async () => ({ state: options.itemState ?? 'published', currentVersion: 2 })),
    versionOf: vi.fn(async () => aVersion({ id: 'version-2', version: 2 })),
  };
  const decisions = { latestForChannelAfter: vi.fn(async () => options.later ?? null) };
  const feedEntries = { append: vi.fn(async () => undefined) };
  const audit = fakeAudit();
  const transactions = fakeTransactions();
  const recorder = new DeliveryRecorderService(
    transactions,
    deliveries as unknown as DeliveryRepository,
    items as unknown as ItemRepository,
    decisions as unknown as DecisionRepository,
    feedEntries as unknown as FeedEntryRepository,
    {} as FeedHandoverRepository,
    audit,
  );
  return { recorder, deliveries, items, decisions, feedEntries, audit, transactions };
}

function finishing(kind: 'feed' | 'email' | 'webhook', overrides: Partial<Outgoing> = {}): Finishing {
  const out: Outgoing = {
    target: aTarget({ kind }),
    item: anItem({ kind: 'alert' }),
    version: aVersion(),
    entry: 'item',
    tlp: 'TLP:AMBER',
    handling: 'handle with care',
    message: 'ARMORED',
    keyFingerprint: 'RECIPIENTFP',
    clearEntity: () => '',
    webhookFields: {},
    ...overrides,
  };
  return { deliveryId: 'd-1', kind: out.entry, out, messageId: kind === 'email' ? '<m@broker>' : null, now: NOW };
}

describe('DeliveryRecorderService.finish', () => {
  it('under the item’s share lock, records a feed delivery, writes its entry and audits it, in one transaction', async () => {
    const { recorder, deliveries, items, feedEntries, audit } = setup();
    expect(await recorder.finish(finishing('feed'))).toEqual({ outcome: 'delivered', recalls: [] });
    expect(items.lockForShare).toHaveBeenCalledWith('item-1', tx);
    expect(deliveries.markHandedOver).toHaveBeenCalledWith(
      'd-1',
      { state: 'delivered', deliveredAt: NOW, messageId: null, keyFingerprint: 'RECIPIENTFP' },
      tx,
    );
    expect(feedEntries.append).toHaveBeenCalledWith(
      expect.objectContaining({
        deliveryId: 'd-1',
        channelId: 'channel-feed',
        entry: 'item',
        kind: 'alert',
        handling: 'handle with care',
        message: 'ARMORED',
      }),
      tx,
    );
    expect(audit.append).toHaveBeenCalledWith(
      tx,
      expect.objectContaining({
        action: 'delivery.delivered',
        subjectId: 'd-1',
        details: expect.objectContaining({ channel: 'feed', keyFingerprint: 'RECIPIENTFP' }),
      }),
    );
  });

  it('records an e-mail as sent with its Message-ID, and writes no feed entry', async () => {
    const { recorder, deliveries, feedEntries, audit } = setup();
    await recorder.finish(finishing('email'));
    expect(deliveries.markHandedOver).toHaveBeenCalledWith(
      'd-1',
      expect.objectContaining({ state: 'sent', messageId: '<m@broker>' }),
      tx,
    );
    expect(feedEntries.append).not.toHaveBeenCalled();
    expect(audit.append).toHaveBeenCalledWith(tx, expect.objectContaining({ action: 'delivery.sent' }));
  });

  it('writes nothing when another worker finished the delivery first', async () => {
    const { recorder, feedEntries, audit } = setup({ open: false });
    expect(await recorder.finish(finishing('feed'))).toEqual({ outcome: 'already-done', recalls: [] });
    expect(feedEntries.append).not.toHaveBeenCalled();
    expect(audit.append).not.toHaveBeenCalled();
  });

  it('marks what the recipient held recalled once a recall notice is delivered', async () => {
    const { recorder, deliveries, decisions, audit } = setup();
    await recorder.finish({ ...finishing('webhook', { entry: 'recall' }), kind: 'recall' });
    expect(deliveries.markRecalled).toHaveBeenCalledWith('item-1', 'channel-webhook', tx);
    expect(decisions.latestForChannelAfter).not.toHaveBeenCalled();
    expect(audit.append).toHaveBeenCalledWith(tx, expect.objectContaining({ action: 'recall.delivered' }));
  });

  it('queues the recall a recipient would have had when the item was retracted while the message left', async () => {
    const { recorder, deliveries, items } = setup({ itemState: 'retracted' });
    const finished = await recorder.finish(finishing('webhook'));
    expect(finished).toEqual({ outcome: 'delivered', recalls: [{ id: 'recall-1', itemKind: 'alert' }] });
    expect(deliveries.channelsToRecall).toHaveBeenCalledWith('item-1', ['channel-webhook'], tx);
    expect(items.versionOf).toHaveBeenCalledWith('item-1', 2, tx);
    expect(deliveries.queueRecalls).toHaveBeenCalledWith(
      { itemVersionId: 'version-2', targets: RECALL_TARGETS, reason: 'The item was retracted.' },
      tx,
    );
  });

  it('queues a recall tied to the later version’s denial when a narrowing update overtook the delivery', async () => {
    const later = {
      decisionId: 'dec-2',
      allow: false,
      reason: 'not in the audience',
      itemVersionId: 'v-2',
      version: 2,
    };
    const { recorder, deliveries, decisions } = setup({ later });
    const finished = await recorder.finish(finishing('email'));
    expect(finished.recalls).toEqual([{ id: 'recall-1', itemKind: 'alert' }]);
    expect(decisions.latestForChannelAfter).toHaveBeenCalledWith('item-1', 'channel-email', 1, tx);
    expect(deliveries.queueRecalls).toHaveBeenCalledWith(
      {
        itemVersionId: 'v-2',
        targets: RECALL_TARGETS,
        reason: 'Version 2 may not be sent to this recipient: not in the audience',
        decisionIds: new Map([['channel-email', 'dec-2']]),
      },
      tx,
    );
  });

  it('queues no recall when the later version still reaches the channel', async () => {
    const later = { decisionId: 'dec-2', allow: true, reason: 'allowed', itemVersionId: 'v-2', version: 2 };
    const { recorder, deliveries } = setup({ later });
    expect((await recorder.finish(finishing('email'))).recalls).toEqual([]);
    expect(deliveries.queueRecalls).not.toHaveBeenCalled();
  });

  it('cancels an overtaken feed delivery instead of writing its entry: nothing has left yet', async () => {
    const { recorder, deliveries, feedEntries, audit } = setup({ itemState: 'retracted' });
    expect(await recorder.finish(finishing('feed'))).toEqual({ outcome: 'cancelled', recalls: [] });
    expect(deliveries.close).toHaveBeenCalledWith(
      'd-1',
      'cancelled',
      'The item was retracted while this delivery was being sent.',
      tx,
    );
    expect(deliveries.markHandedOver).not.toHaveBeenCalled();
    expect(feedEntries.append).not.toHaveBeenCalled();
    expect(audit.append).toHaveBeenCalledWith(tx, expect.objectContaining({ action: 'delivery.cancelled' }));
  });
});

describe('DeliveryRecorderService: other transitions', () => {
  it('marks sending, and says whether the delivery was still open', async () => {
    expect(await setup().recorder.markSending('d-1')).toBe(true);
    expect(await setup({ open: false }).recorder.markSending('d-1')).toBe(false);
  });

  it('records a failed attempt with the error message, bounded', async () => {
    const { recorder, deliveries } = setup();
    await recorder.recordFailure('d-1', new Error('x'.repeat(3_000)));
    expect(deliveries.markFailed).toHaveBeenCalledWith('d-1', 'x'.repeat(2_000));
  });

  it('closes a delivery with its audit entry in one transaction, and audits nothing when it was closed already', async () => {
    const { recorder, deliveries, audit } = setup();
    await recorder.close('d-1', 'dead', 'no attempts left', {});
    expect(deliveries.close).toHaveBeenCalledWith('d-1', 'dead', 'no attempts left', tx);
    expect(audit.append).toHaveBeenCalledWith(tx, {
      actor: 'dispatcher',
      action: 'delivery.dead',
      subjectType: 'delivery',
      subjectId: 'd-1',
      details: { reason: 'no attempts left' },
    });
    const closed = setup({ open: false });
    await closed.recorder.close('d-1', 'cancelled', 'suspended', { code: 'partner.suspended' });
    expect(closed.audit.append).not.toHaveBeenCalled();
  });
});
