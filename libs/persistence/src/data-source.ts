import { DataSource, DataSourceOptions } from 'typeorm';
import { StartupError } from '@tlp-broker/config';
import { ENTITIES } from './entities';
import { InitialSchema1763900000000 } from './migrations/1763900000000-initial-schema';
import { CaveatsAndProvenance1764000000000 } from './migrations/1764000000000-caveats-and-provenance';
import { KeysAndSubmissions1764100000000 } from './migrations/1764100000000-keys-and-submissions';
import { ApprovalAndEmbargo1764200000000 } from './migrations/1764200000000-approval-and-embargo';
import { EmailAndWebhookChannels1764300000000 } from './migrations/1764300000000-email-and-webhook-channels';
import { UpdatesAndRecalls1764400000000 } from './migrations/1764400000000-updates-and-recalls';
import { IndicatorsAndFeedCredentials1764500000000 } from './migrations/1764500000000-indicators-and-feed-credentials';
import { OutboxJobKeys1764600000000 } from './migrations/1764600000000-outbox-job-keys';
import { AuditAuthentication1764610000000 } from './migrations/1764610000000-audit-authentication';
import { FeedAddedTimes1764620000000 } from './migrations/1764620000000-feed-added-times';
import { SubmissionDigests1764630000000 } from './migrations/1764630000000-submission-digests';
import { UserSignIn1764700000000 } from './migrations/1764700000000-user-sign-in';
import { AuditEventLookups1764750000000 } from './migrations/1764750000000-audit-event-lookups';
import { Intake1764800000000 } from './migrations/1764800000000-intake';
import { SubmissionMessageRelay1764810000000 } from './migrations/1764810000000-submission-message-relay';
import { PortalAccounts1764820000000 } from './migrations/1764820000000-portal-accounts';
import { PartnerFeedSchedule1764840000000 } from './migrations/1764840000000-partner-feed-schedule';
import { OutboxCorrelation1764850000000 } from './migrations/1764850000000-outbox-correlation';
import { FeedPagingIndexes1764860000000 } from './migrations/1764860000000-feed-paging-indexes';
import { OutboxNotify1764870000000 } from './migrations/1764870000000-outbox-notify';
import { DirectoryClock1764880000000 } from './migrations/1764880000000-directory-clock';
import { BusinessHours1764890000000 } from './migrations/1764890000000-business-hours';
import { OnCallChannels1764900000000 } from './migrations/1764900000000-on-call-channels';
import { Acknowledgements1764910000000 } from './migrations/1764910000000-acknowledgements';
import { Escalations1764920000000 } from './migrations/1764920000000-escalations';

export const MIGRATIONS = [
  InitialSchema1763900000000,
  CaveatsAndProvenance1764000000000,
  KeysAndSubmissions1764100000000,
  ApprovalAndEmbargo1764200000000,
  EmailAndWebhookChannels1764300000000,
  UpdatesAndRecalls1764400000000,
  IndicatorsAndFeedCredentials1764500000000,
  OutboxJobKeys1764600000000,
  AuditAuthentication1764610000000,
  FeedAddedTimes1764620000000,
  SubmissionDigests1764630000000,
  UserSignIn1764700000000,
  AuditEventLookups1764750000000,
  Intake1764800000000,
  SubmissionMessageRelay1764810000000,
  PortalAccounts1764820000000,
  PartnerFeedSchedule1764840000000,
  OutboxCorrelation1764850000000,
  FeedPagingIndexes1764860000000,
  OutboxNotify1764870000000,
  DirectoryClock1764880000000,
  BusinessHours1764890000000,
  OnCallChannels1764900000000,
  Acknowledgements1764910000000,
  Escalations1764920000000,
];

/** Schema changes go through these migrations only; `synchronize` stays off. */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    // Failed queries are not logged with their parameters: those can hold item content.
    logging: false,
    extra: { max: 10 },
  };
}

export function createDataSource(databaseUrl: string): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl));
}

export class PendingMigrationsError extends StartupError {
  constructor() {
    super('The database schema is not up to date: run the migrations first (npm run migrate).');
    this.name = 'PendingMigrationsError';
  }
}

/** Start-up check: refuse to run against a schema older than the code. */
export async function assertSchemaCurrent(dataSource: DataSource): Promise<void> {
  // Asked first: on an empty database, showMigrations() would try to create its table, which the
  // application's role may not do (it creates nothing).
  const [{ migrated }] = await dataSource.query(`SELECT to_regclass('typeorm_migrations') IS NOT NULL AS migrated`);
  if (!migrated || (await dataSource.showMigrations())) {
    throw new PendingMigrationsError();
  }
}
