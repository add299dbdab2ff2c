import type { Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@tlp-broker/config';
import { FeedHttp } from './feed-http';
import { FeedIntake } from './feed-intake.service';
import { MispFeedPoll } from './misp-feed-poll';
import { PartnerFeedPoller } from './partner-feed-poller.service';
import { SealedContentReader } from './sealed-content';
import { TaxiiFeedPoll } from './taxii-feed-poll';

/** Polling partners' own feeds: the HTTP client built from the settings once, the readers, and the timer loop. */
export const PARTNER_FEED_PROVIDERS: Provider[] = [
  {
    provide: FeedHttp,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) =>
      new FeedHttp({
        allowList: config.webhooks.allowList,
        timeoutMs: config.partnerFeeds.timeoutMs,
        maxBytes: config.partnerFeeds.maxBytes,
        userAgent: 'tlp-broker',
      }),
  },
  SealedContentReader,
  FeedIntake,
  TaxiiFeedPoll,
  MispFeedPoll,
  PartnerFeedPoller,
];
