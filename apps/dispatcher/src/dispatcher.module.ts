import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@tlp-broker/config';
import { CryptoModule } from '@tlp-broker/crypto';
import { IntakeModule } from '@tlp-broker/intake';
import { ObservabilityModule } from '@tlp-broker/observability';
import { PersistenceModule } from '@tlp-broker/persistence';
import { QueueModule } from '@tlp-broker/queue';
import { AuditCheckpointer } from './audit/audit-checkpointer.service';
import { ChannelSenders } from './delivery/channel-senders';
import { RateLimiter } from './delivery/rate-limiter';
import { DeliveryService } from './delivery/delivery.service';
import { FeedBatchService } from './delivery/feed-batch.service';
import { DeliveryJobsService } from './delivery/delivery-jobs.service';
import { DeliveryPreparationService } from './delivery/delivery-preparation.service';
import { DeliveryRecorderService } from './delivery/delivery-recorder.service';
import { DeliverySenderService } from './delivery/delivery-sender.service';
import { MailboxIntakeService } from './intake/mailbox/mailbox-intake.service';
import { MailTaker } from './intake/mailbox/mail-taker';
import { SignedReplies } from './intake/mailbox/signed-replies';
import { SignerAddresses } from './intake/mailbox/signer-addresses';
import { SubmissionMessageRelay } from './intake/submission-messages/submission-message-relay.service';
import { SubmissionMessagesService } from './intake/submission-messages/submission-messages.service';
import { PARTNER_FEED_PROVIDERS } from './intake/partner-feeds/partner-feeds.providers';
import { DispatcherHttpServer } from './observability/dispatcher-http.server';
import { DispatcherReadiness } from './observability/dispatcher-readiness';
import { OutboxRelay } from './outbox/outbox-relay.service';
import { Reconciler } from './reconciler/reconciler.service';
import { EscalationService } from './escalation/escalation.service';
import { DutyOfficerNotices } from './escalation/duty-officer-notices';
import { RoutingService } from './routing/routing.service';
import { RoutingDecisionsService } from './routing/routing-decisions.service';
import { SealingService } from './routing/sealing.service';
import { SupersessionService } from './routing/supersession.service';
import { WorkersService } from './workers.service';
import { KeyReadAhead } from './delivery/key-read-ahead.service';

/** What routes and delivers, without workers or timers: the dispatcher's steps, which tests also run one by one. */
export const DISPATCH_STEPS = [
  ChannelSenders,
  RateLimiter,
  DeliveryJobsService,
  RoutingDecisionsService,
  SealingService,
  SupersessionService,
  RoutingService,
  DeliveryPreparationService,
  DeliverySenderService,
  DeliveryRecorderService,
  DeliveryService,
  FeedBatchService,
  SubmissionMessagesService,
];

@Module({})
export class DispatcherModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        CryptoModule,
        QueueModule.forRoot(),
        IntakeModule,
        ObservabilityModule,
      ],
      providers: [
        ...DISPATCH_STEPS,
        WorkersService,
        OutboxRelay,
        Reconciler,
        EscalationService,
        DutyOfficerNotices,
        KeyReadAhead,
        SubmissionMessageRelay,
        AuditCheckpointer,
        SignerAddresses,
        SignedReplies,
        MailTaker,
        MailboxIntakeService,
        ...PARTNER_FEED_PROVIDERS,
        DispatcherReadiness,
        DispatcherHttpServer,
      ],
    };
  }
}
