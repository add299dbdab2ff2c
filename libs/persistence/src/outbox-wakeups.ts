import { Logger } from '@nestjs/common';
import { Client } from 'pg';

/** The channel the outbox trigger notifies when rows are written (migration OutboxNotify). */
export const OUTBOX_CHANNEL = 'tlpb_outbox';
const RECONNECT_MS = 5_000;

/**
 * Listens on PostgreSQL for outbox writes and calls `wake` for each notice, on a connection of its
 * own; a lost connection is made again after a pause. Notices only hasten the relay: its poll
 * carries on, so a notice missed while reconnecting delays rows by one poll at most.
 */
export class OutboxWakeups {
  private readonly logger = new Logger(OutboxWakeups.name);
  private client: Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly wake: () => void,
  ) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'tlpb-outbox-listener' });
    client.on('notification', () => this.wake());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      // Rows written while no one listened are moved now.
      this.wake();
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: Client, error: unknown): void {
    if (this.client !== client || this.stopped) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.logger.warn(
      `outbox notices lost (${error instanceof Error ? error.message : String(error)}); polling meanwhile`,
    );
    this.retry = setTimeout(() => void this.connect(), RECONNECT_MS);
  }
}
