export { QueueName, priorityFor, routingJobId, deliveryJobId, DEFAULT_JOB_OPTIONS, PRIORITY_BY_KIND } from './queues';
export type { JobPayloads, JobPayload } from './queues';
export { QueueModule, redisConnection } from './queue.module';
export { deleteKeysUnder } from './redis-keys';
