export * from './entities';
export { AuditLog, auditHash, auditMac, canonicalJson } from './audit-log';
export { AuditCheckpointRepository, checkpointText, parseCheckpointText } from './audit-checkpoints';
export type { AuditHead, CheckpointContent, StoredCheckpoint } from './audit-checkpoints';
export { verifyAuditTrail, CheckpointFileError } from './audit-verify';
export {
  createDatabaseRoles,
  grantApplicationRole,
  migrateDatabase,
  auditPrivilegeProblems,
  DatabaseRoleError,
  APPEND_ONLY_TABLES,
} from './database-roles';
export type {
  AuditBreak,
  AuditBreakReason,
  AuditVerification,
  AuditVerifyOptions,
  CheckpointSignatureCheck,
} from './audit-verify';
export type { AuditEntry } from './audit-log';
export { newApiKey, hashApiKey } from './api-keys';
export type { CredentialKind } from './api-keys';
export {
  createDataSource,
  dataSourceOptions,
  assertSchemaCurrent,
  PendingMigrationsError,
  MIGRATIONS,
} from './data-source';
export { PersistenceModule } from './persistence.module';
export {
  Transactions,
  ItemRepository,
  OutboxRepository,
  DecisionRepository,
  DeliveryRepository,
  FeedEntryRepository,
  SealedPayloadRepository,
  OrganisationRepository,
  ApiKeyRepository,
  SubmissionRepository,
  CaveatRepository,
} from './repositories';
export { PartnerDirectory } from './partner-directory';
export type { RoutingTarget } from './partner-directory';
export { TeamKeyRepository } from './team-key.repository';
export { createUser } from './users';
export type { CreatedUser } from './users';
export { policyItem, policyOrganisation, policyKey, policyChannel, decideForTargets } from './policy-input';
export type { TargetDecision } from './policy-input';
export type { KeyReading } from './policy-input';
export { cancelPendingItemDeliveries, channelsToRecall, queueRecalls, removeFromFeeds } from './recalls';
export type { RecallTarget } from './recalls';
export { appendFeedEntry } from './feed-entries';
export type { NewFeedEntry } from './feed-entries';
