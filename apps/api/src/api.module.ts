import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfig, ConfigModule } from '@tlp-broker/config';
import { CryptoModule } from '@tlp-broker/crypto';
import { IntakeModule } from '@tlp-broker/intake';
import { ObservabilityModule } from '@tlp-broker/observability';
import { PersistenceModule } from '@tlp-broker/persistence';
import { QueueModule } from '@tlp-broker/queue';
import { AUTH_PROVIDERS } from './auth/auth.providers';
import { SessionsController } from './auth/sessions.controller';
import { AuditModule } from './audit/audit.module';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesService } from './deliveries/deliveries.service';
import { CaveatsController } from './caveats/caveats.controller';
import { CaveatsService } from './caveats/caveats.service';
import { FeedsController } from './feeds/feeds.controller';
import { PULL_FORM_PROVIDERS } from './feeds/pull-forms.providers';
import { ApiReadiness } from './health/api-readiness';
import { HealthController } from './health/health.controller';
import { ItemsController } from './items/items.controller';
import { KeysController } from './keys/keys.controller';
import { KeysService } from './keys/keys.service';
import { ItemIntakeService } from './items/item-intake.service';
import { ItemLifecycleService } from './items/item-lifecycle.service';
import { ItemViewsService } from './items/item-views.service';
import { ItemRecordsService } from './items/item-records.service';
import { OperationsController } from './operations/operations.controller';
import { OperationsService } from './operations/operations.service';
import { OrganisationsController } from './organisations/organisations.controller';
import { CredentialsController } from './organisations/credentials.controller';
import { SubmissionsController } from './submissions/submissions.controller';
import { SubmissionsService } from './submissions/submissions.service';
import { SubmissionViewsService } from './submissions/submission-views.service';
import { TriageController } from './submissions/triage.controller';
import { TriageService } from './submissions/triage.service';
import { ReportsController } from './reports/reports.controller';
import { ReportsService } from './reports/reports.service';
import { PortalAccountsController } from './reports/portal-accounts.controller';
import { PortalAccountsService } from './reports/portal-accounts.service';
import { RepliesController } from './submissions/replies.controller';
import { RepliesService } from './submissions/replies.service';
import { ORGANISATION_PROVIDERS } from './organisations/organisations.providers';
import { TeamController } from './team/team.controller';
import { HOURS_CONTROLLERS } from './hours/hours.controller';
import { HoursService } from './hours/hours.service';
import { ACKNOWLEDGEMENT_CONTROLLERS } from './acknowledgements/acknowledgements.controller';
import { AcknowledgementsService } from './acknowledgements/acknowledgements.service';
import { ProfileService } from './team/profile.service';
import { SecurityTxtController } from './team/security-txt.controller';
import { PartnerKitController } from './partner-kit/partner-kit.controller';
import { TaxiiController } from './taxii/taxii.controller';
import { MispController } from './misp/misp.controller';
import { PublicFeedController } from './public/public-feed.controller';
import { PublicFeedService } from './public/public-feed.service';
import { PublicSyndicationService } from './public/public-syndication.service';
import { InboxService } from './taxii/inbox.service';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';
import { PartnerFeedsController } from './partner-feeds/partner-feeds.controller';
import { PartnerFeedsService } from './partner-feeds/partner-feeds.service';
import { MetricsController } from './observability/metrics.controller';
import { OBSERVABILITY_PROVIDERS } from './observability/observability.providers';

/** What comes in: signed submissions, reporting forms and portal accounts, triage, replies, the TAXII inbox, partners' feeds. */
const INBOUND_CONTROLLERS = [
  SubmissionsController,
  TriageController,
  ReportsController,
  PortalAccountsController,
  RepliesController,
  PartnerFeedsController,
];
const INBOUND_PROVIDERS = [
  SubmissionsService,
  SubmissionViewsService,
  TriageService,
  ReportsService,
  PortalAccountsService,
  RepliesService,
  InboxService,
  PartnerFeedsService,
];

@Module({})
export class ApiModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        CryptoModule,
        QueueModule.forRoot(),
        TerminusModule,
        AuditModule,
        IntakeModule,
        ObservabilityModule,
      ],
      controllers: [
        DeliveriesController,
        CaveatsController,
        KeysController,
        ...INBOUND_CONTROLLERS,
        OrganisationsController,
        ...HOURS_CONTROLLERS,
        CredentialsController,
        ItemsController,
        OperationsController,
        ...ACKNOWLEDGEMENT_CONTROLLERS,
        FeedsController,
        TaxiiController,
        MispController,
        PublicFeedController,
        TeamController,
        SecurityTxtController,
        PartnerKitController,
        UsersController,
        SessionsController,
        HealthController,
        MetricsController,
      ],
      providers: [
        ...AUTH_PROVIDERS,
        ...ORGANISATION_PROVIDERS,
        CaveatsService,
        KeysService,
        DeliveriesService,
        ...INBOUND_PROVIDERS,
        ItemIntakeService,
        ItemLifecycleService,
        ItemViewsService,
        ItemRecordsService,
        OperationsService,
        ...PULL_FORM_PROVIDERS,
        PublicFeedService,
        PublicSyndicationService,
        ProfileService,
        HoursService,
        AcknowledgementsService,
        UsersService,
        ApiReadiness,
        ...OBSERVABILITY_PROVIDERS,
      ],
    };
  }
}
