import { describe, expect, it, vi } from 'vitest';
import type { Queue } from 'bullmq';
import type { DeliveryRepository } from '@tlp-broker/persistence';
import { DeliveryJobsService } from './delivery-jobs.service';

function setup(queued: { id: string; itemKind: 'alert' | 'annual-report' }[] = []) {
  const deliveries = { queuedOf: vi.fn(async () => queued) };
  const queue = { addBulk: vi.fn(async () => []) };
  const jobs = new DeliveryJobsService(deliveries as unknown as DeliveryRepository, queue as unknown as Queue);
  return { jobs, deliveries, queue };
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
});
