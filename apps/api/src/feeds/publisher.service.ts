import { Injectable } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { TeamKeyService } from '@tlp-broker/crypto';
import { Publisher } from '@tlp-broker/stix';

/** The team as STIX and MISP name it: the creator of every object the pull forms and the public feed serve. */
@Injectable()
export class PublisherService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly teamKey: TeamKeyService,
  ) {}

  /** The team's name and e-mail address, and its first key's creation as when it began publishing. */
  async publisher(): Promise<Publisher> {
    const keys = await this.teamKey.all();
    const since = keys.reduce(
      (first, key) => (key.createdAt < first ? key.createdAt : first),
      keys[0]?.createdAt ?? new Date(0),
    );
    return { name: this.teamKey.publisherName(), since, contactEmail: this.config.teamKey.userId.email };
  }
}
