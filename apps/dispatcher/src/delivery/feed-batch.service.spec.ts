import { describe, expect, it, vi } from 'vitest';
import { Metrics } from '@tlp-broker/observability';
import type { ChannelKind, DeliveryKind, DeliveryState } from '@tlp-broker/domain';
import type {
  DecisionEntity,
  DecisionRepository,
  DeliveryEntity,
  FeedHandoverRepository,
  ItemRepository,
} from '@tlp-broker/persistence';
import { aDelivery, aTarget, anItem, aVersion } from '../dispatch.test-fixtures';
import type { DeliveryJobsService } from './delivery-jobs.service';
import type { DeliveryPreparationService, SharedMessages } from './delivery-preparation.service';
import type { DeliveryRecorderService, FeedBatch, FeedBatchFinished } from './delivery-recorder.service';
import { FeedBatchService } from './feed-batch.service';
import type { Cancellation, DeliveryContext, Outgoing, Prepared } from './outgoing';

/** A delivery of the batch: its channel's kind, and what preparing it comes to. */
interface Row {
  readonly id: string;
  readonly channel?: ChannelKind | 'gone';
  readonly kind?: DeliveryKind;
  readonly state?: DeliveryState;
  readonly versionId?: string;
  /** What preparing it gives: the message (default), a cancellation, or an error thrown. */
  readonly prepared?: Cancellation | Error;
  /** Its decision is not found. */
  readonly noDecision?: boolean;
}

const SUSPENDED: Cancellation = { cancel: 'CERT-EU is suspended and receives nothing.', code: 'partner.suspended' };
const SHARED = { sealed: vi.fn(), signedDocument: vi.fn() } as unknown as SharedMessages;

function deliveryOf(row: Row): DeliveryEntity {
  return {
    ...aDelivery({ id: row.id, kind: row.kind, state: row.state, decisionId: `decision-${row.id}` }),
    channelId: `channel-${row.id}`,
    itemVersionId: row.versionId ?? 'version-1',
  } as DeliveryEntity;
}

function setup(rows: Row[], options: { finished?: 'null' } = {}) {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const item = anItem({ kind: 'alert' });
  const version = aVersion();
  const handovers = {
    findByIds: vi.fn(async (ids: readonly string[]) =>
      ids.flatMap((id) => (byId.has(id) ? [deliveryOf(byId.get(id)!)] : [])),
    ),
  };
  const items = { findVersion: vi.fn(async () => version), findById: vi.fn(async () => item) };
  const decisions = {
    getMany: vi.fn(async (ids: readonly string[]) => {
      const found = ids.filter((id) => !byId.get(id.replace(/^decision-/, ''))?.noDecision);
      return new Map(found.map((id) => [id, { id, handling: null } as unknown as DecisionEntity]));
    }),
  };
  const contextOf = (delivery: DeliveryEntity): DeliveryContext => ({
    delivery,
    target: aTarget({ kind: (byId.get(delivery.id)!.channel ?? 'feed') as ChannelKind, id: delivery.channelId }),
    item,
    version,
    reading: undefined,
    teamKey: {} as DeliveryContext['teamKey'],
    publisher: { name: 'Test CSIRT', fingerprint: 'TEAMFP' },
    now: new Date('2030-06-01T00:00:00Z'),
  });
  const outgoing = (context: DeliveryContext): Outgoing =>
    ({
      target: context.target,
      item,
      version,
      entry: 'item',
      tlp: version.tlp,
      handling: null,
      message: `message for ${context.delivery.id}`,
      keyFingerprint: 'RECIPIENTFP',
    }) as Outgoing;
  const preparation = {
    // A channel that is gone is left out, as DeliveryPreparationService.contextsFor does.
    contextsFor: vi.fn(async (deliveries: readonly DeliveryEntity[]) => ({
      contexts: deliveries.filter((d) => byId.get(d.id)!.channel !== 'gone').map(contextOf),
      shared: SHARED,
    })),
    prepareItemWith: vi.fn(async (context: DeliveryContext): Promise<Prepared> => {
      const prepared = byId.get(context.delivery.id)!.prepared;
      if (prepared instanceof Error) throw prepared;
      return prepared ?? outgoing(context);
    }),
  };
  const recorder = {
    finishFeedBatch: vi.fn(async (batch: FeedBatch): Promise<FeedBatchFinished | null> =>
      options.finished === 'null'
        ? null
        : { delivered: batch.carried.map((c) => c.deliveryId), cancelled: [...batch.cancelled.keys()] },
    ),
  };
  const jobs = { enqueue: vi.fn(async () => undefined) };
  const metrics = new Metrics({ processMetrics: false });
  vi.spyOn(metrics, 'deliveryFinished');
  const service = new FeedBatchService(
    handovers as unknown as FeedHandoverRepository,
    items as unknown as ItemRepository,
    decisions as unknown as DecisionRepository,
    preparation as unknown as DeliveryPreparationService,
    recorder as unknown as DeliveryRecorderService,
    jobs as unknown as DeliveryJobsService,
    metrics,
  );
  return { service, handovers, items, decisions, preparation, recorder, jobs, metrics, item, version };
}

/** The one batch handed to finishFeedBatch: carried ids (with their channels) and cancelled ids (with their reasons). */
function finishedBatch(recorder: ReturnType<typeof setup>['recorder']) {
  expect(recorder.finishFeedBatch).toHaveBeenCalledTimes(1);
  const [[batch]] = recorder.finishFeedBatch.mock.calls;
  return {
    batch,
    carried: batch.carried.map((c) => c.deliveryId),
    cancelled: Object.fromEntries([...batch.cancelled].map(([id, stop]) => [id, stop.code])),
  };
}

/** The ids put on the delivery queue, each as its own job. */
function handedOn(jobs: ReturnType<typeof setup>['jobs']): string[] {
  return (jobs.enqueue.mock.calls as unknown as [{ id: string; itemKind: string }[]][]).flatMap(([batch]) =>
    batch.map((job) => {
      expect(job.itemKind).toBe('alert');
      return job.id;
    }),
  );
}

describe('FeedBatchService.deliver', () => {
  it('finishes the carried and the cancelled deliveries together, each built with the version’s shared messages', async () => {
    const { service, recorder, jobs, preparation, decisions, metrics, item, version } = setup([
      { id: 'd-1' },
      { id: 'd-2', prepared: SUSPENDED },
      { id: 'd-3' },
    ]);
    expect(await service.deliver(['d-1', 'd-2', 'd-3'])).toEqual({ delivered: 2, cancelled: 1, handedOn: 0 });
    expect(vi.mocked(metrics.deliveryFinished).mock.calls).toEqual([
      ['feed', 'delivered', version.createdAt],
      ['feed', 'delivered', version.createdAt],
      ['feed', 'cancelled', null],
    ]);

    const { batch, carried, cancelled } = finishedBatch(recorder);
    expect(batch).toMatchObject({ item, version });
    expect(carried).toEqual(['d-1', 'd-3']);
    expect(batch.carried[0].out).toMatchObject({ message: 'message for d-1', keyFingerprint: 'RECIPIENTFP' });
    expect(cancelled).toEqual({ 'd-2': 'partner.suspended' });
    expect(batch.cancelled.get('d-2')).toEqual(SUSPENDED);
    expect(jobs.enqueue).not.toHaveBeenCalled();
    // One read of the recipients and decisions, one set of shared messages, for the whole batch.
    expect(decisions.getMany).toHaveBeenCalledTimes(1);
    expect(preparation.contextsFor).toHaveBeenCalledTimes(1);
    expect(preparation.prepareItemWith).toHaveBeenCalledTimes(3);
    for (const [, decision, shared] of preparation.prepareItemWith.mock.calls as unknown as [
      DeliveryContext,
      DecisionEntity,
      SharedMessages,
    ][]) {
      expect(shared).toBe(SHARED);
      expect(decision).toBeDefined();
    }
  });

  it('hands a webhook or e-mail delivery, a recall and another version’s delivery on as single jobs', async () => {
    const { service, recorder, jobs, preparation } = setup([
      { id: 'd-feed' },
      { id: 'd-hook', channel: 'webhook' },
      { id: 'd-mail', channel: 'email' },
      { id: 'd-recall', kind: 'recall' },
      { id: 'd-other-version', versionId: 'version-2' },
    ]);
    const ids = ['d-feed', 'd-hook', 'd-mail', 'd-recall', 'd-other-version'];
    expect(await service.deliver(ids)).toEqual({ delivered: 1, cancelled: 0, handedOn: 4 });

    expect(finishedBatch(recorder).carried).toEqual(['d-feed']);
    expect(handedOn(jobs).sort()).toEqual(['d-hook', 'd-mail', 'd-other-version', 'd-recall']);
    // Only item deliveries of the batch's version are checked here; nothing is built for a push channel.
    const [[checked]] = preparation.contextsFor.mock.calls;
    expect(checked.map((d) => d.id)).toEqual(['d-feed', 'd-hook', 'd-mail']);
    expect(preparation.prepareItemWith).toHaveBeenCalledTimes(1);
  });

  it('hands on a delivery whose build fails, whose decision is missing or whose channel is gone, and carries the rest', async () => {
    const { service, recorder, jobs } = setup([
      { id: 'd-1' },
      { id: 'd-broken', prepared: new Error('key unreadable') },
      { id: 'd-2', prepared: SUSPENDED },
      { id: 'd-undecided', noDecision: true },
      { id: 'd-gone', channel: 'gone' },
      { id: 'd-3' },
    ]);
    const ids = ['d-1', 'd-broken', 'd-2', 'd-undecided', 'd-gone', 'd-3'];
    expect(await service.deliver(ids)).toEqual({ delivered: 2, cancelled: 1, handedOn: 3 });

    const { carried, cancelled } = finishedBatch(recorder);
    expect(carried).toEqual(['d-1', 'd-3']);
    expect(cancelled).toEqual({ 'd-2': 'partner.suspended' });
    expect(handedOn(jobs).sort()).toEqual(['d-broken', 'd-gone', 'd-undecided']);
  });

  it('hands every open delivery on when the item was retracted or superseded meanwhile (nothing finished)', async () => {
    const { service, recorder, jobs, metrics } = setup(
      [
        { id: 'd-1' },
        { id: 'd-2', prepared: SUSPENDED },
        { id: 'd-hook', channel: 'webhook' },
        { id: 'd-done', state: 'delivered' },
      ],
      { finished: 'null' },
    );
    expect(await service.deliver(['d-1', 'd-2', 'd-hook', 'd-done'])).toEqual({
      delivered: 0,
      cancelled: 0,
      handedOn: 3,
    });
    expect(recorder.finishFeedBatch).toHaveBeenCalledTimes(1);
    expect(handedOn(jobs).sort()).toEqual(['d-1', 'd-2', 'd-hook']);
    expect(metrics.deliveryFinished).not.toHaveBeenCalled();
  });

  it('ignores deliveries no longer open, and does nothing when none is', async () => {
    const some = setup([
      { id: 'd-delivered', state: 'delivered' },
      { id: 'd-cancelled', state: 'cancelled' },
      { id: 'd-dead', state: 'dead' },
      { id: 'd-failed', state: 'failed' },
      { id: 'd-sending', state: 'sending' },
    ]);
    expect(await some.service.deliver(['d-delivered', 'd-cancelled', 'd-dead', 'd-failed', 'd-sending'])).toEqual({
      delivered: 2,
      cancelled: 0,
      handedOn: 0,
    });
    expect(finishedBatch(some.recorder).carried).toEqual(['d-failed', 'd-sending']);
    expect(some.jobs.enqueue).not.toHaveBeenCalled();

    const none = setup([
      { id: 'd-delivered', state: 'delivered' },
      { id: 'd-recalled', state: 'recalled' },
    ]);
    expect(await none.service.deliver(['d-delivered', 'd-recalled', 'd-unknown'])).toEqual({
      delivered: 0,
      cancelled: 0,
      handedOn: 0,
    });
    expect(none.items.findVersion).not.toHaveBeenCalled();
    expect(none.recorder.finishFeedBatch).not.toHaveBeenCalled();
    expect(none.jobs.enqueue).not.toHaveBeenCalled();
  });

  it('fails the job when the batch’s item version is not found', async () => {
    const { service, items, recorder, jobs } = setup([{ id: 'd-1' }]);
    items.findVersion.mockResolvedValueOnce(null as never);
    await expect(service.deliver(['d-1'])).rejects.toThrow(/item version version-1 .* not found/);
    expect(recorder.finishFeedBatch).not.toHaveBeenCalled();
    expect(jobs.enqueue).not.toHaveBeenCalled();
  });
});

describe('FeedBatchService.handOn', () => {
  it('puts each still-open delivery of a batch on the delivery queue as its own job', async () => {
    const { service, jobs, recorder } = setup([
      { id: 'd-1' },
      { id: 'd-2', state: 'failed' },
      { id: 'd-done', state: 'delivered' },
    ]);
    await service.handOn(['d-1', 'd-2', 'd-done']);
    expect(handedOn(jobs).sort()).toEqual(['d-1', 'd-2']);
    expect(recorder.finishFeedBatch).not.toHaveBeenCalled();

    const closed = setup([{ id: 'd-done', state: 'cancelled' }]);
    await closed.service.handOn(['d-done']);
    expect(closed.jobs.enqueue).not.toHaveBeenCalled();
  });
});
