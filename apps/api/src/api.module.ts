import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { AppConfig, ConfigModule } from '@tlp-broker/config';
import { CryptoModule } from '@tlp-broker/crypto';
import { PersistenceModule } from '@tlp-broker/persistence';
import { QueueModule, redisConnection } from '@tlp-broker/queue';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AuditModule } from './audit/audit.module';
import { AuthFailureThrottle } from './auth/auth-failure-throttle';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesService } from './deliveries/deliveries.service';
import { CaveatsController } from './caveats/caveats.controller';
import { CaveatsService } from './caveats/caveats.service';
import { FeedsController } from './feeds/feeds.controller';
import { FeedsService } from './feeds/feeds.service';
import { HEALTH_REDIS, HealthController } from './health/health.controller';
import { ItemsController } from './items/items.controller';
import { KeysController } from './keys/keys.controller';
import { KeysService } from './keys/keys.service';
import { ItemsService } from './items/items.service';
import { OrganisationsController } from './organisations/organisations.controller';
import { CredentialsController } from './organisations/credentials.controller';
import { CredentialsService } from './organisations/credentials.service';
import { SubmissionsController } from './submissions/submissions.controller';
import { SubmissionsService } from './submissions/submissions.service';
import { OrganisationsService } from './organisations/organisations.service';
import { TeamController } from './team/team.controller';
import { ProfileService } from './team/profile.service';
import { SecurityTxtController } from './team/security-txt.controller';
import { PartnerView } from './feeds/partner-view';
import { TaxiiController } from './taxii/taxii.controller';
import { MispController } from './misp/misp.controller';
import { PublicFeedController } from './public/public-feed.controller';
import { PublicFeedService } from './public/public-feed.service';
import { MispService } from './misp/misp.service';
import { TaxiiService } from './taxii/taxii.service';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

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
      ],
      controllers: [
        DeliveriesController,
        CaveatsController,
        KeysController,
        SubmissionsController,
        OrganisationsController,
        CredentialsController,
        ItemsController,
        FeedsController,
        TaxiiController,
        MispController,
        PublicFeedController,
        TeamController,
        SecurityTxtController,
        UsersController,
        HealthController,
      ],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        AuthFailureThrottle,
        OrganisationsService,
        CredentialsService,
        CaveatsService,
        KeysService,
        DeliveriesService,
        SubmissionsService,
        ItemsService,
        FeedsService,
        PartnerView,
        TaxiiService,
        MispService,
        PublicFeedService,
        ProfileService,
        UsersService,
        {
          provide: HEALTH_REDIS,
          useFactory: () =>
            new Redis({ ...redisConnection(config.redis.url), maxRetriesPerRequest: 1, commandTimeout: 2_000 }),
        },
      ],
    };
  }
}
