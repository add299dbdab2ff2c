import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { DueSubmissionMessage, SubmissionMessageRepository, Transactions } from '@tlp-broker/persistence';
import { JobPayload, QueueName, submissionMessageJobId } from '@tlp-broker/queue';
import type { EntityManager } from 'typeorm';
import { SubmissionMessagesService } from './submission-messages.service';

const BATCH = 100;

/**
 * Hands the messages to send back about submissions (acknowledgements, replies) from PostgreSQL to
 * the submission-messages queue, as the outbox relay does for items: a message never handed over
 * at once, one handed over RECONCILE_AFTER_MS ago and still not sent looked at again. A job that
 * Redis lost, or that finished without the message being sent (a database restored from before),
 * is enqueued again; one that ran out of attempts while its failure went unrecorded ends the
 * message as dead. PostgreSQL stays the source of truth, and the job id makes a repeat harmless.
 * Without an SMTP relay nothing is handed over: the messages stay queued, and this is said once.
 */
@Injectable()
export class SubmissionMessageRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SubmissionMessageRelay.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private waitingSaid = false;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly messages: SubmissionMessageRepository,
    private readonly sender: SubmissionMessagesService,
    @InjectQueue(QueueName.SubmissionMessages)
    private readonly queue: Queue<JobPayload<QueueName.SubmissionMessages>>,
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
    const pollMs = this.config.dispatch.outboxPollMs;
    this.timer = setTimeout(() => {
      this.running = this.relayOnce()
        .then((count) => (count === BATCH ? 0 : pollMs))
        .catch((error: unknown) => {
          this.logger.error(`submission message relay: ${error instanceof Error ? error.message : String(error)}`);
          return pollMs * 4;
        })
        .then((next) => {
          // Without SMTP, nothing changes until the dispatcher is restarted with it: stop once said.
          if (this.timer && !this.waitingSaid) this.schedule(next);
        });
    }, delay);
  }

  /** Enqueues one batch; returns how many messages it took. */
  async relayOnce(): Promise<number> {
    if (!this.sender.canSend()) {
      await this.sayWaiting();
      return 0;
    }
    return this.transactions.run(async (tx) => {
      const rows = await this.messages.lockDue(this.config.dispatch.reconcileAfterMs, BATCH, tx);
      if (rows.length === 0) return 0;
      const due: DueSubmissionMessage[] = [];
      for (const row of rows) {
        if (!row.handed || !(await this.stillPending(row, tx))) due.push(row);
      }
      if (due.length > 0) {
        await this.queue.addBulk(
          due.map((row) => ({
            name: 'send',
            data: { messageId: row.id },
            opts: { jobId: submissionMessageJobId(row.id) },
          })),
        );
      }
      await this.messages.markEnqueued(
        rows.map((row) => row.id),
        tx,
      );
      return rows.length;
    });
  }

  private async sayWaiting(): Promise<void> {
    if (this.waitingSaid || !(await this.messages.anyOpen())) return;
    this.waitingSaid = true;
    this.logger.warn(
      'acknowledgements and replies to senders of submissions are waiting: SMTP_URL is not set, so they stay queued until it is',
    );
  }

  /**
   * A message handed to the queue long ago is still not sent: finds out what became of its job.
   * Waiting, delayed for a retry or running, it will be done. Gone (Redis lost it) or completed
   * without the message being sent, it is enqueued again (a finished job is removed first, or
   * adding it again would be a no-op). Failed for the last time, the message is dead.
   */
  private async stillPending(row: DueSubmissionMessage, tx: EntityManager): Promise<boolean> {
    const jobId = submissionMessageJobId(row.id);
    const job = await this.queue.getJob(jobId);
    if (!job) {
      this.logger.warn(`${row.kind} ${row.id}: job ${jobId} is no longer queued; enqueuing it again`);
      return false;
    }
    const state = await job.getState();
    if (state === 'failed') {
      await this.sender.recordDead(row, { reason: job.failedReason || 'no attempts left', code: 'send.failed' }, tx);
      return true;
    }
    if (state !== 'completed') return true;
    this.logger.warn(`${row.kind} ${row.id}: job ${jobId} completed but the message was never sent; sending it again`);
    await job.remove();
    return false;
  }
}
