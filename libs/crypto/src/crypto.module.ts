import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@tlp-broker/config';
import { PersistenceModule } from '@tlp-broker/persistence';
import { KeyPool } from './key-pool';
import { KEY_POOL, OpenPgpService } from './openpgp.service';
import { TeamKeyService } from './team-key.service';

@Global()
@Module({
  // Imported for start-up order: the schema check runs before the team key is read.
  imports: [PersistenceModule],
  providers: [
    {
      provide: KEY_POOL,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new KeyPool(config.dispatch.keyThreads),
    },
    OpenPgpService,
    TeamKeyService,
  ],
  exports: [OpenPgpService, TeamKeyService],
})
export class CryptoModule {}
