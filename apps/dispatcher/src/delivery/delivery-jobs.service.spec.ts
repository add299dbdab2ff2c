import { describe, expect, it, vi } from 'vitest';
import type { Queue } from 'bullmq';
import type { DeliveryRepository } from '@tlp-broker/persistence';
import { feedDeliveriesJobId } from '@tlp-broker/queue';
import { DeliveryJobsService, FEED_BATCH_SIZE } from './delivery-jobs.service';

function setup(queued: { id: string; itemKind: 'alert' | 'annual-report'; toFeed?: boolean }[] = []) {
  const deliveries = { queuedOf: vi.fn(async () => queued) };
  const queue = { addBulk: vi.fn(async () => []) };
  const feedQueue = { addBulk: vi.fn(async () => []) };
  const jobs = new DeliveryJobsService(
    deliveries as unknown as DeliveryRepository,
    queue as unknown as Queue,
    feedQueue as unknown as Queue,
  );
  return { jobs, deliveries, queue, feedQueue };
}

describe('DeliveryJobsService', () => {
  it('enqueues each delivery under its own job id, alerts before reports', async () => {
    const { jobs, queue } = setup();
    await jobs.enqueue([
      { id: 'd-1', itemKind: 'alert' },
      { id: 'd-2', itemKind: 'annual-report' },
    ]);
    expect(queue.addBulk).toHaveBeenCalledWith([
      { name: 'deliver', data: { deliveryId: 'd-1' }, opts: { jobId: 'delivery-d-1', priority: 1 } },
      { name: 'deliver', data: { deliveryId: 'd-2' }, opts: { jobId: 'delivery-d-2', priority: 20 } },
    ]);
  });

  it('adds nothing for no delivery', async () => {
    const { jobs, queue } = setup();
    await jobs.enqueue([]);
    expect(queue.addBulk).not.toHaveBeenCalled();
  });

  it('enqueues the queued deliveries of a version and says how many', async () => {
    const { jobs, deliveries, queue } = setup([{ id: 'd-9', itemKind: 'alert' }]);
    expect(await jobs.enqueueQueued('version-1')).toBe(1);
    expect(deliveries.queuedOf).toHaveBeenCalledWith('version-1');
    expect(queue.addBulk).toHaveBeenCalledTimes(1);
  });

  it('puts a fan-out to feeds in batches on the feed queue, the same batch under the same job id', async () => {
    const toFeeds = Array.from({ length: FEED_BATCH_SIZE + 3 }, (_, i) => ({
      id: `f-${String(i).padStart(3, '0')}`,
      itemKind: 'annual-report' as const,
      toFeed: true,
    }));
    const { jobs, queue, feedQueue } = setup([...toFeeds, { id: 'mail-1', itemKind: 'annual-report' }]);
    expect(await jobs.enqueueQueued('version-1')).toBe(FEED_BATCH_SIZE + 4);
    expect(queue.addBulk).toHaveBeenCalledWith([expect.objectContaining({ data: { deliveryId: 'mail-1' } })]);
    const [[batches]] = feedQueue.addBulk.mock.calls as unknown as [
      [{ data: { deliveryIds: string[] }; opts: { jobId: string; priority: number } }[]],
    ];
    expect(batches.map((batch) => batch.data.deliveryIds.length)).toEqual([FEED_BATCH_SIZE, 3]);
    expect(batches.flatMap((batch) => batch.data.deliveryIds)).toEqual(toFeeds.map((d) => d.id));
    expect(batches[0].opts).toEqual({ jobId: feedDeliveriesJobId(batches[0].data.deliveryIds), priority: 20 });
    expect(feedDeliveriesJobId(['b', 'a'])).toBe(feedDeliveriesJobId(['a', 'b']));
    expect(feedDeliveriesJobId(['a', 'b'])).not.toBe(feedDeliveriesJobId(['a']));
    expect(feedDeliveriesJobId(['a'])).toMatch(/^feed-deliveries-[0-9a-f]{32}$/);
  });
});
