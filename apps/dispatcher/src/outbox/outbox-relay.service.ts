import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { DueOutboxRow, OutboxRepository, OutboxWakeups, Transactions } from '@tlp-broker/persistence';
import { JobPayload, priorityFor, QueueName, routingJobId } from '@tlp-broker/queue';

const BATCH = 100;

/**
 * Moves published item versions from the PostgreSQL outbox to the routing queue, none before its
 * embargo time (`not_before`): at once when PostgreSQL notifies that rows were written
 * (OutboxWakeups), and at every poll. A row still not processed RECONCILE_AFTER_MS after it was enqueued
 * is looked at again: a job that Redis lost, or that finished without processing the row, is
 * enqueued again. PostgreSQL stays the source of truth, and the job id makes a repeat harmless.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** A notice came while a run was in progress: run again as soon as it ends. */
  private woken = false;
  private readonly wakeups: OutboxWakeups;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly outbox: OutboxRepository,
    @InjectQueue(QueueName.Routing) private readonly routingQueue: Queue<JobPayload<QueueName.Routing>>,
  ) {
    this.wakeups = new OutboxWakeups(config.databaseUrl, () => this.wake());
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
    this.wakeups.start();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.wakeups.stop();
    await this.running;
  }

  /** Outbox rows were written: relay now rather than at the next poll. */
  private wake(): void {
    if (!this.timer) return;
    if (this.running) {
      this.woken = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.woken = false;
      this.running = this.relayOnce()
        .then((count) => (count === BATCH || this.woken ? 0 : this.config.dispatch.outboxPollMs))
        .catch((error: unknown) => {
          this.logger.error(`outbox relay: ${error instanceof Error ? error.message : String(error)}`);
          return this.config.dispatch.outboxPollMs * 4;
        })
        .then((next) => {
          this.running = null;
          if (this.timer) this.schedule(this.woken ? 0 : next);
        });
    }, delay);
  }

  /** Enqueues one batch; returns how many rows it took. */
  async relayOnce(): Promise<number> {
    return this.transactions.run(async (tx) => {
      const rows = await this.outbox.lockDue(this.config.dispatch.reconcileAfterMs, BATCH, tx);
      if (rows.length === 0) return 0;
      const due: DueOutboxRow[] = [];
      for (const row of rows) {
        if (!row.handed || !(await this.stillPending(row))) due.push(row);
      }
      if (due.length > 0) {
        await this.routingQueue.addBulk(
          due.map((row) => ({
            name: 'route',
            data: {
              itemVersionId: row.itemVersionId,
              outboxKey: row.jobKey,
              ...(row.correlationId ? { correlationId: row.correlationId } : {}),
            },
            opts: { jobId: routingJobId(row.jobKey), priority: priorityFor(row.itemKind) },
          })),
        );
      }
      await this.outbox.markEnqueued(
        rows.map((row) => row.id),
        tx,
      );
      return rows.length;
    });
  }

  /**
   * A row handed to the queue long ago is still not processed: finds out what became of its job.
   * Waiting or running, it will be done. Gone (Redis lost it), or finished without the row being
   * processed (a job kept from before a restore of the database, a final failure), the work never
   * ran to its end: the job is removed so that adding it again is not a no-op, and this is logged.
   */
  private async stillPending(row: DueOutboxRow): Promise<boolean> {
    const jobId = routingJobId(row.jobKey);
    const job = await this.routingQueue.getJob(jobId);
    if (!job) {
      this.logger.warn(`outbox row ${row.id}: routing job ${jobId} is no longer queued; enqueuing it again`);
      return false;
    }
    const state = await job.getState();
    if (state !== 'completed' && state !== 'failed') return true;
    const why = state === 'failed' ? `failed (${job.failedReason})` : 'completed';
    this.logger.warn(
      `outbox row ${row.id}: routing job ${jobId} ${why} but the row was never processed; running it again`,
    );
    await job.remove();
    return false;
  }
}
