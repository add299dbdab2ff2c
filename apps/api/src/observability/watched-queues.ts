import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Metrics } from '@tlp-broker/observability';
import { QueueName } from '@tlp-broker/queue';

/**
 * The broker's queues as the API sees them: reported in its metrics at each scrape (the API,
 * always running, reports them; the dispatchers report their own work) and shown in the queue
 * dashboard.
 */
@Injectable()
export class WatchedQueues implements OnModuleInit {
  readonly all: readonly Queue[];

  constructor(
    @InjectQueue(QueueName.Routing) routing: Queue,
    @InjectQueue(QueueName.Delivery) delivery: Queue,
    @InjectQueue(QueueName.SubmissionMessages) submissionMessages: Queue,
    private readonly metrics: Metrics,
  ) {
    this.all = [routing, delivery, submissionMessages];
  }

  onModuleInit(): void {
    this.metrics.watchQueues(this.all);
  }
}
