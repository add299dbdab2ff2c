import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { TaskQueue } from 'piscina';
import { KeyTask, KeyTaskResult, ParsedKeys, runKeyTask } from './key-work';

/**
 * Key tasks in flight per thread. Most of a task's time is spent waiting for Node's WebCrypto jobs
 * (key import, X25519, Ed25519), so a thread working on several at once keeps its core busy: on two
 * cores one thread with eight in flight does the work of two threads with one each, in half the memory.
 */
const TASKS_PER_THREAD = 8;

/** How urgent a key task is: `bulk` work (a feed batch's recipients) waits behind everything else. */
export type KeyTaskPriority = 'urgent' | 'bulk';

type Task = Parameters<TaskQueue['push']>[0];

interface QueuedOptions {
  readonly bulk?: boolean;
}

/**
 * The pool's waiting line: urgent tasks first, each line in order. A single delivery (an alert by
 * e-mail) therefore never waits behind the hundreds of recipients of a feed fan-out.
 */
export class UrgentFirstQueue implements TaskQueue {
  private readonly urgent: Task[] = [];
  private readonly bulk: Task[] = [];

  get size(): number {
    return this.urgent.length + this.bulk.length;
  }

  push(task: Task): void {
    const options = (task as unknown as Record<symbol, QueuedOptions | null | undefined>)[Piscina.queueOptionsSymbol];
    (options?.bulk ? this.bulk : this.urgent).push(task);
  }

  shift(): Task | null {
    return this.urgent.shift() ?? this.bulk.shift() ?? null;
  }

  remove(task: Task): void {
    for (const line of [this.urgent, this.bulk]) {
      const at = line.indexOf(task);
      if (at !== -1) line.splice(at, 1);
    }
  }
}

/**
 * Recipients' key work (reading a key's state, addressing a session key to it) off the main
 * thread, in worker threads each working on several tasks at once. With no threads asked — or
 * where the compiled worker is absent, as when the sources run under a test runner — the work runs
 * on the calling thread, the same code either way.
 */
export class KeyPool {
  private readonly pool: Piscina | null;
  private readonly local = new ParsedKeys();

  constructor(threads: number) {
    const worker = join(__dirname, 'key-worker.js');
    this.pool =
      threads > 0 && existsSync(worker)
        ? new Piscina({
            filename: worker,
            // Kept started: a thread starting takes most of a second, which an urgent alert must not wait.
            minThreads: threads,
            maxThreads: threads,
            concurrentTasksPerWorker: TASKS_PER_THREAD,
            taskQueue: new UrgentFirstQueue(),
            // Parsed keys take a few kilobytes each: ten thousand fit well within this.
            resourceLimits: { maxOldGenerationSizeMb: 96 },
          })
        : null;
  }

  /** Threads working for the pool now (0 without a pool). */
  get threads(): number {
    return this.pool?.threads.length ?? 0;
  }

  run(task: KeyTask, priority: KeyTaskPriority = 'urgent'): Promise<KeyTaskResult> {
    if (!this.pool) return runKeyTask(this.local, task);
    const queued = priority === 'bulk' ? { ...task, [Piscina.queueOptionsSymbol]: { bulk: true } } : task;
    return this.pool.run(queued) as Promise<KeyTaskResult>;
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}
