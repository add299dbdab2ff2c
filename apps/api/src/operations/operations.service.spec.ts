import type { Queue } from 'bullmq';
import { describe, expect, it, vi } from 'vitest';
import { QueueName } from '@tlp-broker/queue';
import { OperationsService } from './operations.service';

/** A BullMQ queue answering fixed counts, as getJobCounts reports them for the states asked. */
function queue(name: string, counts: Record<string, number>, paused = false) {
  return {
    name,
    getJobCounts: vi.fn(async (...types: string[]) => Object.fromEntries(types.map((t) => [t, counts[t] ?? 0]))),
    isPaused: vi.fn(async () => paused),
  };
}

function service(
  routing: ReturnType<typeof queue>,
  delivery: ReturnType<typeof queue>,
  messages = queue(QueueName.SubmissionMessages, {}),
  feeds = queue(QueueName.FeedDeliveries, {}),
) {
  return new OperationsService(
    routing as unknown as Queue,
    delivery as unknown as Queue,
    feeds as unknown as Queue,
    messages as unknown as Queue,
  );
}

describe('OperationsService', () => {
  it('reports every queue the broker uses, waiting counting prioritised jobs too', async () => {
    const routing = queue(QueueName.Routing, { wait: 1, prioritized: 4, active: 2, completed: 30 });
    const delivery = queue(QueueName.Delivery, { prioritized: 7, active: 8, delayed: 3, failed: 2, completed: 100 });
    const messages = queue(QueueName.SubmissionMessages, { wait: 1, failed: 1 });
    const feeds = queue(QueueName.FeedDeliveries, { active: 2, wait: 3 });
    const depths = await service(routing, delivery, messages, feeds).queueDepths();
    expect(depths.map((d) => d.name).sort()).toEqual(Object.values(QueueName).sort());
    expect(depths).toEqual([
      { name: 'routing', waiting: 5, active: 2, delayed: 0, failed: 0, completed: 30, paused: 0 },
      { name: 'delivery', waiting: 7, active: 8, delayed: 3, failed: 2, completed: 100, paused: 0 },
      { name: 'feed-deliveries', waiting: 3, active: 2, delayed: 0, failed: 0, completed: 0, paused: 0 },
      { name: 'submission-messages', waiting: 1, active: 0, delayed: 0, failed: 1, completed: 0, paused: 0 },
    ]);
  });

  it('counts the jobs a paused queue holds as paused, not waiting', async () => {
    const routing = queue(QueueName.Routing, {});
    const delivery = queue(QueueName.Delivery, { wait: 2, prioritized: 5, delayed: 1 }, true);
    const [, depth] = await service(routing, delivery).queueDepths();
    expect(depth).toEqual({ name: 'delivery', waiting: 0, active: 0, delayed: 1, failed: 0, completed: 0, paused: 7 });
  });
});
