import { Logger } from '@nestjs/common';

const WARN_EVERY_MS = 60_000;

/**
 * Whether a limit counted in Redis can be read now. When Redis cannot be reached the limit lapses
 * rather than the API, and the log says so, at most once a minute.
 */
export class RedisLapses {
  private lastWarning = 0;

  constructor(
    private readonly redis: { readonly status: string },
    private readonly logger: Logger,
    /** What goes unlimited meanwhile, e.g. "failed sign-ins". */
    private readonly limited: string,
  ) {}

  /** True when Redis is connected; otherwise the lapse is logged. */
  ready(): boolean {
    if (this.redis.status === 'ready') return true;
    this.unavailable(new Error(`connection ${this.redis.status}`));
    return false;
  }

  unavailable(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    this.logger.warn(
      `${this.limited} are not limited (Redis: ${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
