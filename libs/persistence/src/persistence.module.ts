import { Global, Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@tlp-broker/config';
import { AuditLog } from './audit-log';
import { Availabilities } from './availabilities';
import { AcknowledgementLinks } from './acknowledgement-links';
import { AcknowledgementRecorder } from './acknowledgement-recorder';
import { AuditCheckpointRepository } from './audit-checkpoints';
import { AuditTrailVerifier } from './audit-verify';
import { DatabaseHealth } from './database-health';
import { auditPrivilegeProblems, DatabaseRoleError } from './database-roles';
import { dataSourceOptions, assertSchemaCurrent } from './data-source';
import { ENTITIES } from './entities';
import { PartnerDirectory } from './partner-directory';
import { SessionLocks } from './session-locks';
import { TeamKeyRepository } from './team-key.repository';
import { REPOSITORIES } from './repositories';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => dataSourceOptions(config.databaseUrl),
    }),
    TypeOrmModule.forFeature(ENTITIES),
  ],
  providers: [
    { provide: AuditLog, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new AuditLog(config.audit) },
    AuditCheckpointRepository,
    AuditTrailVerifier,
    Availabilities,
    AcknowledgementLinks,
    AcknowledgementRecorder,
    DatabaseHealth,
    PartnerDirectory,
    TeamKeyRepository,
    SessionLocks,
    ...REPOSITORIES,
  ],
  exports: [
    TypeOrmModule,
    AuditLog,
    AuditCheckpointRepository,
    AuditTrailVerifier,
    Availabilities,
    AcknowledgementLinks,
    AcknowledgementRecorder,
    DatabaseHealth,
    PartnerDirectory,
    TeamKeyRepository,
    SessionLocks,
    ...REPOSITORIES,
  ],
})
export class PersistenceModule implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await assertSchemaCurrent(this.dataSource);
    await this.checkRole();
  }

  /**
   * A role that may rewrite the audit trail makes the trigger and the grants worthless: production
   * refuses to start with one; development and tests say so and go on (a single-role setup).
   */
  private async checkRole(): Promise<void> {
    const { role, problems } = await auditPrivilegeProblems(this.dataSource);
    if (problems.length === 0) return;
    const message =
      `the database role ${role} (DATABASE_URL) ${problems.join(', ')}: it could rewrite the audit trail. ` +
      'Run the API and dispatcher as a role that may only INSERT and SELECT the audit tables (tlp-broker db create-roles; README, "Running it")';
    if (this.config.env === 'production') throw new DatabaseRoleError(message);
    new Logger('Database').warn(message);
  }
}
