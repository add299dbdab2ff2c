import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DelayedError, UnrecoverableError } from 'bullmq';
import type { AppConfig } from '@tlp-broker/config';
import { QueueName } from '@tlp-broker/queue';
import type { DeliveryService } from './delivery/delivery.service';
import type { FeedBatchService } from './delivery/feed-batch.service';
import { RateLimited } from './delivery/rate-limiter';
import type { RoutingService } from './routing/routing.service';
import type { SubmissionMessagesService } from './intake/submission-messages/submission-messages.service';
import { WorkersService } from './workers.service';

type Processor = (job: unknown, token?: string) => Promise<unknown>;

/** BullMQ workers replaced: each one keeps its processor, options and listeners for the test to drive. */
const created = vi.hoisted(() => [] as FakeWorkerShape[]);
interface FakeWorkerShape {
  name: string;
  processor: Processor;
  options: Record<string, unknown>;
  listeners: Map<string, (...args: unknown[]) => void>;
  close: () => Promise<void>;
}
vi.mock('bullmq', async (importOriginal) => {
  const actual = await importOriginal<typeof import('bullmq')>();
  class FakeWorker implements FakeWorkerShape {
    listeners = new Map<string, (...args: unknown[]) => void>();
    close = vi.fn(async () => undefined);
    constructor(
      public name: string,
      public processor: Processor,
      public options: Record<string, unknown>,
    ) {
      created.push(this);
    }
    on(event: string, listener: (...args: unknown[]) => void) {
      this.listeners.set(event, listener);
      return this;
    }
  }
  return { ...actual, Worker: FakeWorker };
});

const config = {
  redis: { url: 'redis://127.0.0.1:6379', prefix: 'tlpb-test' },
  dispatch: { deliveryConcurrency: 8, jobLockMs: 30_000 },
} as unknown as AppConfig;

function setup() {
  const routing = { process: vi.fn(async () => ({ allowed: 1 })) };
  const delivery = {
    deliver: vi.fn(async () => 'delivered'),
    recordFailure: vi.fn(async () => undefined),
    markDead: vi.fn(async () => undefined),
  };
  const submissionMessages = { send: vi.fn(async () => 'sent') };
  const feedBatch = {
    deliver: vi.fn(async () => ({ delivered: 2, cancelled: 0, handedOn: 0 })),
    handOn: vi.fn(async () => undefined),
  };
  const workers = new WorkersService(
    config,
    routing as unknown as RoutingService,
    delivery as unknown as DeliveryService,
    feedBatch as unknown as FeedBatchService,
    submissionMessages as unknown as SubmissionMessagesService,
  );
  workers.onApplicationBootstrap();
  const worker = (name: QueueName) => created.find((w) => w.name === name)!;
  return { workers, routing, delivery, feedBatch, submissionMessages, worker };
}

const deliveryJob = (overrides: Record<string, unknown> = {}) => ({
  id: 'delivery-d-1',
  data: { deliveryId: 'd-1' },
  attemptsMade: 1,
  opts: { attempts: 8 },
  moveToDelayed: vi.fn(async () => undefined),
  ...overrides,
});

beforeEach(() => {
  created.length = 0;
});

describe('WorkersService', () => {
  it('starts one worker per queue, routing two jobs at a time and deliveries at the configured concurrency', () => {
    const { worker } = setup();
    expect(created.map((w) => w.name).sort()).toEqual(Object.values(QueueName).sort());
    expect(worker(QueueName.Routing).options).toMatchObject({
      concurrency: 2,
      prefix: 'tlpb-test',
      maxStalledCount: 3,
    });
    expect(worker(QueueName.Delivery).options).toMatchObject({ concurrency: 8, lockDuration: 30_000 });
  });

  it('routes the outbox row a routing job names', async () => {
    const { worker, routing } = setup();
    await worker(QueueName.Routing).processor({ data: { itemVersionId: 'v-1', outboxKey: 'key-1' } });
    expect(routing.process).toHaveBeenCalledWith('key-1');
  });

  it('delivers, and records a failed attempt before BullMQ retries it', async () => {
    const { worker, delivery } = setup();
    expect(await worker(QueueName.Delivery).processor(deliveryJob())).toBe('delivered');
    const error = new Error('connection reset');
    delivery.deliver.mockRejectedValueOnce(error);
    await expect(worker(QueueName.Delivery).processor(deliveryJob())).rejects.toBe(error);
    expect(delivery.recordFailure).toHaveBeenCalledWith('d-1', error);
  });

  it('records no attempt for a failure no retry can help: the failed event marks it dead', async () => {
    const { worker, delivery } = setup();
    delivery.deliver.mockRejectedValueOnce(new UnrecoverableError('refused'));
    await expect(worker(QueueName.Delivery).processor(deliveryJob())).rejects.toBeInstanceOf(UnrecoverableError);
    expect(delivery.recordFailure).not.toHaveBeenCalled();
  });

  it('delays a rate-limited delivery without counting an attempt', async () => {
    const { worker, delivery } = setup();
    delivery.deliver.mockRejectedValueOnce(new RateLimited(1_500));
    const job = deliveryJob();
    const before = Date.now();
    await expect(worker(QueueName.Delivery).processor(job, 'token-1')).rejects.toBeInstanceOf(DelayedError);
    const [until, token] = job.moveToDelayed.mock.calls[0] as unknown as [number, string];
    expect(until).toBeGreaterThanOrEqual(before + 1_500);
    expect(token).toBe('token-1');
    expect(delivery.recordFailure).not.toHaveBeenCalled();
  });

  it('marks a delivery dead when its job failed for the last time, not before', () => {
    const { worker, delivery } = setup();
    const failed = worker(QueueName.Delivery).listeners.get('failed')!;
    failed(deliveryJob({ attemptsMade: 3 }), new Error('deferred'));
    expect(delivery.markDead).not.toHaveBeenCalled();
    const last = new Error('deferred again');
    failed(deliveryJob({ attemptsMade: 8 }), last);
    expect(delivery.markDead).toHaveBeenCalledWith('d-1', last);
    failed(deliveryJob({ attemptsMade: 1, data: { deliveryId: 'd-2' } }), new UnrecoverableError('refused'));
    expect(delivery.markDead).toHaveBeenCalledWith('d-2', expect.any(UnrecoverableError));
  });

  it('carries a batch of feed deliveries, and hands each on as its own job when the batch failed for the last time', async () => {
    const { worker, feedBatch, delivery } = setup();
    const job = {
      id: 'feed-deliveries-1',
      data: { deliveryIds: ['d-1', 'd-2'] },
      attemptsMade: 1,
      opts: { attempts: 8 },
    };
    expect(await worker(QueueName.FeedDeliveries).processor(job)).toEqual({ delivered: 2, cancelled: 0, handedOn: 0 });
    expect(feedBatch.deliver).toHaveBeenCalledWith(['d-1', 'd-2']);
    const failed = worker(QueueName.FeedDeliveries).listeners.get('failed')!;
    failed(job, new Error('database down'));
    expect(feedBatch.handOn).not.toHaveBeenCalled();
    failed({ ...job, attemptsMade: 8 }, new Error('database down'));
    expect(feedBatch.handOn).toHaveBeenCalledWith(['d-1', 'd-2']);
    expect(delivery.markDead).not.toHaveBeenCalled();
  });

  it('marks nothing dead for a failed routing job', () => {
    const { worker, delivery } = setup();
    worker(QueueName.Routing).listeners.get('failed')!(
      { id: 'route-1', data: {}, attemptsMade: 9, opts: { attempts: 9 } },
      new Error('database down'),
    );
    expect(delivery.markDead).not.toHaveBeenCalled();
  });

  it('sends the submission message a job names, telling the service which attempt this is', async () => {
    const { worker, submissionMessages } = setup();
    const job = { data: { messageId: 'm-1' }, attemptsMade: 2, opts: { attempts: 8 } };
    expect(await worker(QueueName.SubmissionMessages).processor(job)).toBe('sent');
    expect(submissionMessages.send).toHaveBeenCalledWith('m-1', { made: 2, allowed: 8 });
  });

  it('closes every worker on shutdown', async () => {
    const { workers } = setup();
    await workers.onApplicationShutdown();
    for (const worker of created) expect(worker.close).toHaveBeenCalled();
  });
});
