import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Queue } from 'bullmq';
import type { AppConfig } from '@tlp-broker/config';
import type { DueSubmissionMessage, SubmissionMessageRepository } from '@tlp-broker/persistence';
import { fakeTransactions, tx } from '../../../../../test/support/mocks';
import { SubmissionMessageRelay } from './submission-message-relay.service';
import type { SubmissionMessagesService } from './submission-messages.service';

const config = { dispatch: { reconcileAfterMs: 30_000, outboxPollMs: 1_000 } } as unknown as AppConfig;

const row = (id: string, handed: boolean): DueSubmissionMessage => ({
  id,
  submissionId: `s-${id}`,
  kind: 'acknowledgement',
  handed,
});

/** A job as BullMQ keeps it, in `state`. */
const job = (state: string) => ({
  getState: vi.fn(async () => state),
  remove: vi.fn(async () => undefined),
  failedReason: 'SMTP server answered 451',
});

function setup(rows: DueSubmissionMessage[], jobs: Record<string, ReturnType<typeof job>> = {}, smtp = true) {
  const messages = {
    lockDue: vi.fn(async () => rows),
    markEnqueued: vi.fn(async () => undefined),
    anyOpen: vi.fn(async () => true),
  };
  const sender = { canSend: () => smtp, recordDead: vi.fn(async () => true) };
  const queue = { addBulk: vi.fn(async () => []), getJob: vi.fn(async (id: string) => jobs[id] ?? null) };
  const relay = new SubmissionMessageRelay(
    config,
    fakeTransactions(),
    messages as unknown as SubmissionMessageRepository,
    sender as unknown as SubmissionMessagesService,
    queue as unknown as Queue,
  );
  return { relay, messages, sender, queue };
}

/** The job ids of what one relay run added to the queue. */
const enqueued = (queue: ReturnType<typeof setup>['queue']): string[] => {
  const calls = queue.addBulk.mock.calls as unknown as [{ opts: { jobId: string } }[]][];
  return calls.length === 0 ? [] : calls[0][0].map((entry) => entry.opts.jobId);
};

afterEach(() => vi.useRealTimers());

describe('SubmissionMessageRelay.relayOnce', () => {
  it('hands new messages to the queue under their job id, carrying the id only, and marks them enqueued', async () => {
    const { relay, messages, queue } = setup([row('1', false), row('2', false)]);
    expect(await relay.relayOnce()).toBe(2);
    expect(messages.lockDue).toHaveBeenCalledWith(30_000, 100, tx);
    expect(queue.addBulk).toHaveBeenCalledWith([
      { name: 'send', data: { messageId: '1' }, opts: { jobId: 'submission-message-1' } },
      { name: 'send', data: { messageId: '2' }, opts: { jobId: 'submission-message-2' } },
    ]);
    expect(messages.markEnqueued).toHaveBeenCalledWith(['1', '2'], tx);
  });

  it('enqueues again a message handed over long ago whose job is gone or completed, and leaves those in hand', async () => {
    const jobs = {
      'submission-message-1': job('completed'),
      'submission-message-3': job('waiting'),
      'submission-message-4': job('active'),
      'submission-message-5': job('delayed'),
    };
    const rows = ['1', '2', '3', '4', '5'].map((id) => row(id, true));
    const { relay, messages, queue, sender } = setup(rows, jobs);
    expect(await relay.relayOnce()).toBe(5);
    expect(enqueued(queue)).toEqual(['submission-message-1', 'submission-message-2']);
    // A finished job is removed first, or adding it again would be a no-op.
    expect(jobs['submission-message-1'].remove).toHaveBeenCalled();
    expect(jobs['submission-message-3'].remove).not.toHaveBeenCalled();
    expect(sender.recordDead).not.toHaveBeenCalled();
    expect(messages.markEnqueued).toHaveBeenCalledWith(['1', '2', '3', '4', '5'], tx);
  });

  it('ends as dead a message whose job failed for the last time while its failure went unrecorded', async () => {
    const { relay, queue, sender } = setup([row('1', true)], { 'submission-message-1': job('failed') });
    await relay.relayOnce();
    expect(queue.addBulk).not.toHaveBeenCalled();
    expect(sender.recordDead).toHaveBeenCalledWith(
      row('1', true),
      { reason: 'SMTP server answered 451', code: 'send.failed' },
      tx,
    );
  });

  it('hands nothing over without an SMTP relay, and says once that messages wait', async () => {
    const { relay, messages, queue } = setup([row('1', false)], {}, false);
    const warn = vi.spyOn((relay as unknown as { logger: { warn: (text: string) => void } }).logger, 'warn');
    warn.mockImplementation(() => undefined);
    expect(await relay.relayOnce()).toBe(0);
    expect(await relay.relayOnce()).toBe(0);
    expect(messages.lockDue).not.toHaveBeenCalled();
    expect(queue.addBulk).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/SMTP_URL is not set/);
  });
});

describe('SubmissionMessageRelay schedule', () => {
  it('relays at start, then every OUTBOX_POLL_MS, and stops on shutdown', async () => {
    vi.useFakeTimers();
    const { relay, messages } = setup([]);
    relay.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(0);
    expect(messages.lockDue).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(messages.lockDue).toHaveBeenCalledTimes(2);
    await relay.onApplicationShutdown();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(messages.lockDue).toHaveBeenCalledTimes(2);
  });

  it('backs off after a failure', async () => {
    vi.useFakeTimers();
    const { relay, messages } = setup([]);
    messages.lockDue.mockRejectedValueOnce(new Error('database down'));
    const error = vi.spyOn((relay as unknown as { logger: { error: (text: string) => void } }).logger, 'error');
    error.mockImplementation(() => undefined);
    relay.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(3_999);
    expect(messages.lockDue).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(messages.lockDue).toHaveBeenCalledTimes(2);
    await relay.onApplicationShutdown();
  });
});
