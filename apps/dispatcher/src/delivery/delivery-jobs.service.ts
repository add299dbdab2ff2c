import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DeliveryRepository, DeliveryToQueue } from '@tlp-broker/persistence';
import { deliveryJobId, JobPayload, priorityFor, QueueName } from '@tlp-broker/queue';

/** Puts deliveries on the delivery queue, alerts first; job ids from the delivery make a repeat harmless. */
@Injectable()
export class DeliveryJobsService {
  constructor(
    private readonly deliveries: DeliveryRepository,
    @InjectQueue(QueueName.Delivery) private readonly queue: Queue<JobPayload<QueueName.Delivery>>,
  ) {}

  async enqueue(deliveries: readonly DeliveryToQueue[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.queue.addBulk(
      deliveries.map((delivery) => ({
        name: 'deliver',
        data: { deliveryId: delivery.id },
        opts: { jobId: deliveryJobId(delivery.id), priority: priorityFor(delivery.itemKind) },
      })),
    );
  }

  /** Enqueues every queued delivery of the version; returns how many. */
  async enqueueQueued(itemVersionId: string): Promise<number> {
    const queued = await this.deliveries.queuedOf(itemVersionId);
    await this.enqueue(queued);
    return queued.length;
  }
}
