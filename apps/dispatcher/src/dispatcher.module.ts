import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@tlp-broker/config';
import { CryptoModule } from '@tlp-broker/crypto';
import { PersistenceModule } from '@tlp-broker/persistence';
import { QueueModule } from '@tlp-broker/queue';
import { AuditCheckpointer } from './audit/audit-checkpointer.service';
import { ChannelSenders } from './delivery/channel-senders';
import { RateLimiter } from './delivery/rate-limiter';
import { DeliveryService } from './delivery/delivery.service';
import { OutboxRelay } from './outbox/outbox-relay.service';
import { Reconciler } from './reconciler/reconciler.service';
import { RoutingService } from './routing/routing.service';
import { WorkersService } from './workers.service';

@Module({})
export class DispatcherModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [ConfigModule.forRoot(config), PersistenceModule, CryptoModule, QueueModule.forRoot()],
      providers: [
        ChannelSenders,
        RateLimiter,
        RoutingService,
        DeliveryService,
        WorkersService,
        OutboxRelay,
        Reconciler,
        AuditCheckpointer,
      ],
    };
  }
}
