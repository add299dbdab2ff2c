import { Global, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@tlp-broker/config';
import { AuditLog } from './audit-log';
import { dataSourceOptions, assertSchemaCurrent } from './data-source';
import { ENTITIES } from './entities';
import { PartnerDirectory } from './partner-directory';
import { TeamKeyRepository } from './team-key.repository';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => dataSourceOptions(config.databaseUrl),
    }),
    TypeOrmModule.forFeature(ENTITIES),
  ],
  providers: [AuditLog, PartnerDirectory, TeamKeyRepository],
  exports: [TypeOrmModule, AuditLog, PartnerDirectory, TeamKeyRepository],
})
export class PersistenceModule implements OnModuleInit {
  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await assertSchemaCurrent(this.dataSource);
  }
}
