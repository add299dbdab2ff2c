import { Provider } from '@nestjs/common';
import { MispService } from '../misp/misp.service';
import { TaxiiCollectionService } from '../taxii/taxii-collection.service';
import { TaxiiNextTokens } from '../taxii/taxii-next-token';
import { TaxiiService } from '../taxii/taxii.service';
import { FeedResponses } from './feed-responses';
import { FeedsService } from './feeds.service';
import { PartnerView } from './partner-view.service';
import { PublisherService } from './publisher.service';

/** Partners' pull forms: the JSON feed, TAXII 2.1 and the MISP feed, over one view of a channel's feed. */
export const PULL_FORM_PROVIDERS: Provider[] = [
  FeedsService,
  PartnerView,
  PublisherService,
  FeedResponses,
  TaxiiCollectionService,
  TaxiiNextTokens,
  TaxiiService,
  MispService,
];
