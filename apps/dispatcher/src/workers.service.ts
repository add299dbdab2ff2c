import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError, Worker } from 'bullmq';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { Correlated, JobPayload, QueueName, redisConnection } from '@tlp-broker/queue';
import { runWithCorrelation } from '@tlp-broker/observability';
import { DeliveryService } from './delivery/delivery.service';
import { FeedBatchService } from './delivery/feed-batch.service';
import { RateLimited } from './delivery/rate-limiter';
import { RoutingService } from './routing/routing.service';
import { SubmissionMessagesService } from './intake/submission-messages/submission-messages.service';

type Handlers = { [Q in QueueName]: (job: Job<JobPayload<Q>>, token?: string) => Promise<unknown> };

/**
 * The BullMQ workers, one per queue. Every queue of the contract has a handler (the type requires
 * it). Closing waits for jobs in progress; a process killed mid-job leaves the job stalled, and
 * BullMQ hands it to another worker.
 */
@Injectable()
export class WorkersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkersService.name);
  private readonly workers: Worker[] = [];

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly routing: RoutingService,
    private readonly delivery: DeliveryService,
    private readonly feedBatch: FeedBatchService,
    private readonly submissionMessages: SubmissionMessagesService,
  ) {}

  private readonly handlers: Handlers = {
    [QueueName.Routing]: (job) => this.routing.process(job.data.outboxKey),
    [QueueName.Delivery]: async (job, token) => {
      try {
        return await this.delivery.deliver(job.data.deliveryId);
      } catch (error) {
        if (error instanceof RateLimited) {
          await job.moveToDelayed(Date.now() + error.waitMs, token);
          throw new DelayedError();
        }
        if (!(error instanceof UnrecoverableError)) await this.delivery.recordFailure(job.data.deliveryId, error);
        throw error;
      }
    },
    [QueueName.FeedDeliveries]: (job) => this.feedBatch.deliver(job.data.deliveryIds),
    // The service records each failure itself, and a final one as dead.
    [QueueName.SubmissionMessages]: (job) =>
      this.submissionMessages.send(job.data.messageId, { made: job.attemptsMade, allowed: job.opts.attempts ?? 1 }),
  };

  onApplicationBootstrap(): void {
    const concurrency: Record<QueueName, number> = {
      // Two: an alert is routed while a large fan-out is being routed.
      [QueueName.Routing]: 2,
      [QueueName.Delivery]: this.config.dispatch.deliveryConcurrency,
      // Batches are mostly cryptography in the key threads: more at once would only interleave them.
      [QueueName.FeedDeliveries]: Math.min(2, this.config.dispatch.deliveryConcurrency),
      [QueueName.SubmissionMessages]: 2,
    };
    for (const name of Object.values(QueueName)) {
      const handle = this.handlers[name] as (job: Job, token?: string) => Promise<unknown>;
      // Every log line of the job carries the correlation id of the request that caused it.
      const handler = (job: Job, token?: string) =>
        runWithCorrelation((job.data as Correlated).correlationId, () => handle(job, token));
      const worker = new Worker(name, handler, {
        connection: redisConnection(this.config.redis.url),
        prefix: this.config.redis.prefix,
        concurrency: concurrency[name],
        // A killed worker's jobs go back to the queue once their lock lapses (checked as often).
        lockDuration: this.config.dispatch.jobLockMs,
        stalledInterval: this.config.dispatch.jobLockMs,
        // A job stalled by one crash is simply run again; repeated stalls end it (and it is recorded dead).
        maxStalledCount: 3,
      });
      worker.on('failed', (job, error) => {
        if (!job) return;
        const final =
          error instanceof UnrecoverableError ||
          error.name === 'UnrecoverableError' ||
          job.attemptsMade >= (job.opts.attempts ?? 1);
        this.logger.warn(
          `${name} job ${job.id} failed (attempt ${job.attemptsMade}${final ? ', final' : ''}): ${error.message}`,
        );
        if (final && name === QueueName.FeedDeliveries) {
          // Each delivery of a batch that kept failing goes on as its own job, with its own attempts.
          this.feedBatch
            .handOn((job.data as JobPayload<QueueName.FeedDeliveries>).deliveryIds)
            .catch((handError: unknown) => this.logger.error(`could not hand a batch on: ${String(handError)}`));
        }
        if (final && name === QueueName.Delivery) {
          this.delivery
            .markDead((job.data as JobPayload<QueueName.Delivery>).deliveryId, error)
            .catch((markError: unknown) => {
              this.logger.error(`could not mark delivery dead: ${String(markError)}`);
            });
        }
      });
      worker.on('error', (error) => this.logger.error(`${name} worker: ${error.message}`));
      this.workers.push(worker);
    }
    this.logger.log(`workers started: ${Object.values(QueueName).join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
