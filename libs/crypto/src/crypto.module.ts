import { Global, Module } from '@nestjs/common';
import { PersistenceModule } from '@tlp-broker/persistence';
import { OpenPgpService } from './openpgp.service';
import { TeamKeyService } from './team-key.service';

@Global()
@Module({
  // Imported for start-up order: the schema check runs before the team key is read.
  imports: [PersistenceModule],
  providers: [OpenPgpService, TeamKeyService],
  exports: [OpenPgpService, TeamKeyService],
})
export class CryptoModule {}
