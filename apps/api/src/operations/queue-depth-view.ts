/** How many jobs one BullMQ queue holds in each state (GET /operations/queues). */
export interface QueueDepthView {
  /** The queue's name (`routing`, `delivery`). */
  name: string;
  /** Waiting to be taken by a worker (prioritised ones included); 0 while the queue is paused. */
  waiting: number;
  /** Being processed by a worker now. */
  active: number;
  /** Waiting for their time: a retry's back-off, or a channel's rate limit. */
  delayed: number;
  /** Kept after their last attempt failed. */
  failed: number;
  /** Kept for a while after they succeeded. */
  completed: number;
  /** Waiting, but held because the queue is paused. */
  paused: number;
}
