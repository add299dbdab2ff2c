import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type {
  AcknowledgementWay,
  Audience,
  ChannelKind,
  CloseReason,
  DeliveryKind,
  DeliveryState,
  Indicator,
  IndicatorType,
  ItemKind,
  ItemState,
  OrganisationKind,
  PartnerFeedKind,
  PartnerScope,
  PartnerStatus,
  Relation,
  ReportKind,
  Role,
  SenderProof,
  Severity,
  SubmissionFlag,
  SubmissionMessageKind,
  SubmissionMessageState,
  SubmissionSource,
  SubmissionStatus,
  TriageState,
} from '@tlp-broker/domain';
import type { PapLabel, ReasonCode, TlpLabel } from '@tlp-broker/tlp';
import type { BusinessHours } from '@tlp-broker/hours';

/** What an outbox row asks of the dispatcher. */
export const OutboxTopic = {
  /** Route a released item version: decide, seal, queue deliveries (and recalls for an update). */
  Published: 'item-version.published',
  /** Send the recall notices queued by a retraction. */
  Retracted: 'item.retracted',
} as const;
export type OutboxTopicValue = (typeof OutboxTopic)[keyof typeof OutboxTopic];

/** bigint identity columns come back from PostgreSQL as strings, and stay strings here. */

@Entity('organisations')
export class OrganisationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') kind!: OrganisationKind;
  @Column('text', { nullable: true }) country!: string | null;
  @Column('text') relation!: Relation;
  @Column('text', { array: true }) communities!: string[];
  @Column('text', { array: true }) accreditations!: string[];
  @Column('text') status!: PartnerStatus;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  /** Its time zone, week and holiday calendar; null: the team's hours, with its country's public holidays. */
  @Column('jsonb', { name: 'business_hours', nullable: true }) businessHours!: BusinessHours | null;
}

/** A closure an administrator adds: an organisation's (or, with no organisation, the team's) [startsAt, endsAt). */
@Entity('closures')
export class ClosureEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organisation_id', nullable: true }) organisationId!: string | null;
  @Column('timestamptz', { name: 'starts_at' }) startsAt!: Date;
  @Column('timestamptz', { name: 'ends_at' }) endsAt!: Date;
  @Column('text') reason!: string;
  @Column('text', { name: 'created_by' }) createdBy!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('contacts')
export class ContactEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organisation_id' }) organisationId!: string;
  @Column('text') name!: string;
  @Column('text') email!: string;
  @Column('text') status!: PartnerStatus;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('recipient_keys')
export class RecipientKeyEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organisation_id' }) organisationId!: string;
  @Column('uuid', { name: 'contact_id', nullable: true }) contactId!: string | null;
  @Column('text') fingerprint!: string;
  @Column('int') version!: number;
  @Column('text') algorithm!: string;
  @Column('int', { nullable: true }) bits!: number | null;
  @Column('timestamptz', { name: 'key_created_at' }) keyCreatedAt!: Date;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @Column('text', { name: 'user_ids', array: true }) userIds!: string[];
  @Column('text', { name: 'encryption_key_id' }) encryptionKeyId!: string;
  @Column('text') armored!: string;
  @CreateDateColumn({ name: 'imported_at', type: 'timestamptz' }) importedAt!: Date;
}

@Entity('channels')
export class ChannelEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organisation_id' }) organisationId!: string;
  @Column('uuid', { name: 'contact_id', nullable: true }) contactId!: string | null;
  @Column('text') kind!: ChannelKind;
  @Column('boolean') redistributes!: boolean;
  /** E-mail address, or the webhook's URL. */
  @Column('text', { nullable: true }) address!: string | null;
  /** The webhook's HMAC secret. */
  @Column('text', { nullable: true }) secret!: string | null;
  @Column('uuid', { name: 'key_id', nullable: true }) keyId!: string | null;
  @Column('text') status!: PartnerStatus;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  /** Used only for urgent items while the organisation's duty is wanted: a duty contact's own channel, or a pager. */
  @Column('boolean', { name: 'on_call', default: false }) onCall!: boolean;
}

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text', { array: true }) roles!: Role[];
  @Column('text') status!: PartnerStatus;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  /** `scrypt$N$r$p$salt$hash` (see passwords.ts); null: the member cannot sign in to the console. */
  @Column('text', { name: 'password_hash', nullable: true }) passwordHash!: string | null;
  /**
   * The TOTP secret (base32). Kept as it is, since codes are computed from it: database backups hold
   * it too. Null until the member enrols an authenticator.
   */
  @Column('text', { name: 'totp_secret', nullable: true }) totpSecret!: string | null;
  @Column('timestamptz', { name: 'totp_enrolled_at', nullable: true }) totpEnrolledAt!: Date | null;
  /** The last TOTP time step a code was accepted for (a string, as bigint columns are): none is accepted twice. */
  @Column('bigint', { name: 'totp_last_step', nullable: true }) totpLastStep!: string | null;
  /** A reporter's portal account: the contact it belongs to (null for team members). */
  @Column('uuid', { name: 'contact_id', nullable: true }) contactId!: string | null;
}

/** What a console session may do: `enrol` (password only) enrols an authenticator and nothing else. */
export type SessionStage = 'enrol' | 'full';

/** A signed-in console session: only the SHA-256 of its cookie value is stored. */
@Entity('sessions')
export class SessionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('text', { name: 'token_hash' }) tokenHash!: string;
  @Column('text', { name: 'csrf_token' }) csrfToken!: string;
  @Column('text') stage!: SessionStage;
  /** A TOTP secret handed out for enrolment, awaiting its first code. */
  @Column('text', { name: 'pending_totp_secret', nullable: true }) pendingTotpSecret!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'last_seen_at' }) lastSeenAt!: Date;
  /** The absolute end, however active the session is. */
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}

/** A bearer credential: for a staff user, or for a partner's pull channel. Only its hash is kept. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text', { name: 'key_hash' }) keyHash!: string;
  @Column('text') prefix!: string;
  @Column('uuid', { name: 'user_id', nullable: true }) userId!: string | null;
  @Column('uuid', { name: 'channel_id', nullable: true }) channelId!: string | null;
  /** A partner credential's scopes (empty for staff keys, whose roles decide). */
  @Column('text', { array: true }) scopes!: PartnerScope[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
}

@Entity('items')
export class ItemEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') kind!: ItemKind;
  @Column('text') state!: ItemState;
  @Column('int', { name: 'current_version' }) currentVersion!: number;
  @Column('uuid', { name: 'created_by' }) createdBy!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('timestamptz', { name: 'retracted_at', nullable: true }) retractedAt!: Date | null;
  /** Sent to every earlier recipient with the recall notice. */
  @Column('text', { name: 'retraction_notice', nullable: true }) retractionNotice!: string | null;
}

/** As stored: the originator, the label its material came with, and any recorded consent. */
export interface StoredProvenance {
  originator: string;
  label: TlpLabel;
  consent: { audience: Audience; reference: string; recordedBy: string; recordedAt: string } | null;
}

@Entity('caveats')
export class CaveatEntity {
  @PrimaryColumn('text') name!: string;
  @Column('text') description!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('item_versions')
export class ItemVersionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'item_id' }) itemId!: string;
  @Column('int') version!: number;
  @Column('text') title!: string;
  @Column('text') summary!: string;
  @Column('text') body!: string;
  @Column('text') tlp!: TlpLabel;
  @Column('text', { nullable: true }) pap!: PapLabel | null;
  @Column('jsonb') audience!: Audience;
  @Column('text', { nullable: true }) severity!: Severity | null;
  @Column('text', { array: true }) caveats!: string[];
  @Column('jsonb') indicators!: Indicator[];
  @Column('jsonb', { nullable: true }) provenance!: StoredProvenance | null;
  /** Embargo: not delivered before this time. */
  @Column('timestamptz', { name: 'release_at', nullable: true }) releaseAt!: Date | null;
  /** Four eyes: the second person who approved a sensitive version (never its author). */
  @Column('uuid', { name: 'approved_by', nullable: true }) approvedBy!: string | null;
  @Column('timestamptz', { name: 'approved_at', nullable: true }) approvedAt!: Date | null;
  @Column('uuid', { name: 'created_by' }) createdBy!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** Written in the same transaction as the item version; the relay turns it into a routing job. */
@Entity('outbox')
export class OutboxEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id!: string;
  /** Names the routing job: unique over the life of the data, unlike `id`, which a restore from backup starts again. */
  @Column({ type: 'uuid', name: 'job_key', insert: false, update: false }) jobKey!: string;
  @Column('text') topic!: OutboxTopicValue;
  @Column('uuid', { name: 'item_version_id' }) itemVersionId!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  /** Not relayed before this time (the version's embargo). */
  @Column('timestamptz', { name: 'not_before', nullable: true }) notBefore!: Date | null;
  @Column('timestamptz', { name: 'enqueued_at', nullable: true }) enqueuedAt!: Date | null;
  @Column('timestamptz', { name: 'processed_at', nullable: true }) processedAt!: Date | null;
  /** The correlation id of the request that wrote the row (null outside any): its routing and deliveries log under it. */
  @Column('text', { name: 'correlation_id', nullable: true }) correlationId!: string | null;
}

@Entity('sealed_payloads')
export class SealedPayloadEntity {
  @PrimaryColumn('uuid', { name: 'item_version_id' }) itemVersionId!: string;
  /** `document`: the JSON item (feeds, webhooks); `mime`: a MIME entity (e-mail, read by mail clients). */
  @PrimaryColumn('text') form!: 'document' | 'mime';
  @Column('text', { name: 'team_key_fingerprint' }) teamKeyFingerprint!: string;
  @Column('text', { name: 'session_key_algorithm' }) sessionKeyAlgorithm!: 'aes256';
  @Column('bytea', { name: 'session_key' }) sessionKey!: Buffer;
  @Column('bytea', { name: 'encrypted_data' }) encryptedData!: Buffer;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('decisions')
export class DecisionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'item_version_id' }) itemVersionId!: string;
  @Column('uuid', { name: 'organisation_id' }) organisationId!: string;
  @Column('uuid', { name: 'contact_id', nullable: true }) contactId!: string | null;
  @Column('uuid', { name: 'channel_id' }) channelId!: string;
  @Column('boolean') allow!: boolean;
  @Column('text') code!: ReasonCode;
  @Column('text') reason!: string;
  @Column('text', { nullable: true }) handling!: string | null;
  @Column('text', { name: 'key_fingerprint', nullable: true }) keyFingerprint!: string | null;
  @Column('timestamptz', { name: 'decided_at' }) decidedAt!: Date;
  /** `routing`: when the version was released; `escalation`: for an on-call channel, when no one acknowledged in time. */
  @Column('text', { default: 'routing' }) purpose!: DecisionPurpose;
}

export type DecisionPurpose = 'routing' | 'escalation';

@Entity('deliveries')
export class DeliveryEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** `item`: the item version itself; `recall`: a notice that earlier copies must be withdrawn. */
  @Column('text') kind!: DeliveryKind;
  /** The allow decision an item delivery carries out; for a recall after an update, the deny decision. */
  @Column('uuid', { name: 'decision_id', nullable: true }) decisionId!: string | null;
  @Column('uuid', { name: 'item_version_id' }) itemVersionId!: string;
  @Column('uuid', { name: 'channel_id' }) channelId!: string;
  @Column('uuid', { name: 'organisation_id' }) organisationId!: string;
  @Column('uuid', { name: 'contact_id', nullable: true }) contactId!: string | null;
  @Column('text') state!: DeliveryState;
  @Column('int') attempts!: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  @Column('text', { name: 'key_fingerprint', nullable: true }) keyFingerprint!: string | null;
  @Column('text', { name: 'message_id', nullable: true }) messageId!: string | null;
  /** Why a recall is sent (retraction, or the later version's deny reason). */
  @Column('text', { nullable: true }) reason!: string | null;
  @CreateDateColumn({ name: 'queued_at', type: 'timestamptz' }) queuedAt!: Date;
  @Column('timestamptz', { name: 'delivered_at', nullable: true }) deliveredAt!: Date | null;
  /** First handed to its channel: from then on the recipient may hold it, whatever the outcome. */
  @Column('timestamptz', { name: 'handed_at', nullable: true }) handedAt!: Date | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

/**
 * That a person at an organisation acknowledge an urgent item it received: the deadlines of the
 * escalation steps (1: re-sent to its on-call channels and paging hook; 2: the team's duty officer
 * notified), how far escalation went, and who acknowledged it, when and how.
 */
/**
 * That the team's duty officer be told: an urgent item still unacknowledged (`requestId`), or an
 * urgent report received outside the team's hours (`submissionId`). Kept until sent.
 */
@Entity('duty_officer_notices')
export class DutyOfficerNoticeEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'request_id', nullable: true }) requestId!: string | null;
  @Column('uuid', { name: 'submission_id', nullable: true }) submissionId!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('text') state!: 'queued' | 'sent' | 'dead';
  @Column('int') attempts!: number;
  @Column('timestamptz', { name: 'next_attempt_at' }) nextAttemptAt!: Date;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt!: Date | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
}

@Entity('acknowledgement_requests')
export class AcknowledgementRequestEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'item_id' }) itemId!: string;
  @Column('uuid', { name: 'organisation_id' }) organisationId!: string;
  @Column('uuid', { name: 'item_version_id' }) itemVersionId!: string;
  @Column('timestamptz', { name: 'requested_at' }) requestedAt!: Date;
  @Column('timestamptz', { name: 'escalate_at' }) escalateAt!: Date;
  @Column('timestamptz', { name: 'duty_officer_at' }) dutyOfficerAt!: Date;
  @Column('int', { name: 'escalation_step' }) escalationStep!: number;
  @Column('timestamptz', { name: 'acknowledged_at', nullable: true }) acknowledgedAt!: Date | null;
  @Column('text', { name: 'acknowledged_by', nullable: true }) acknowledgedBy!: string | null;
  @Column('uuid', { name: 'acknowledged_contact_id', nullable: true }) acknowledgedContactId!: string | null;
  @Column('text', { name: 'acknowledged_via', nullable: true }) acknowledgedVia!: AcknowledgementWay | null;
  @Column('uuid', { name: 'acknowledged_delivery_id', nullable: true }) acknowledgedDeliveryId!: string | null;
}

/** A partner's pull inbox: what was delivered to one channel, encrypted to its key. */
@Entity('feed_entries')
export class FeedEntryEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) seq!: string;
  @Column('uuid', { name: 'delivery_id' }) deliveryId!: string;
  @Column('uuid', { name: 'channel_id' }) channelId!: string;
  @Column('uuid', { name: 'item_id' }) itemId!: string;
  @Column('int', { name: 'item_version' }) itemVersion!: number;
  /** `item`: a version of the item; `recall`: a notice withdrawing the item (or earlier versions of it). */
  @Column('text') entry!: DeliveryKind;
  @Column('text') kind!: ItemKind;
  @Column('text') tlp!: TlpLabel;
  @Column('text', { nullable: true }) pap!: PapLabel | null;
  @Column('text', { nullable: true }) handling!: string | null;
  @Column('text', { name: 'key_fingerprint' }) keyFingerprint!: string;
  @Column('text') message!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  /** When the entry became part of the feed, in the channel's commit order (microseconds; see FeedEntryRepository.append). */
  @Column('timestamptz', { name: 'added_at' }) addedAt!: Date;
}

@Entity('team_keys')
export class TeamKeyEntity {
  @PrimaryColumn('text') fingerprint!: string;
  @Column('text', { name: 'public_armored' }) publicArmored!: string;
  /** Passphrase-protected; null when the key is loaded from a file the operator keeps. */
  @Column('text', { name: 'private_armored', nullable: true }) privateArmored!: string | null;
  @Column('text') source!: 'generated' | 'file';
  @Column('boolean') active!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'retired_at', nullable: true }) retiredAt!: Date | null;
}

/** An indicator found in what came in: from STIX objects, MISP attributes, or read in its text (refanged). */
export interface ExtractedIndicator {
  type: IndicatorType;
  value: string;
}

/** The originator's written consent to a wider audience, as a sender grants it with its submission. */
export interface SubmissionConsent {
  audience: Audience;
  reference: string;
}

/**
 * Anything that came in (the team mailbox, a reporting form, the TAXII inbox, a partner's polled
 * feed, the API), accepted or rejected. A rejected one keeps nothing of its content.
 */
@Entity('submissions')
export class SubmissionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') source!: SubmissionSource;
  /** The organisation that sent it: proven for a verified submission, null when nobody is known. */
  @Column('uuid', { name: 'organisation_id', nullable: true }) organisationId!: string | null;
  /** The partner channel whose credential brought it in (API, forms, TAXII inbox). */
  @Column('uuid', { name: 'channel_id', nullable: true }) channelId!: string | null;
  @Column('text') status!: SubmissionStatus;
  @Column('text', { name: 'sender_proof' }) senderProof!: SenderProof;
  /** The contact whose key signed it, or whose portal account sent it. */
  @Column('uuid', { name: 'sender_contact_id', nullable: true }) senderContactId!: string | null;
  /** What the sender is given back (`PJ-2026-000123`); null for a rejected submission. */
  @Column('text', { nullable: true }) reference!: string | null;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('text', { nullable: true }) detail!: string | null;
  @Column('text', { name: 'signer_fingerprint', nullable: true }) signerFingerprint!: string | null;
  /** E-mail: the `From:` address as written, never taken as the sender. */
  @Column('text', { name: 'from_address', nullable: true }) fromAddress!: string | null;
  /** E-mail: the Message-ID; the same one is never taken twice. */
  @Column('text', { name: 'message_id', nullable: true }) messageId!: string | null;
  /** Arrived encrypted to the team's key. */
  @Column('boolean') encrypted!: boolean;
  /** The subject, the report's title, the STIX report's or MISP event's name. */
  @Column('text', { nullable: true }) title!: string | null;
  /** The label it came with (TLP 2.0 spelling); TLP:AMBER with the `label-assumed` flag when none was found. */
  @Column('text', { nullable: true }) tlp!: TlpLabel | null;
  @Column('text', { nullable: true }) pap!: PapLabel | null;
  @Column('jsonb', { nullable: true }) consent!: SubmissionConsent | null;
  @Column('text', { name: 'report_kind', nullable: true }) reportKind!: ReportKind | null;
  /** A reporting form's fields as validated. */
  @Column('jsonb', { nullable: true }) report!: Record<string, unknown> | null;
  /** The text received (decrypted, HTML reduced to text, STIX or MISP as JSON); never kept for a rejected submission. */
  @Column('text', { nullable: true }) content!: string | null;
  @Column('jsonb') indicators!: ExtractedIndicator[];
  @Column('text', { array: true }) flags!: SubmissionFlag[];
  @Column('text', { name: 'triage_state' }) triageState!: TriageState;
  @Column('text', { name: 'close_reason', nullable: true }) closeReason!: CloseReason | null;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt!: Date | null;
  /** The item drafted from it, or the existing item it was attached to. */
  @Column('uuid', { name: 'item_id', nullable: true }) itemId!: string | null;
  /** The portal account that sent it. */
  @Column('uuid', { name: 'reporter_user_id', nullable: true }) reporterUserId!: string | null;
  /** The team member who entered it (a report taken by phone). */
  @Column('uuid', { name: 'entered_by', nullable: true }) enteredBy!: string | null;
  @Column('uuid', { name: 'partner_feed_id', nullable: true }) partnerFeedId!: string | null;
  /** A polled feed's object (`<stix id>@<modified>`, `<misp event uuid>@<timestamp>`) or a TAXII inbox bundle's id. */
  @Column('text', { name: 'external_id', nullable: true }) externalId!: string | null;
  /** Bytes of `content` kept (UTF-8): 0 for a rejected submission. */
  @Column('int', { name: 'size_bytes' }) sizeBytes!: number;
  /** Bytes received, before any decryption or decompression. */
  @Column('int', { name: 'raw_size_bytes' }) rawSizeBytes!: number;
  /**
   * SHA-256 naming what was received, unique per organisation: a verified submission's signed
   * statement (signer, signature, content), a rejected one's exact bytes. Null where no digest applies.
   */
  @Column('text', { nullable: true }) digest!: string | null;
  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' }) receivedAt!: Date;
}

/** A file that came with a submission: kept as bytes, only ever served for download, never rendered. */
@Entity('submission_attachments')
export class SubmissionAttachmentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'submission_id' }) submissionId!: string;
  @Column('int') position!: number;
  @Column('text') filename!: string;
  /** As the sender declared it; served as application/octet-stream whatever it says. */
  @Column('text', { name: 'media_type' }) mediaType!: string;
  @Column('int', { name: 'size_bytes' }) sizeBytes!: number;
  @Column('text') sha256!: string;
  @Column('bytea') content!: Buffer;
}

/** A message the team sends back about a submission (acknowledgement, reply): signed, encrypted to the sender's key. */
@Entity('submission_messages')
export class SubmissionMessageEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'submission_id' }) submissionId!: string;
  @Column('text') kind!: SubmissionMessageKind;
  @Column('text', { nullable: true }) body!: string | null;
  @Column('text', { name: 'to_name' }) toName!: string;
  @Column('text', { name: 'to_address' }) toAddress!: string;
  @Column('text', { name: 'recipient_fingerprint' }) recipientFingerprint!: string;
  @Column('text') state!: SubmissionMessageState;
  @Column('int') attempts!: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  @Column('text', { name: 'mail_message_id', nullable: true }) mailMessageId!: string | null;
  /** Last handed to the submission-messages queue; null until the relay first does. */
  @Column('timestamptz', { name: 'enqueued_at', nullable: true }) enqueuedAt!: Date | null;
  @Column('text', { name: 'created_by' }) createdBy!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt!: Date | null;
}

/** A partner's own feed polled for material: a TAXII 2.1 collection or a MISP feed, with its cursor. */
@Entity('partner_feeds')
export class PartnerFeedEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organisation_id' }) organisationId!: string;
  @Column('text') kind!: PartnerFeedKind;
  @Column('text') name!: string;
  /** TAXII: the collection's URL (…/collections/<id>/); MISP: the feed's base URL (where manifest.json is). */
  @Column('text') url!: string;
  /** Sent as the Authorization header; never shown back. */
  @Column('text', { name: 'authorization_header', nullable: true }) authorizationHeader!: string | null;
  @Column('int', { name: 'interval_seconds' }) intervalSeconds!: number;
  @Column('text') status!: PartnerStatus;
  @Column('jsonb') cursor!: Record<string, unknown>;
  @Column('timestamptz', { name: 'last_polled_at', nullable: true }) lastPolledAt!: Date | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  /** When it is next due; "poll now" brings it forward. */
  @Column('timestamptz', { name: 'next_poll_at' }) nextPollAt!: Date;
  /** A dispatcher is polling it until then (a lease that runs out if that dispatcher dies). */
  @Column('timestamptz', { name: 'claimed_until', nullable: true }) claimedUntil!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** A TAXII 2.1 status resource: the outcome of one bundle posted to a partner's inbox collection. */
@Entity('taxii_inbox_statuses')
export class TaxiiInboxStatusEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organisation_id' }) organisationId!: string;
  @Column('uuid', { name: 'channel_id' }) channelId!: string;
  @Column('uuid', { name: 'submission_id', nullable: true }) submissionId!: string | null;
  @Column('text') status!: 'pending' | 'complete';
  @Column('timestamptz', { name: 'request_timestamp' }) requestTimestamp!: Date;
  @Column('int', { name: 'total_count' }) totalCount!: number;
  @Column('int', { name: 'success_count' }) successCount!: number;
  @Column('int', { name: 'failure_count' }) failureCount!: number;
  @Column('int', { name: 'pending_count' }) pendingCount!: number;
  @Column('jsonb') successes!: { id: string; version?: string; message?: string }[];
  @Column('jsonb') failures!: { id: string; version?: string; message?: string }[];
}

@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) seq!: string;
  @Column('timestamptz') at!: Date;
  @Column('text') actor!: string;
  @Column('text') action!: string;
  @Column('text', { name: 'subject_type' }) subjectType!: string;
  @Column('text', { name: 'subject_id' }) subjectId!: string;
  @Column('jsonb') details!: Record<string, unknown>;
  @Column('text', { name: 'prev_hash' }) prevHash!: string;
  @Column('text') hash!: string;
  /** HMAC-SHA256 of `hash` with the audit key, which PostgreSQL never holds; null on events written before it existed. */
  @Column('text', { nullable: true }) mac!: string | null;
}

export const ENTITIES = [
  SubmissionAttachmentEntity,
  SubmissionMessageEntity,
  PartnerFeedEntity,
  TaxiiInboxStatusEntity,
  OrganisationEntity,
  ClosureEntity,
  ContactEntity,
  RecipientKeyEntity,
  ChannelEntity,
  UserEntity,
  SessionEntity,
  ApiKeyEntity,
  ItemEntity,
  ItemVersionEntity,
  CaveatEntity,
  OutboxEntity,
  SealedPayloadEntity,
  DecisionEntity,
  DeliveryEntity,
  AcknowledgementRequestEntity,
  DutyOfficerNoticeEntity,
  FeedEntryEntity,
  TeamKeyEntity,
  SubmissionEntity,
  AuditEventEntity,
];
