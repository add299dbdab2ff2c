import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OpenPgpService } from '@tlp-broker/crypto';
import { PartnerDirectory } from '@tlp-broker/persistence';

/** How often the directory's clock is looked at. */
const LOOK_EVERY_MS = 2_000;
/** Key blocks read from PostgreSQL at a time. */
const CHUNK = 250;

/**
 * Reads partners' keys into the key pool as they arrive, not when the first item goes to them:
 * parsing a key and checking its signatures costs about twice as much as addressing a message to
 * it, and a partner is registered long before it is sent anything. When the partner directory's
 * clock has moved, the keys deliveries may be encrypted to are listed with a digest of each key
 * block, and those not read yet in that form are read, as bulk work (single deliveries go first).
 * Nothing depends on it: a key not read ahead is read when it is first used, as before.
 */
@Injectable()
export class KeyReadAhead implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KeyReadAhead.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private clockSeen: string | null = null;
  /** The digest of each key block read ahead, by key id. */
  private readonly read = new Map<string, string>();

  constructor(
    private readonly directory: PartnerDirectory,
    private readonly openpgp: OpenPgpService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.look(), LOOK_EVERY_MS);
    this.look();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private look(): void {
    if (this.running) return;
    this.running = this.readNew()
      .catch((error: unknown) =>
        this.logger.warn(`keys not read ahead: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => (this.running = null));
  }

  /** Reads the keys not read yet (or changed since); returns how many were read. */
  async readNew(now = new Date()): Promise<number> {
    const clock = await this.directory.clock();
    if (clock === this.clockSeen) return 0;
    const usable = await this.directory.usableKeyDigests();
    const fresh = usable.filter(({ id, digest }) => this.read.get(id) !== digest);
    for (let i = 0; i < fresh.length; i += CHUNK) {
      const chunk = fresh.slice(i, i + CHUNK);
      const blocks = await this.directory.keyBlocks(chunk.map(({ id }) => id));
      // A key that cannot be read now is refused by its delivery, with the reason, as before.
      await Promise.all(blocks.map(({ armored }) => this.openpgp.readKeyAhead(armored, now).catch(() => undefined)));
    }
    this.read.clear();
    for (const { id, digest } of usable) this.read.set(id, digest);
    this.clockSeen = clock;
    return fresh.length;
  }
}
