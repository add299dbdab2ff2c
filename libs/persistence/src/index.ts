export * from './entities';
export { AuditLog, auditHash, auditMac, canonicalJson } from './audit-log';
export { AuditCheckpointRepository, checkpointText, parseCheckpointText } from './audit-checkpoints';
export type { AuditHead, CheckpointContent, StoredCheckpoint } from './audit-checkpoints';
export { verifyAuditTrail, CheckpointFileError, AuditTrailVerifier } from './audit-verify';
export {
  createDatabaseRoles,
  grantApplicationRole,
  migrateDatabase,
  auditPrivilegeProblems,
  DatabaseRoleError,
  APPEND_ONLY_TABLES,
  withClient,
  withDatabase,
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
export { Availabilities } from './availabilities';
export { AcknowledgementLinks } from './acknowledgement-links';
export { AcknowledgementRecorder } from './acknowledgement-recorder';
export type { AvailabilityAt } from './availabilities';
export {
  Transactions,
  ItemRepository,
  OutboxRepository,
  DecisionRepository,
  DeliveryRepository,
  FeedEntryRepository,
  FeedHandoverRepository,
  SealedPayloadRepository,
  OrganisationRepository,
  ApiKeyRepository,
  SubmissionRepository,
  SubmissionMessageRepository,
  TaxiiInboxStatusRepository,
  PartnerFeedRepository,
  CaveatRepository,
  UserRepository,
  SessionRepository,
  AuditEventRepository,
  BusinessHoursRepository,
  AcknowledgementRepository,
} from './repositories';
export type { NewClosure, RegisteredHours } from './repositories';
export type {
  Acknowledging,
  AcknowledgementRow,
  DutyOfficerNoticeToSend,
  NewAcknowledgementRequest,
} from './repositories';
export type { ItemStateChange, NewItem, NewItemVersion } from './repositories';
export type { FeedHandover, FeedHandoverEntry } from './repositories';
export type {
  DeliveryToQueue,
  NewItemDelivery,
  HandedOver,
  VersionHanded,
  RecallRequest,
  RecallTarget,
} from './repositories/deliveries.repository';
export type { NewFeedEntry } from './repositories/feed-entries.repository';
export type { NewDecision, LaterDecision } from './repositories/decisions.repository';
export type { SealedForm, NewSealedPayload } from './repositories/sealed-payloads.repository';
export type { DueOutboxRow } from './repositories/outbox.repository';
export type { FeedEntryHead, PulledFeedEntry, RunStart } from './repositories/feed-entry-reads';
export type { DeliveryOverview, DeliveryOverviewFilter, ServedDelivery } from './repositories/delivery-reads';
export type {
  ItemSummary,
  ItemSummaryFilter,
  ItemVersionRecord,
  PublicRelease,
  UserRef,
  VersionText,
} from './repositories/item-reads';
export type { AuditEventRecord, AuditPage } from './repositories/audit-events.repository';
export type {
  NewSubmission,
  NewAttachment,
  AttachmentSummary,
  InboxFilter,
  ListedSubmission,
  ReportScope,
} from './repositories/submissions.repository';
export type {
  NewSubmissionMessage,
  SenderRoute,
  DueSubmissionMessage,
  MessageRecipient,
} from './repositories/submission-messages.repository';
export type {
  NewPartnerFeed,
  PartnerFeedChanges,
  FeedClaim,
  FeedIntakeCount,
  TaxiiFeedCursor,
  MispFeedCursor,
} from './repositories/partner-feeds.repository';
export type { NewTaxiiInboxStatus } from './repositories/taxii-inbox-statuses.repository';
export { PartnerDirectory } from './partner-directory';
export { DatabaseHealth } from './database-health';
export { OUTBOX_CHANNEL, OutboxWakeups } from './outbox-wakeups';
export type { DeliveryTarget, DirectoryKey, RoutingTarget } from './partner-directory';
export { TeamKeyRepository } from './team-key.repository';
export { createUser, LAST_USED_RESOLUTION_MS } from './repositories/api-keys.repository';
export { setUserPassword } from './repositories/users.repository';
export type { PortalAccountOwner } from './repositories/users.repository';
export { SESSION_TOUCH_RESOLUTION_MS } from './repositories/sessions.repository';
export type { LiveSession, NewSession } from './repositories/sessions.repository';
export {
  hashPassword,
  verifyPassword,
  DUMMY_PASSWORD_HASH,
  MIN_PASSWORD_LENGTH,
  MAX_PASSWORD_LENGTH,
} from './passwords';
export { isUniqueViolation } from './unique-violation';
export type {
  NewOrganisation,
  NewContact,
  NewRecipientKey,
  NewChannel,
  OrganisationChanges,
  KeyMerge,
  KeyInUse,
  RegisteredKeyOwner,
} from './repositories/organisations.repository';
export type { CreatedUser, IssuedApiKey, LiveApiKey } from './repositories/api-keys.repository';
export {
  policyItem,
  policyOrganisation,
  policyKey,
  policyChannel,
  decideForTargets,
  onCallOrganisations,
} from './policy-input';
export type { TargetDecision, DutyByOrganisation } from './policy-input';
export type { KeyReading } from './policy-input';
export { SessionLocks } from './session-locks';
export type { HeldLock, SessionLockName } from './session-locks';
