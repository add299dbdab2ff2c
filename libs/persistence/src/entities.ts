import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type {
  Audience,
  ChannelKind,
  DeliveryKind,
  DeliveryState,
  Indicator,
  ItemKind,
  ItemState,
  OrganisationKind,
  PartnerScope,
  PartnerStatus,
  Relation,
  Role,
  Severity,
} from '@tlp-broker/domain';
import type { PapLabel, ReasonCode, TlpLabel } from '@tlp-broker/tlp';

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
}

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

/** Signed material a partner sent in: verified against that partner's registered keys, or rejected. Both are kept. */
@Entity('submissions')
export class SubmissionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organisation_id' }) organisationId!: string;
  @Column('uuid', { name: 'channel_id' }) channelId!: string;
  @Column('text') status!: 'verified' | 'rejected';
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('text', { nullable: true }) detail!: string | null;
  @Column('text', { name: 'signer_fingerprint', nullable: true }) signerFingerprint!: string | null;
  /** The verified text; never kept for a rejected submission. */
  @Column('text', { nullable: true }) content!: string | null;
  /** Bytes of `content` kept (UTF-8): 0 for a rejected submission. */
  @Column('int', { name: 'size_bytes' }) sizeBytes!: number;
  /** Bytes received: the armored message as sent, before any decompression. */
  @Column('int', { name: 'raw_size_bytes' }) rawSizeBytes!: number;
  /**
   * SHA-256 naming what was received, unique per organisation: a verified submission's signed
   * statement (signer, signature, content), a rejected one's exact bytes. Null on rows from before it.
   */
  @Column('text', { nullable: true }) digest!: string | null;
  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' }) receivedAt!: Date;
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
  OrganisationEntity,
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
  FeedEntryEntity,
  TeamKeyEntity,
  SubmissionEntity,
  AuditEventEntity,
];
