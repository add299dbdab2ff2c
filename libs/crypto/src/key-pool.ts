import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { KeyTask, KeyTaskResult, ParsedKeys, runKeyTask } from './key-work';

/**
 * Recipients' key work (reading a key's state, addressing a session key to it) spread over worker
 * threads, so that a fan-out uses every core of the machine rather than one. With no threads
 * asked — or where the compiled worker is absent, as when the sources run under a test runner —
 * the work runs on the calling thread, the same code either way.
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
            minThreads: 0,
            maxThreads: threads,
            idleTimeout: 60_000,
            // Parsed keys take a few kilobytes each: ten thousand fit well within this.
            resourceLimits: { maxOldGenerationSizeMb: 96 },
          })
        : null;
  }

  /** Threads working for the pool now (started when work comes, stopped after a minute idle; 0 without a pool). */
  get threads(): number {
    return this.pool?.threads.length ?? 0;
  }

  run(task: KeyTask): Promise<KeyTaskResult> {
    return this.pool ? (this.pool.run(task) as Promise<KeyTaskResult>) : runKeyTask(this.local, task);
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}
