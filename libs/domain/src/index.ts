export { ITEM_KINDS, ITEM_STATES, SEVERITIES, INDICATOR_TYPES, isItemKind, isUrgent, DEFAULT_URGENCY } from './items';
export type { ItemKind, ItemState, Severity, IndicatorType, Indicator, Audience, UrgencyRule } from './items';
export { refang, classifyIndicator, canonicalIndicatorValue, extractIndicators } from './indicator-text';
export type { ExtractedIndicatorValue } from './indicator-text';
export {
  ORGANISATION_KINDS,
  RELATIONS,
  PARTNER_STATUSES,
  CHANNEL_KINDS,
  PARTNER_SCOPES,
  ROLES,
  STAFF_ROLES,
} from './partners';
export type { OrganisationKind, Relation, PartnerStatus, ChannelKind, PartnerScope, Role, StaffRole } from './partners';
export {
  DELIVERY_STATES,
  OPEN_DELIVERY_STATES,
  CANCELLABLE_DELIVERY_STATES,
  HANDED_OVER_DELIVERY_STATES,
  DELIVERY_KINDS,
  isOpenDeliveryState,
  ACKNOWLEDGEMENT_WAYS,
} from './deliveries';
export type { DeliveryState, DeliveryKind, AcknowledgementWay } from './deliveries';
export {
  SUBMISSION_SOURCES,
  SUBMISSION_STATUSES,
  SENDER_PROOFS,
  TRIAGE_STATES,
  CLOSE_REASONS,
  REPORT_STATUSES,
  REPORT_KINDS,
  REPORT_URGENCIES,
  SUBMISSION_FLAGS,
  SUBMISSION_MESSAGE_KINDS,
  SUBMISSION_MESSAGE_STATES,
  PARTNER_FEED_KINDS,
  reportStatus,
  isUrgentReport,
} from './intake';
export type {
  SubmissionSource,
  SubmissionStatus,
  SenderProof,
  TriageState,
  CloseReason,
  ReportStatus,
  ReportKind,
  ReportUrgency,
  SubmissionFlag,
  SubmissionMessageKind,
  SubmissionMessageState,
  PartnerFeedKind,
} from './intake';
