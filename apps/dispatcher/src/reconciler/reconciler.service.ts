import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { deliveryJobId, JobPayload, priorityFor, QueueName } from '@tlp-broker/queue';
import { DeliveryService } from '../delivery/delivery.service';
import type { ItemKind } from '@tlp-broker/domain';

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
    private readonly dataSource: DataSource,
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
    const rows: { id: string; kind: ItemKind }[] = await this.dataSource.query(
      `SELECT d.id, i.kind FROM deliveries d
         JOIN item_versions v ON v.id = d.item_version_id
         JOIN items i ON i.id = v.item_id
        WHERE d.state IN ('queued', 'failed', 'sending')
          AND d.updated_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY d.updated_at
        LIMIT ${BATCH}`,
      [this.config.dispatch.reconcileAfterMs],
    );
    let requeued = 0;
    let dead = 0;
    for (const row of rows) {
      const job = await this.deliveryQueue.getJob(deliveryJobId(row.id));
      const state = job ? await job.getState() : null;
      if (state === 'failed') {
        await this.delivery.markDead(row.id, new Error(job!.failedReason || 'no attempts left'));
        dead += 1;
        continue;
      }
      if (state === 'completed') {
        // The job ran to its end, yet PostgreSQL says the delivery is still to do: the database was
        // restored from a backup taken before it finished. Adding the job again would be a no-op.
        this.logger.warn(`delivery ${row.id}: its job completed but the delivery is still open; sending it again`);
        await job!.remove();
      } else if (state !== null) {
        continue;
      }
      await this.deliveryQueue.add(
        'deliver',
        { deliveryId: row.id },
        { jobId: deliveryJobId(row.id), priority: priorityFor(row.kind) },
      );
      requeued += 1;
    }
    if (requeued + dead > 0) this.logger.log(`reconciler: ${requeued} deliveries re-enqueued, ${dead} marked dead`);
    return { requeued, dead };
  }
}
