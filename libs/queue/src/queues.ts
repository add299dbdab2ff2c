import { createHash } from 'node:crypto';
import type { ItemKind } from '@tlp-broker/domain';

/**
 * The queue contract shared by producers and workers. Queue names are persisted in Redis keys:
 * never rename one without a migration plan. Payloads carry ids only: BullMQ keeps job data in
 * Redis in clear text, and an item's content or a key must never sit there.
 */
export enum QueueName {
  Routing = 'routing',
  Delivery = 'delivery',
  /** A fan-out's deliveries to pull feeds, carried in batches (a queue of its own, so urgent single deliveries never wait behind them). */
  FeedDeliveries = 'feed-deliveries',
  /** Acknowledgements and replies the team sends back about submissions. */
  SubmissionMessages = 'submission-messages',
}

/** The correlation id of the request that caused the work: the job's log lines carry it. */
export interface Correlated {
  correlationId?: string;
}

export interface JobPayloads {
  /** `outboxKey`: the outbox row's `job_key` (a UUID), never its sequence number. */
  [QueueName.Routing]: { itemVersionId: string; outboxKey: string } & Correlated;
  [QueueName.Delivery]: { deliveryId: string } & Correlated;
  /** Item deliveries of one version, each to a pull feed. */
  [QueueName.FeedDeliveries]: { deliveryIds: string[] } & Correlated;
  /** `messageId`: the submission_messages row (a UUID), never its content. */
  [QueueName.SubmissionMessages]: { messageId: string };
}

export type JobPayload<Q extends QueueName> = JobPayloads[Q];

/** Alerts are routed before everything else (BullMQ: a lower number is served first). */
export const PRIORITY_BY_KIND: Readonly<Record<ItemKind, number>> = {
  alert: 1,
  advisory: 5,
  'threat-datasheet': 5,
  announcement: 8,
  'intel-report': 10,
  'annual-report': 20,
};

export function priorityFor(kind: ItemKind): number {
  return PRIORITY_BY_KIND[kind];
}

/**
 * Deterministic job ids make a re-enqueue of the same work a no-op (BullMQ ids must not contain
 * ':'). They are built from UUIDs only: an id from a database sequence would repeat after a restore
 * from backup, and BullMQ would take new work for a job it already completed.
 */
export function routingJobId(outboxKey: string): string {
  return `route-${outboxKey}`;
}

export function deliveryJobId(deliveryId: string): string {
  return `delivery-${deliveryId}`;
}

/** The same batch of deliveries always gets the same id; a batch made differently is a different job (harmless: a delivery is carried once). */
export function feedDeliveriesJobId(deliveryIds: readonly string[]): string {
  const digest = createHash('sha256')
    .update([...deliveryIds].sort().join(','))
    .digest('hex');
  return `feed-deliveries-${digest.slice(0, 32)}`;
}

export function submissionMessageJobId(messageId: string): string {
  return `submission-message-${messageId}`;
}

/**
 * Retries back off exponentially with jitter, so that a partner's mail server coming back after
 * an outage is not hit by every queued delivery in the same second.
 */
export function jobOptions(attempts: number, backoffMs: number) {
  return {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    // Failed jobs are kept while PostgreSQL shows the delivery as dead; an administrator's retry removes them.
    removeOnFail: { age: 30 * 24 * 3600 },
  } as const;
}
