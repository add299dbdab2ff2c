import type { Queue } from 'bullmq';

/** What the metrics read of a BullMQ queue: its counts, and the jobs at the head of its waiting lists. */
export type WatchedQueue = Pick<Queue, 'name' | 'getJobCounts' | 'getJobs' | 'getCountsPerPriority'>;

/** The job states counted, as the `state` label says them. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export interface QueueReading {
  readonly queue: string;
  readonly counts: Readonly<Record<QueueState, number>>;
  /** When the oldest job still waiting for a worker was added (ms since the epoch), or null when none waits. */
  readonly oldestWaitingSince: number | null;
}

/** More priority levels than the broker uses: the walk below stops there whatever happens meanwhile. */
const MAX_PRIORITY_LEVELS = 32;

export async function readQueue(queue: WatchedQueue): Promise<QueueReading> {
  const [counts, oldest] = await Promise.all([
    queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'failed'),
    oldestWaitingSince(queue),
  ]);
  const count = (state: string) => counts[state] ?? 0;
  return {
    queue: queue.name,
    counts: {
      // A paused queue's jobs are still in its wait list: they wait.
      waiting: count('wait'),
      active: count('active'),
      delayed: count('delayed'),
      prioritized: count('prioritized'),
      failed: count('failed'),
    },
    oldestWaitingSince: oldest,
  };
}

/**
 * The oldest of: the job at the far end of the wait list (first in, first out), and the first job
 * of each priority level in the prioritized set. BullMQ orders that set by priority, then by
 * arrival within a priority, so a level's first job is its oldest; the levels are walked with one
 * count per level, from the lowest priority number up, never by reading every job.
 */
async function oldestWaitingSince(queue: WatchedQueue): Promise<number | null> {
  const [waiting] = await queue.getJobs(['wait'], 0, 0, true);
  const times = await prioritizedHeads(queue);
  if (waiting?.timestamp !== undefined) times.push(waiting.timestamp);
  return times.length === 0 ? null : Math.min(...times);
}

async function prioritizedHeads(queue: WatchedQueue): Promise<number[]> {
  const times: number[] = [];
  let index = 0;
  for (let level = 0; level < MAX_PRIORITY_LEVELS; level++) {
    const [head] = await queue.getJobs(['prioritized'], index, index, true);
    if (!head) break;
    times.push(head.timestamp);
    const counts = await queue.getCountsPerPriority([head.priority]);
    const atLevel = counts[String(head.priority)] ?? 0;
    // The level emptied meanwhile: what was read is still a fair answer.
    if (atLevel < 1) break;
    index += atLevel;
  }
  return times;
}
