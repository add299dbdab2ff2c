import { describe, expect, it, vi } from 'vitest';
import { Metrics } from './metrics';
import type { WatchedQueue } from './queue-reading';

const NOW = Date.parse('2026-03-01T12:00:00Z');

interface FakeJob {
  timestamp: number;
  priority: number;
}

/**
 * A queue as BullMQ answers: `wait` oldest first when asked ascending, `prioritized` by priority
 * then arrival (BullMQ's order), counts per state and per priority.
 */
function fakeQueue(name: string, jobs: { wait?: FakeJob[]; prioritized?: FakeJob[]; counts?: Record<string, number> }) {
  const prioritized = [...(jobs.prioritized ?? [])].sort(
    (a, b) => a.priority - b.priority || a.timestamp - b.timestamp,
  );
  const wait = [...(jobs.wait ?? [])].sort((a, b) => a.timestamp - b.timestamp);
  const queue = {
    name,
    getJobCounts: vi.fn(async () => ({ ...jobs.counts })),
    getJobs: vi.fn(async (types: string[], start: number, end: number) =>
      (types[0] === 'wait' ? wait : prioritized).slice(start, end + 1),
    ),
    getCountsPerPriority: vi.fn(async (priorities: number[]) =>
      Object.fromEntries(priorities.map((p) => [String(p), prioritized.filter((job) => job.priority === p).length])),
    ),
  };
  return queue;
}

const asWatched = (queue: ReturnType<typeof fakeQueue>) => queue as unknown as WatchedQueue;

/** The value of one sample in the rendered text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('Metrics', () => {
  it('names the process metrics with the tlpb_ prefix, and leaves them out when asked', async () => {
    expect(await new Metrics().render()).toMatch(/^tlpb_process_cpu_user_seconds_total /m);
    const quiet = await new Metrics({ processMetrics: false }).render();
    expect(quiet).not.toMatch(/process_cpu/);
    expect(new Metrics({ processMetrics: false }).contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('keeps one registry per instance: two processes in one test do not mix', async () => {
    const [a, b] = [new Metrics({ processMetrics: false }), new Metrics({ processMetrics: false })];
    a.decisionsMade(['allow-clear']);
    expect(sample(await a.render(), 'tlpb_decisions_total', '{rule="allow-clear"}')).toBe(1);
    expect(sample(await b.render(), 'tlpb_decisions_total', '{rule="allow-clear"}')).toBeUndefined();
  });

  it('counts deliveries by state and channel kind, and times those that reached the recipient from publication', async () => {
    const metrics = new Metrics({ processMetrics: false, now: () => NOW });
    const published = new Date(NOW - 3_000);
    metrics.deliveryFinished('webhook', 'delivered', published);
    metrics.deliveryFinished('email', 'sent', new Date(NOW - 45_000));
    metrics.deliveryFinished('email', 'failed', published);
    metrics.deliveryFinished('feed', 'delivered', null);
    const text = await metrics.render();
    expect(sample(text, 'tlpb_deliveries_total', '{state="delivered",channel_kind="webhook"}')).toBe(1);
    expect(sample(text, 'tlpb_deliveries_total', '{state="sent",channel_kind="email"}')).toBe(1);
    expect(sample(text, 'tlpb_deliveries_total', '{state="failed",channel_kind="email"}')).toBe(1);
    expect(sample(text, 'tlpb_deliveries_total', '{state="delivered",channel_kind="feed"}')).toBe(1);
    // Only what reached someone, with a known publication time, is timed.
    expect(sample(text, 'tlpb_publish_to_delivered_seconds_count', '{channel_kind="webhook"}')).toBe(1);
    expect(sample(text, 'tlpb_publish_to_delivered_seconds_sum', '{channel_kind="webhook"}')).toBe(3);
    expect(sample(text, 'tlpb_publish_to_delivered_seconds_bucket', '{le="5",channel_kind="webhook"}')).toBe(1);
    expect(sample(text, 'tlpb_publish_to_delivered_seconds_bucket', '{le="2.5",channel_kind="webhook"}')).toBe(0);
    expect(sample(text, 'tlpb_publish_to_delivered_seconds_count', '{channel_kind="email"}')).toBe(1);
    expect(sample(text, 'tlpb_publish_to_delivered_seconds_bucket', '{le="60",channel_kind="email"}')).toBe(1);
    expect(sample(text, 'tlpb_publish_to_delivered_seconds_bucket', '{le="0.05",channel_kind="email"}')).toBe(0);
    expect(text).not.toMatch(/tlpb_publish_to_delivered_seconds_count\{channel_kind="feed"\}/);
  });

  it('counts decisions by the rule that decided', async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.decisionsMade(['allow-community', 'deny-no-key', 'allow-community']);
    metrics.decisionsMade([]);
    metrics.decisionsMade(['deny-no-key']);
    const text = await metrics.render();
    expect(sample(text, 'tlpb_decisions_total', '{rule="allow-community"}')).toBe(2);
    expect(sample(text, 'tlpb_decisions_total', '{rule="deny-no-key"}')).toBe(2);
  });

  it('times encryption and sending, failures included', async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.observeEncryption(0.02);
    expect(await metrics.timeEncryption(async () => 'sealed')).toBe('sealed');
    metrics.observeSend('email', 0.3);
    await expect(
      metrics.timeSend('webhook', async () => {
        throw new Error('503');
      }),
    ).rejects.toThrow('503');
    const text = await metrics.render();
    expect(sample(text, 'tlpb_encryption_seconds_count')).toBe(2);
    expect(sample(text, 'tlpb_encryption_seconds_bucket', '{le="0.025"}')).toBe(2);
    expect(sample(text, 'tlpb_send_seconds_count', '{channel_kind="email"}')).toBe(1);
    expect(sample(text, 'tlpb_send_seconds_count', '{channel_kind="webhook"}')).toBe(1);
  });

  it('times HTTP requests by method, route pattern and status', async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.observeHttpRequest('GET', '/items/:id', 200, 0.012);
    metrics.observeHttpRequest('GET', '/items/:id', 200, 0.2);
    metrics.observeHttpRequest('POST', 'unmatched', 404, 0.001);
    const text = await metrics.render();
    expect(
      sample(text, 'tlpb_http_request_duration_seconds_count', '{method="GET",route="/items/:id",status="200"}'),
    ).toBe(2);
    expect(
      sample(text, 'tlpb_http_request_duration_seconds_count', '{method="POST",route="unmatched",status="404"}'),
    ).toBe(1);
  });

  it('reads the watched queues at scrape time: counts by state and the oldest job waiting', async () => {
    const metrics = new Metrics({ processMetrics: false, now: () => NOW });
    const routing = fakeQueue('routing', {
      counts: { wait: 1, active: 2, delayed: 3, prioritized: 4, failed: 5 },
      wait: [{ timestamp: NOW - 8_000, priority: 0 }],
      prioritized: [
        // The first of priority 1 is the queue's next job; the oldest waits behind at priority 20.
        { timestamp: NOW - 2_000, priority: 1 },
        { timestamp: NOW - 1_000, priority: 1 },
        { timestamp: NOW - 90_000, priority: 20 },
        { timestamp: NOW - 5_000, priority: 5 },
      ],
    });
    const delivery = fakeQueue('delivery', { counts: {} });
    metrics.watchQueues([asWatched(routing), asWatched(delivery)]);
    metrics.watchQueues([asWatched(routing)]);
    const text = await metrics.render();
    for (const [state, count] of Object.entries({ waiting: 1, active: 2, delayed: 3, prioritized: 4, failed: 5 }))
      expect(sample(text, 'tlpb_queue_jobs', `{queue="routing",state="${state}"}`)).toBe(count);
    expect(sample(text, 'tlpb_queue_jobs', '{queue="delivery",state="waiting"}')).toBe(0);
    expect(sample(text, 'tlpb_queue_oldest_job_age_seconds', '{queue="routing"}')).toBe(90);
    expect(sample(text, 'tlpb_queue_oldest_job_age_seconds', '{queue="delivery"}')).toBe(0);
    // One reading per scrape for both gauges; each level's head read once.
    expect(routing.getJobCounts).toHaveBeenCalledTimes(1);
    expect(routing.getCountsPerPriority.mock.calls).toEqual([[[1]], [[5]], [[20]]]);
  });

  it('reads the queues again at the next scrape', async () => {
    const metrics = new Metrics({ processMetrics: false, now: () => NOW });
    const routing = fakeQueue('routing', { counts: { wait: 1 } });
    metrics.watchQueues([asWatched(routing)]);
    expect(sample(await metrics.render(), 'tlpb_queue_jobs', '{queue="routing",state="waiting"}')).toBe(1);
    routing.getJobCounts.mockResolvedValue({ wait: 7 });
    expect(sample(await metrics.render(), 'tlpb_queue_jobs', '{queue="routing",state="waiting"}')).toBe(7);
  });

  it('leaves the queues out of a scrape they cannot answer, and says why', async () => {
    const errors: unknown[] = [];
    const metrics = new Metrics({
      processMetrics: false,
      queueReadingTimeoutMs: 50,
      onQueueReadingError: (error) => errors.push(error),
    });
    const stuck = fakeQueue('routing', {});
    stuck.getJobCounts.mockImplementation(() => new Promise(() => undefined));
    metrics.watchQueues([asWatched(stuck)]);
    metrics.decisionsMade(['allow-clear']);
    const text = await metrics.render();
    expect(text).not.toMatch(/^tlpb_queue_jobs\{/m);
    expect(sample(text, 'tlpb_decisions_total', '{rule="allow-clear"}')).toBe(1);
    expect(String(errors[0])).toMatch(/did not answer within 50 ms/);
  });
});
