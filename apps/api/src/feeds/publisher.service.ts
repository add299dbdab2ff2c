import { Injectable } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { TeamKeyService } from '@tlp-broker/crypto';
import { Publisher } from '@tlp-broker/stix';

/**
 * How long the publisher is reused: it changes only when a team key older than every other is
 * added (a rotation adds a newer one), and reading it reads and parses every team key.
 */
const PUBLISHER_TTL_MS = 60_000;

/** The team as STIX and MISP name it: the creator of every object the pull forms and the public feed serve. */
@Injectable()
export class PublisherService {
  private cached: { readonly at: number; readonly publisher: Promise<Publisher> } | null = null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly teamKey: TeamKeyService,
  ) {}

  /** The team's name and e-mail address, and its first key's creation as when it began publishing. */
  publisher(now = Date.now()): Promise<Publisher> {
    if (this.cached === null || now - this.cached.at >= PUBLISHER_TTL_MS) {
      const publisher = this.read();
      this.cached = { at: now, publisher };
      // A failed read is not kept: the next request tries again.
      publisher.catch(() => {
        if (this.cached?.publisher === publisher) this.cached = null;
      });
    }
    return this.cached.publisher;
  }

  private async read(): Promise<Publisher> {
    const keys = await this.teamKey.all();
    const since = keys.reduce(
      (first, key) => (key.createdAt < first ? key.createdAt : first),
      keys[0]?.createdAt ?? new Date(0),
    );
    return { name: this.teamKey.publisherName(), since, contactEmail: this.config.teamKey.userId.email };
  }
}
