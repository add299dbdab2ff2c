import { appendFile } from 'node:fs/promises';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { signCheckpoint, TeamKeyService } from '@tlp-broker/crypto';
import { AuditCheckpointRepository, StoredCheckpoint } from '@tlp-broker/persistence';

/**
 * Signs the audit trail's head with the team key at intervals (AUDIT_CHECKPOINT_INTERVAL_MS),
 * when it moved: a checkpoint vouches that the event at `seq` had `hash`, so removing events from
 * the end or rewriting the trail up to a checkpoint shows. Kept in audit_checkpoints, and appended
 * to AUDIT_CHECKPOINT_FILE when set: a copy out of reach of whoever administers the database.
 */
@Injectable()
export class AuditCheckpointer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditCheckpointer.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly checkpoints: AuditCheckpointRepository,
    private readonly teamKey: TeamKeyService,
  ) {}

  onApplicationBootstrap(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.audit.checkpointIntervalMs);
  }

  /** A last checkpoint as the dispatcher stops (before the database connection closes): the head it leaves. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.checkpointOnce().catch((error: unknown) =>
      this.logger.error(`audit checkpoint at shutdown: ${describe(error)}`),
    );
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.checkpointOnce()
      .catch((error: unknown) => this.logger.error(`audit checkpoint: ${describe(error)}`))
      .finally(() => (this.running = null));
  }

  /** Signs the head if it moved since the last checkpoint; returns the new checkpoint, or null. */
  async checkpointOnce(): Promise<StoredCheckpoint | null> {
    const { key } = await this.teamKey.current();
    const checkpoint = await this.checkpoints.checkpointHead((head) => signCheckpoint(head, key));
    if (checkpoint && this.config.audit.checkpointFile) {
      try {
        await appendFile(this.config.audit.checkpointFile, `${checkpoint.signed.trimEnd()}\n\n`, { mode: 0o640 });
      } catch (error) {
        // Stored in PostgreSQL all the same; the file copy is missing this one, which the log says.
        this.logger.error(
          `audit checkpoint of event ${checkpoint.seq} not written to AUDIT_CHECKPOINT_FILE ${this.config.audit.checkpointFile}: ${describe(error)}`,
        );
      }
    }
    return checkpoint;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
