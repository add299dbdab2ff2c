import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { FixedWindowLimiter } from '@tlp-broker/queue';

/** A request refused for its rate: the seconds to wait, and why. */
export interface RateRefusal {
  readonly retryAfter: number;
  readonly message: string;
}

/**
 * Partners' requests per credential (PARTNER_RATE_LIMIT per PARTNER_RATE_WINDOW_MS, across every
 * pull form): a fixed window in Redis, shared by every API process.
 */
@Injectable()
export class PartnerRateLimit {
  // The guard's log context, which operators know this line by.
  private readonly logger = new Logger('ApiKeyGuard');

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly windows: FixedWindowLimiter,
  ) {}

  /** Counts a request with the credential; a refusal when it is over the limit, else null. */
  async take(apiKeyId: string, now = Date.now()): Promise<RateRefusal | null> {
    const { limit, windowMs } = this.config.partnerRateLimit;
    let hit;
    try {
      hit = await this.windows.hit(`api-rate:${apiKeyId}`, limit, windowMs, now);
    } catch (error) {
      // Redis unreachable: partners keep pulling (PostgreSQL serves the feeds); only the limit lapses.
      this.logger.warn(
        `partner rate limit not applied (Redis: ${error instanceof Error ? error.message : String(error)})`,
      );
      return null;
    }
    if (!hit.limited) return null;
    const retryAfter = Math.ceil(hit.retryAfterMs / 1000);
    return {
      retryAfter,
      message: `at most ${limit} requests per ${windowMs / 1000} s for this credential; retry in ${retryAfter} s`,
    };
  }
}
