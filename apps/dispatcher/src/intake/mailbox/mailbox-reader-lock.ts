import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

const MAILBOX_READER_LOCK = 0x746d6278; // "tmbx"

/** Held while one dispatcher reads the team mailbox. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * One dispatcher at a time reads the team mailbox: a PostgreSQL session lock, held on its own
 * connection for one pass over the mailbox and released when the pass ends — or by PostgreSQL when
 * the dispatcher dies. The unique Message-ID already keeps a message from being stored twice; the
 * lock keeps two dispatchers from decrypting and moving the same messages at once.
 */
@Injectable()
export class MailboxReaderLock {
  constructor(private readonly dataSource: DataSource) {}

  /** The lock, or null when another dispatcher holds it. */
  async tryHold(): Promise<HeldLock | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [row]: { held: boolean }[] = await runner.query('SELECT pg_try_advisory_lock($1) AS held', [
        MAILBOX_READER_LOCK,
      ]);
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
          await runner.query('SELECT pg_advisory_unlock($1)', [MAILBOX_READER_LOCK]);
        } finally {
          await runner.release();
        }
      },
    };
  }
}
