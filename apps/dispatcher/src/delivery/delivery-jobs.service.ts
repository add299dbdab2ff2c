import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DeliveryRepository, DeliveryToQueue } from '@tlp-broker/persistence';
import { currentCorrelationId } from '@tlp-broker/observability';
import { Correlated, deliveryJobId, feedDeliveriesJobId, JobPayload, priorityFor, QueueName } from '@tlp-broker/queue';

/** The work in progress's correlation id, carried by the jobs it queues. */
function correlated(): Correlated {
  const correlationId = currentCorrelationId();
  return correlationId ? { correlationId } : {};
}

/** Deliveries to pull feeds carried together in one job. */
export const FEED_BATCH_SIZE = 50;

/**
 * Puts deliveries on the delivery queues, alerts first; job ids from the deliveries make a repeat
 * harmless. A fan-out's item deliveries to pull feeds go in batches on a queue of their own;
 * everything else (e-mail, webhooks, recalls) is a job per delivery.
 */
@Injectable()
export class DeliveryJobsService {
  constructor(
    private readonly deliveries: DeliveryRepository,
    @InjectQueue(QueueName.Delivery) private readonly queue: Queue<JobPayload<QueueName.Delivery>>,
    @InjectQueue(QueueName.FeedDeliveries)
    private readonly feedQueue: Queue<JobPayload<QueueName.FeedDeliveries>>,
  ) {}

  /** A job for each delivery. */
  async enqueue(deliveries: readonly DeliveryToQueue[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.queue.addBulk(
      deliveries.map((delivery) => ({
        name: 'deliver',
        data: { deliveryId: delivery.id, ...correlated() },
        opts: { jobId: deliveryJobId(delivery.id), priority: priorityFor(delivery.itemKind) },
      })),
    );
  }

  /** Enqueues every queued delivery of the version, those to feeds in batches; returns how many. */
  async enqueueQueued(itemVersionId: string): Promise<number> {
    const queued = await this.deliveries.queuedOf(itemVersionId);
    const toFeeds = queued.filter((delivery) => delivery.toFeed);
    await this.enqueue(queued.filter((delivery) => !delivery.toFeed));
    const batches: { name: string; data: JobPayload<QueueName.FeedDeliveries>; opts: object }[] = [];
    for (let i = 0; i < toFeeds.length; i += FEED_BATCH_SIZE) {
      const batch = toFeeds.slice(i, i + FEED_BATCH_SIZE);
      const deliveryIds = batch.map((delivery) => delivery.id);
      batches.push({
        name: 'deliver-to-feeds',
        data: { deliveryIds, ...correlated() },
        opts: { jobId: feedDeliveriesJobId(deliveryIds), priority: priorityFor(batch[0].itemKind) },
      });
    }
    if (batches.length > 0) await this.feedQueue.addBulk(batches);
    return queued.length;
  }
}
