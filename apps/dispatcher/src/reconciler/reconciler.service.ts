import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { DeliveryRepository, DeliveryToQueue } from '@tlp-broker/persistence';
import { deliveryJobId, JobPayload, priorityFor, QueueName } from '@tlp-broker/queue';
import { DeliveryService } from '../delivery/delivery.service';

const BATCH = 1_000;

/**
 * Re-enqueues deliveries that PostgreSQL says are still to do but that no queue holds any more
 * (Redis restarted empty, a job was lost) or whose job completed before the database was restored
 * from a backup, and closes those whose job ran out of attempts while the process that saw it fail
 * had no time to record it.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Reconciler.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly deliveries: DeliveryRepository,
    private readonly delivery: DeliveryService,
    @InjectQueue(QueueName.Delivery) private readonly deliveryQueue: Queue<JobPayload<QueueName.Delivery>>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.reconcileOnce()
        .catch((error: unknown) =>
          this.logger.error(`reconciler: ${error instanceof Error ? error.message : String(error)}`),
        )
        .finally(() => (this.running = null));
    }, this.config.dispatch.reconcileIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  async reconcileOnce(): Promise<{ requeued: number; dead: number }> {
    const open = await this.deliveries.openOlderThan(this.config.dispatch.reconcileAfterMs, BATCH);
    let requeued = 0;
    let dead = 0;
    for (const delivery of open) {
      const done = await this.reconcile(delivery);
      if (done === 'requeued') requeued += 1;
      if (done === 'dead') dead += 1;
    }
    if (requeued + dead > 0) this.logger.log(`reconciler: ${requeued} deliveries re-enqueued, ${dead} marked dead`);
    return { requeued, dead };
  }

  /** Looks at the job of a delivery still open: marks it dead, enqueues it again, or leaves it to its job. */
  private async reconcile(delivery: DeliveryToQueue): Promise<'requeued' | 'dead' | null> {
    const job = await this.deliveryQueue.getJob(deliveryJobId(delivery.id));
    const state = job ? await job.getState() : null;
    if (state === 'failed') {
      await this.delivery.markDead(delivery.id, new Error(job!.failedReason || 'no attempts left'));
      return 'dead';
    }
    if (state === 'completed') {
      // The job ran to its end, yet PostgreSQL says the delivery is still to do: the database was
      // restored from a backup taken before it finished. Adding the job again would be a no-op.
      this.logger.warn(`delivery ${delivery.id}: its job completed but the delivery is still open; sending it again`);
      await job!.remove();
    } else if (state !== null) {
      return null;
    }
    await this.deliveryQueue.add(
      'deliver',
      { deliveryId: delivery.id },
      { jobId: deliveryJobId(delivery.id), priority: priorityFor(delivery.itemKind) },
    );
    return 'requeued';
  }
}
