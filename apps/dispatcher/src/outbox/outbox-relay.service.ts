import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { JobPayload, priorityFor, QueueName, routingJobId } from '@tlp-broker/queue';

const BATCH = 100;

/**
 * Moves published item versions from the PostgreSQL outbox to the routing queue, none before its
 * embargo time (`not_before`). A row is enqueued
 * again when it is still not processed after RECONCILE_AFTER_MS (Redis lost the job, a worker
 * died): PostgreSQL stays the source of truth, and the job id makes a repeat harmless.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Routing) private readonly routingQueue: Queue<JobPayload<QueueName.Routing>>,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.running = this.relayOnce()
        .then((count) => (count === BATCH ? 0 : this.config.dispatch.outboxPollMs))
        .catch((error: unknown) => {
          this.logger.error(`outbox relay: ${error instanceof Error ? error.message : String(error)}`);
          return this.config.dispatch.outboxPollMs * 4;
        })
        .then((next) => {
          if (this.timer) this.schedule(next);
        });
    }, delay);
  }

  /** Enqueues one batch; returns how many rows it took. */
  async relayOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: { id: string; item_version_id: string; kind: string }[] = await manager.query(
        `SELECT o.id, o.item_version_id, i.kind
           FROM outbox o
           JOIN item_versions v ON v.id = o.item_version_id
           JOIN items i ON i.id = v.item_id
          WHERE o.processed_at IS NULL
            AND (o.not_before IS NULL OR o.not_before <= now())
            AND (o.enqueued_at IS NULL OR o.enqueued_at < now() - make_interval(secs => $1::double precision / 1000))
          ORDER BY o.id
          LIMIT ${BATCH}
          FOR UPDATE OF o SKIP LOCKED`,
        [this.config.dispatch.reconcileAfterMs],
      );
      if (rows.length === 0) return 0;
      await this.routingQueue.addBulk(
        rows.map((row) => ({
          name: 'route',
          data: { itemVersionId: row.item_version_id, outboxId: row.id },
          opts: { jobId: routingJobId(row.id), priority: priorityFor(row.kind) },
        })),
      );
      await manager.query('UPDATE outbox SET enqueued_at = now() WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
      return rows.length;
    });
  }
}
