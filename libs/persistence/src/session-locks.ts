import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The work only one process may do at a time, each under its own PostgreSQL advisory lock key. */
const LOCK_KEYS = {
  /** One dispatcher at a time reads the team mailbox. */
  'mailbox-reader': 0x746d6278, // "tmbx"
} as const;

export type SessionLockName = keyof typeof LOCK_KEYS;

/** Held until released, or until the holder's connection ends. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * PostgreSQL session locks, each held on a connection of its own for as long as the work lasts
 * and released when it ends — or by PostgreSQL when the process holding it dies. The team mailbox
 * reader takes one for each pass: the unique Message-ID already keeps a message from being stored
 * twice, the lock keeps two dispatchers from decrypting and moving the same messages at once.
 */
@Injectable()
export class SessionLocks {
  constructor(private readonly dataSource: DataSource) {}

  /** The lock, or null when another process holds it. */
  async tryHold(name: SessionLockName): Promise<HeldLock | null> {
    const key = LOCK_KEYS[name];
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [row]: { held: boolean }[] = await runner.query('SELECT pg_try_advisory_lock($1) AS held', [key]);
      if (!row.held) {
        await runner.release();
        return null;
      }
    } catch (error) {
      await runner.release();
      throw error;
    }
    return {
      async release() {
        try {
          await runner.query('SELECT pg_advisory_unlock($1)', [key]);
        } finally {
          await runner.release();
        }
      },
    };
  }
}
