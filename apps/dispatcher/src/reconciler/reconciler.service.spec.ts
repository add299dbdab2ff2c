import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Queue } from 'bullmq';
import type { AppConfig } from '@tlp-broker/config';
import type { DeliveryRepository, DeliveryToQueue } from '@tlp-broker/persistence';
import type { DeliveryService } from '../delivery/delivery.service';
import { Reconciler } from './reconciler.service';

const config = { dispatch: { reconcileAfterMs: 30_000, reconcileIntervalMs: 5_000 } } as unknown as AppConfig;

const job = (state: string, failedReason = '') => ({
  getState: vi.fn(async () => state),
  remove: vi.fn(async () => undefined),
  failedReason,
});

function setup(open: DeliveryToQueue[], jobs: Record<string, ReturnType<typeof job>> = {}) {
  const deliveries = { openOlderThan: vi.fn(async () => open) };
  const delivery = { markDead: vi.fn(async () => undefined) };
  const queue = {
    getJob: vi.fn(async (id: string) => jobs[id] ?? null),
    add: vi.fn(async () => undefined),
  };
  const reconciler = new Reconciler(
    config,
    deliveries as unknown as DeliveryRepository,
    delivery as unknown as DeliveryService,
    queue as unknown as Queue,
  );
  return { reconciler, deliveries, delivery, queue };
}

afterEach(() => vi.useRealTimers());

describe('Reconciler.reconcileOnce', () => {
  it('re-adds an open delivery whose job is missing (Redis lost it), with its priority', async () => {
    const { reconciler, deliveries, queue } = setup([{ id: 'd-1', itemKind: 'alert' }]);
    expect(await reconciler.reconcileOnce()).toEqual({ requeued: 1, dead: 0 });
    expect(deliveries.openOlderThan).toHaveBeenCalledWith(30_000, 1_000);
    expect(queue.add).toHaveBeenCalledWith('deliver', { deliveryId: 'd-1' }, { jobId: 'delivery-d-1', priority: 1 });
  });

  it('removes and re-adds a job that completed while the delivery is still open (a database restored from backup)', async () => {
    const completed = job('completed');
    const { reconciler, queue } = setup([{ id: 'd-1', itemKind: 'annual-report' }], { 'delivery-d-1': completed });
    expect(await reconciler.reconcileOnce()).toEqual({ requeued: 1, dead: 0 });
    expect(completed.remove).toHaveBeenCalled();
    expect(queue.add).toHaveBeenCalledWith('deliver', { deliveryId: 'd-1' }, { jobId: 'delivery-d-1', priority: 20 });
  });

  it('marks dead a delivery whose job failed for good, with the job’s reason', async () => {
    const { reconciler, delivery, queue } = setup(
      [
        { id: 'd-1', itemKind: 'alert' },
        { id: 'd-2', itemKind: 'alert' },
      ],
      { 'delivery-d-1': job('failed', 'the peer answered 410'), 'delivery-d-2': job('failed') },
    );
    expect(await reconciler.reconcileOnce()).toEqual({ requeued: 0, dead: 2 });
    expect(delivery.markDead).toHaveBeenCalledWith('d-1', new Error('the peer answered 410'));
    expect(delivery.markDead).toHaveBeenCalledWith('d-2', new Error('no attempts left'));
    expect(queue.add).not.toHaveBeenCalled();
  });

  it('leaves deliveries whose job is waiting, delayed or running to it', async () => {
    const jobs = { 'delivery-d-1': job('waiting'), 'delivery-d-2': job('delayed'), 'delivery-d-3': job('active') };
    const open = ['d-1', 'd-2', 'd-3'].map((id) => ({ id, itemKind: 'alert' as const }));
    const { reconciler, delivery, queue } = setup(open, jobs);
    expect(await reconciler.reconcileOnce()).toEqual({ requeued: 0, dead: 0 });
    expect(queue.add).not.toHaveBeenCalled();
    expect(delivery.markDead).not.toHaveBeenCalled();
  });
});

describe('Reconciler schedule', () => {
  it('runs every RECONCILE_INTERVAL_MS, one run at a time, and stops on shutdown', async () => {
    vi.useFakeTimers();
    let finish: () => void = () => undefined;
    const { reconciler, deliveries } = setup([]);
    deliveries.openOlderThan.mockImplementationOnce(
      () => new Promise<DeliveryToQueue[]>((resolve) => (finish = () => resolve([]))),
    );
    reconciler.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(deliveries.openOlderThan).toHaveBeenCalledTimes(1);
    finish();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(deliveries.openOlderThan).toHaveBeenCalledTimes(2);
    await reconciler.onApplicationShutdown();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(deliveries.openOlderThan).toHaveBeenCalledTimes(2);
  });
});
