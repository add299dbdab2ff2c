import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QueueName } from '@tlp-broker/queue';
import { QueueDepthView } from './queue-depth-view';

/** The counts of BullMQ job states read for the queue depths, one round trip per queue. */
const COUNTED = ['wait', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;

/** What the operations screen shows of the running broker: the depth of each queue. */
@Injectable()
export class OperationsService {
  private readonly queues: readonly Queue[];

  constructor(
    @InjectQueue(QueueName.Routing) routing: Queue,
    @InjectQueue(QueueName.Delivery) delivery: Queue,
    @InjectQueue(QueueName.FeedDeliveries) feedDeliveries: Queue,
    @InjectQueue(QueueName.SubmissionMessages) submissionMessages: Queue,
  ) {
    this.queues = [routing, delivery, feedDeliveries, submissionMessages];
  }

  /** Every queue the broker uses, with how many jobs it holds in each state. */
  queueDepths(): Promise<QueueDepthView[]> {
    return Promise.all(this.queues.map(depth));
  }
}

async function depth(queue: Queue): Promise<QueueDepthView> {
  const [counts, paused] = await Promise.all([queue.getJobCounts(...COUNTED), queue.isPaused()]);
  const count = (state: (typeof COUNTED)[number]) => counts[state] ?? 0;
  // BullMQ keeps a paused queue's jobs in its wait list: they are held, not waiting for a worker.
  const waiting = count('wait') + count('prioritized');
  return {
    name: queue.name,
    waiting: paused ? 0 : waiting,
    active: count('active'),
    delayed: count('delayed'),
    failed: count('failed'),
    completed: count('completed'),
    paused: paused ? waiting : 0,
  };
}
