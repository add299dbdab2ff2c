export {
  QueueName,
  priorityFor,
  routingJobId,
  deliveryJobId,
  feedDeliveriesJobId,
  submissionMessageJobId,
  jobOptions,
  PRIORITY_BY_KIND,
} from './queues';
export type { JobPayloads, JobPayload, Correlated } from './queues';
export { QueueModule, redisConnection } from './queue.module';
export { deleteKeysUnder } from './redis-keys';
export { FixedWindowLimiter } from './fixed-window-limiter';
export type { WindowHit, WindowReading, LimiterRedis } from './fixed-window-limiter';
export { SlidingWindowLimiter } from './sliding-window-limiter';
export type { SlotTaking, SlidingLimiterRedis } from './sliding-window-limiter';
