import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Queue } from 'bullmq';
import type { AppConfig } from '@tlp-broker/config';
import type { DueOutboxRow, OutboxRepository } from '@tlp-broker/persistence';
import { fakeTransactions, tx } from '../../../../test/support/mocks';
import { OutboxRelay } from './outbox-relay.service';

const config = { dispatch: { reconcileAfterMs: 30_000, outboxPollMs: 1_000 } } as unknown as AppConfig;

const row = (id: string, handed: boolean): DueOutboxRow => ({
  id,
  jobKey: `key-${id}`,
  itemVersionId: `version-${id}`,
  itemKind: 'alert',
  handed,
});

/** A routing job as BullMQ keeps it, in `state`. */
const job = (state: string) => ({
  getState: vi.fn(async () => state),
  remove: vi.fn(async () => undefined),
  failedReason: 'routing failed',
});

function setup(rows: DueOutboxRow[], jobs: Record<string, ReturnType<typeof job>> = {}) {
  const outbox = { lockDue: vi.fn(async () => rows), markEnqueued: vi.fn(async () => undefined) };
  const queue = {
    addBulk: vi.fn(async () => []),
    getJob: vi.fn(async (id: string) => jobs[id] ?? null),
  };
  const relay = new OutboxRelay(
    config,
    fakeTransactions(),
    outbox as unknown as OutboxRepository,
    queue as unknown as Queue,
  );
  return { relay, outbox, queue };
}

/** The job ids of what one relay run added to the routing queue. */
const enqueued = (queue: ReturnType<typeof setup>['queue']): string[] => {
  const calls = queue.addBulk.mock.calls as unknown as [{ opts: { jobId: string } }[]][];
  return calls.length === 0 ? [] : calls[0][0].map((entry) => entry.opts.jobId);
};

afterEach(() => vi.useRealTimers());

describe('OutboxRelay.relayOnce', () => {
  it('hands new rows to the routing queue under their job key, alerts first, and marks the batch enqueued', async () => {
    const { relay, outbox, queue } = setup([row('1', false), row('2', false)]);
    expect(await relay.relayOnce()).toBe(2);
    expect(outbox.lockDue).toHaveBeenCalledWith(30_000, 100, tx);
    expect(queue.addBulk).toHaveBeenCalledWith([
      {
        name: 'route',
        data: { itemVersionId: 'version-1', outboxKey: 'key-1' },
        opts: { jobId: 'route-key-1', priority: 1 },
      },
      expect.objectContaining({ opts: { jobId: 'route-key-2', priority: 1 } }),
    ]);
    expect(outbox.markEnqueued).toHaveBeenCalledWith(['1', '2'], tx);
  });

  it('re-enqueues a row handed over long ago whose job completed, failed or is missing, and leaves waiting ones', async () => {
    const jobs = {
      'route-key-1': job('completed'),
      'route-key-2': job('failed'),
      'route-key-4': job('waiting'),
      'route-key-5': job('active'),
      'route-key-6': job('delayed'),
    };
    const rows = ['1', '2', '3', '4', '5', '6'].map((id) => row(id, true));
    const { relay, outbox, queue } = setup(rows, jobs);
    expect(await relay.relayOnce()).toBe(6);
    expect(enqueued(queue)).toEqual(['route-key-1', 'route-key-2', 'route-key-3']);
    // A finished job is removed first, or adding it again would be a no-op.
    expect(jobs['route-key-1'].remove).toHaveBeenCalled();
    expect(jobs['route-key-2'].remove).toHaveBeenCalled();
    expect(jobs['route-key-4'].remove).not.toHaveBeenCalled();
    expect(outbox.markEnqueued).toHaveBeenCalledWith(['1', '2', '3', '4', '5', '6'], tx);
  });

  it('adds nothing when every row is still in hand, and does nothing without rows', async () => {
    const busy = setup([row('1', true)], { 'route-key-1': job('waiting') });
    expect(await busy.relay.relayOnce()).toBe(1);
    expect(busy.queue.addBulk).not.toHaveBeenCalled();
    expect(busy.outbox.markEnqueued).toHaveBeenCalledWith(['1'], tx);

    const idle = setup([]);
    expect(await idle.relay.relayOnce()).toBe(0);
    expect(idle.outbox.markEnqueued).not.toHaveBeenCalled();
  });
});

describe('OutboxRelay schedule', () => {
  it('relays at start, then every OUTBOX_POLL_MS, and stops on shutdown', async () => {
    vi.useFakeTimers();
    const { relay, outbox } = setup([]);
    relay.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.lockDue).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(outbox.lockDue).toHaveBeenCalledTimes(2);
    await relay.onApplicationShutdown();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(outbox.lockDue).toHaveBeenCalledTimes(2);
  });

  it('backs off after a failure', async () => {
    vi.useFakeTimers();
    const { relay, outbox } = setup([]);
    outbox.lockDue.mockRejectedValueOnce(new Error('database down'));
    relay.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(3_999);
    expect(outbox.lockDue).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(outbox.lockDue).toHaveBeenCalledTimes(2);
    await relay.onApplicationShutdown();
  });
});
