import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { FeedClaim, PartnerFeedRepository } from '@tlp-broker/persistence';
import { FeedError } from './feed-http';
import { MispFeedPoll } from './misp-feed-poll';
import { PollOutcome, TaxiiFeedPoll } from './taxii-feed-poll';

/** Feeds one dispatcher polls at once. */
export const MAX_POLLS_AT_ONCE = 4;

/**
 * How long a claim holds. A poll stops starting requests when less than one request's time (and
 * a margin) is left, so it is over before another dispatcher may take the feed.
 */
export const LEASE_MS = 10 * 60_000;
const LEASE_MARGIN_MS = 30_000;

/**
 * Polls partners' feeds when they are due. Every PARTNER_FEED_CHECK_MS it claims, in PostgreSQL,
 * feeds that are due and held by no other dispatcher (any number of dispatchers share the work,
 * never polling one feed twice at once), up to MAX_POLLS_AT_ONCE running here, and polls each:
 * what it took is recorded, its cursor kept, and the poll's error (or none) left on the feed for
 * administrators. A feed keeps its cadence whatever its poll comes to. On shutdown no new request
 * starts and the polls under way are waited for.
 */
@Injectable()
export class PartnerFeedPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PartnerFeedPoller.name);
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private readonly polls = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly feeds: PartnerFeedRepository,
    private readonly taxii: TaxiiFeedPoll,
    private readonly misp: MispFeedPoll,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    await Promise.all([...this.polls]);
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.ticking = this.startDue()
        .catch((error: unknown) => {
          this.logger.error(`partner feeds: ${error instanceof Error ? error.message : String(error)}`);
        })
        .then(() => {
          if (!this.stopping) this.schedule(this.config.partnerFeeds.checkMs);
        });
    }, delay);
  }

  /** Claims as many due feeds as there is room for and starts polling them; returns how many it started. */
  async startDue(): Promise<number> {
    const room = MAX_POLLS_AT_ONCE - this.polls.size;
    if (room <= 0 || this.stopping) return 0;
    const claims = await this.feeds.claimDue(room, LEASE_MS);
    for (const claim of claims) {
      const poll = this.pollOne(claim).finally(() => this.polls.delete(poll));
      this.polls.add(poll);
    }
    return claims.length;
  }

  /** Polls one claimed feed to its end, then releases it with its error, or none. */
  async pollOne(claim: FeedClaim): Promise<void> {
    const { feed } = claim;
    const until = Date.now() + LEASE_MS - this.config.partnerFeeds.timeoutMs - LEASE_MARGIN_MS;
    const control = { stopping: () => this.stopping || Date.now() > until };
    let outcome: PollOutcome;
    try {
      outcome = await (feed.kind === 'taxii' ? this.taxii.poll(claim, control) : this.misp.poll(claim, control));
    } catch (error) {
      outcome = { taken: 0, problem: this.failure(claim, error) };
    }
    if (outcome.problem && !outcome.problem.startsWith('the poll failed'))
      this.logger.warn(`partner feed ${feed.id} (${feed.name}): ${outcome.problem}`);
    if (outcome.taken > 0)
      this.logger.log(`partner feed ${feed.id} (${feed.name}): ${outcome.taken} new submission(s)`);
    try {
      await this.feeds.release(claim, outcome.problem);
    } catch (error) {
      // The lease runs out by itself; the feed is polled again then.
      this.logger.error(
        `partner feed ${feed.id}: releasing it failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** What administrators read: a feed's own failure as it is; anything else only as a pointer to the log. */
  private failure(claim: FeedClaim, error: unknown): string {
    if (error instanceof FeedError) return error.message;
    this.logger.error(
      `partner feed ${claim.feed.id} (${claim.feed.name}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return "the poll failed inside the broker (see the dispatcher's log)";
  }
}
