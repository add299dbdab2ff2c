export { Transactions } from './transactions';
export { ItemRepository } from './items.repository';
export type { ItemStateChange, NewItem, NewItemVersion } from './items.repository';
export { OutboxRepository } from './outbox.repository';
export { DecisionRepository } from './decisions.repository';
export { DeliveryRepository } from './deliveries.repository';
export { FeedEntryRepository } from './feed-entries.repository';
export { FeedHandoverRepository } from './feed-handovers.repository';
export type { FeedHandover, FeedHandoverEntry } from './feed-handovers.repository';
export { SealedPayloadRepository } from './sealed-payloads.repository';
export { OrganisationRepository } from './organisations.repository';
export { ApiKeyRepository } from './api-keys.repository';
export { SubmissionRepository } from './submissions.repository';
export { SubmissionMessageRepository } from './submission-messages.repository';
export type { NewSubmissionMessage, SenderRoute } from './submission-messages.repository';
export { TaxiiInboxStatusRepository } from './taxii-inbox-statuses.repository';
export type { NewTaxiiInboxStatus } from './taxii-inbox-statuses.repository';
export { PartnerFeedRepository } from './partner-feeds.repository';
export { CaveatRepository } from './caveats.repository';
export { UserRepository } from './users.repository';
export { SessionRepository } from './sessions.repository';
export { AuditEventRepository } from './audit-events.repository';
export { BusinessHoursRepository } from './business-hours.repository';
export { AcknowledgementRepository } from './acknowledgements.repository';
export type {
  Acknowledging,
  AcknowledgementRow,
  DutyOfficerNoticeToSend,
  NewAcknowledgementRequest,
} from './acknowledgements.repository';
export type { NewClosure, RegisteredHours } from './business-hours.repository';

import { Transactions } from './transactions';
import { ItemRepository } from './items.repository';
import { OutboxRepository } from './outbox.repository';
import { DecisionRepository } from './decisions.repository';
import { DeliveryRepository } from './deliveries.repository';
import { FeedEntryRepository } from './feed-entries.repository';
import { FeedHandoverRepository } from './feed-handovers.repository';
import { SealedPayloadRepository } from './sealed-payloads.repository';
import { OrganisationRepository } from './organisations.repository';
import { ApiKeyRepository } from './api-keys.repository';
import { SubmissionRepository } from './submissions.repository';
import { SubmissionMessageRepository } from './submission-messages.repository';
import { TaxiiInboxStatusRepository } from './taxii-inbox-statuses.repository';
import { PartnerFeedRepository } from './partner-feeds.repository';
import { CaveatRepository } from './caveats.repository';
import { UserRepository } from './users.repository';
import { SessionRepository } from './sessions.repository';
import { AuditEventRepository } from './audit-events.repository';
import { BusinessHoursRepository } from './business-hours.repository';
import { AcknowledgementRepository } from './acknowledgements.repository';

/** Provided and exported by PersistenceModule. */
export const REPOSITORIES = [
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
];
