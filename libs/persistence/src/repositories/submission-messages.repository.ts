import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { PartnerStatus, SubmissionMessageKind } from '@tlp-broker/domain';
import { SubmissionMessageEntity } from '../entities';

/** A message to send back about a submission, before its id, state and time. */
export type NewSubmissionMessage = Pick<
  SubmissionMessageEntity,
  'submissionId' | 'kind' | 'body' | 'toName' | 'toAddress' | 'recipientFingerprint' | 'createdBy'
>;

/** Where a sender is reached: its own e-mail address and the key its messages are encrypted to. */
export interface SenderRoute {
  readonly toName: string;
  readonly toAddress: string;
  readonly recipientFingerprint: string;
}

/** A message not sent yet, as the relay hands it to the queue. */
export interface DueSubmissionMessage {
  readonly id: string;
  readonly submissionId: string;
  readonly kind: SubmissionMessageKind;
  /** It was handed to the queue before (and not sent since `reconcileAfterMs` ago). */
  readonly handed: boolean;
}

/**
 * What a message is checked against just before it is sent: the registered key it is encrypted to
 * (`armored` null when no such key is registered for the sender's organisation any more) and
 * whether the sender is still active.
 */
export interface MessageRecipient {
  readonly armored: string | null;
  readonly revokedAt: Date | null;
  readonly expiresAt: Date | null;
  readonly organisationStatus: PartnerStatus | null;
  /** Null when the submission was not sent by a named contact. */
  readonly contactStatus: PartnerStatus | null;
}

const MAX_ERROR_LENGTH = 1_000;

/**
 * Messages the team sends back about submissions (acknowledgements, replies).
 * Every query on this table is a named method here; a method that must take part in a caller's
 * transaction takes its `tx` as last argument (default: outside any transaction).
 */
@Injectable()
export class SubmissionMessageRepository {
  constructor(private readonly dataSource: DataSource) {}

  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  /** Queues a message; an acknowledgement already queued for the submission is not queued again (null then). */
  async insert(message: NewSubmissionMessage, tx: EntityManager): Promise<SubmissionMessageEntity | null> {
    const result = await tx
      .createQueryBuilder()
      .insert()
      .into(SubmissionMessageEntity)
      .values({ ...message, state: 'queued', attempts: 0 })
      .orIgnore()
      .returning('id')
      .execute();
    const id = (result.raw as { id: string }[])[0]?.id;
    return id ? tx.getRepository(SubmissionMessageEntity).findOneOrFail({ where: { id } }) : null;
  }

  byId(id: string, tx?: EntityManager): Promise<SubmissionMessageEntity | null> {
    return this.db(tx).getRepository(SubmissionMessageEntity).findOne({ where: { id } });
  }

  ofSubmission(submissionId: string, tx?: EntityManager): Promise<SubmissionMessageEntity[]> {
    return this.db(tx)
      .getRepository(SubmissionMessageEntity)
      .find({ where: { submissionId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * The key the sender's messages are encrypted to, whatever route they take: the key that signed
   * what came in, else the key of the channel whose credential brought it, else the contact's own
   * key — each only while registered to the sender, neither revoked nor expired. Null when none is.
   */
  async senderKey(
    sender: { organisationId: string; contactId: string | null; fingerprint: string | null; channelId: string | null },
    tx?: EntityManager,
  ): Promise<{ fingerprint: string; armored: string } | null> {
    const [row]: { fingerprint: string; armored: string }[] = await this.db(tx).query(
      `SELECT k.fingerprint, k.armored FROM recipient_keys k
        WHERE k.organisation_id = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
          AND (k.fingerprint = $3
               OR k.id = (SELECT key_id FROM channels WHERE id = $4 AND organisation_id = $1)
               OR ($2::uuid IS NOT NULL AND k.contact_id = $2))
        ORDER BY (k.fingerprint = $3) DESC NULLS LAST,
                 (k.id = (SELECT key_id FROM channels WHERE id = $4)) DESC NULLS LAST,
                 k.imported_at DESC
        LIMIT 1`,
      [sender.organisationId, sender.contactId, sender.fingerprint, sender.channelId],
    );
    return row ?? null;
  }

  /**
   * The sender's own e-mail route: for a contact, its personal e-mail channel (or its address);
   * for an organisation, its team e-mail channel. Encrypted to `fingerprint` when given (the key
   * that signed what came in) and still valid, otherwise to the channel's key. Null when the
   * sender has no active e-mail route or no usable key: no acknowledgement is mailed then.
   */
  async senderRoute(
    sender: { organisationId: string; contactId: string | null; fingerprint: string | null },
    tx?: EntityManager,
  ): Promise<SenderRoute | null> {
    const [row]: { to_name: string; to_address: string; fingerprint: string }[] = await this.db(tx).query(
      `SELECT COALESCE(c.name, o.name) AS to_name,
              COALESCE(ch.address, c.email) AS to_address,
              COALESCE(signer.fingerprint, channel_key.fingerprint, contact_key.fingerprint) AS fingerprint
         FROM organisations o
         LEFT JOIN contacts c ON c.id = $2 AND c.organisation_id = o.id AND c.status = 'active'
         LEFT JOIN LATERAL (
           SELECT ch.address, ch.key_id FROM channels ch
            WHERE ch.organisation_id = o.id AND ch.kind = 'email' AND ch.status = 'active'
              AND ch.contact_id IS NOT DISTINCT FROM $2::uuid
            ORDER BY ch.created_at LIMIT 1) ch ON true
         LEFT JOIN recipient_keys signer ON signer.fingerprint = $3 AND signer.organisation_id = o.id
              AND signer.revoked_at IS NULL AND (signer.expires_at IS NULL OR signer.expires_at > now())
         LEFT JOIN recipient_keys channel_key ON channel_key.id = ch.key_id
              AND channel_key.revoked_at IS NULL AND (channel_key.expires_at IS NULL OR channel_key.expires_at > now())
         LEFT JOIN LATERAL (
           SELECT k.fingerprint FROM recipient_keys k
            WHERE k.contact_id = c.id AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
            ORDER BY k.imported_at DESC LIMIT 1) contact_key ON true
        WHERE o.id = $1 AND o.status = 'active' AND ($2::uuid IS NULL OR c.id IS NOT NULL)`,
      [sender.organisationId, sender.contactId, sender.fingerprint],
    );
    if (!row?.to_address || !row.fingerprint) return null;
    return { toName: row.to_name, toAddress: row.to_address, recipientFingerprint: row.fingerprint };
  }

  /**
   * Messages for the relay, oldest first, at most `limit`, locked until `tx` ends (another
   * dispatcher's relay skips them): not sent nor dead, and either never handed to the queue or
   * handed over more than `reconcileAfterMs` ago.
   */
  async lockDue(reconcileAfterMs: number, limit: number, tx: EntityManager): Promise<DueSubmissionMessage[]> {
    const rows: { id: string; submission_id: string; kind: SubmissionMessageKind; handed: boolean }[] = await tx.query(
      `SELECT id, submission_id, kind, enqueued_at IS NOT NULL AS handed
         FROM submission_messages
        WHERE state IN ('queued', 'failed')
          AND (enqueued_at IS NULL OR enqueued_at < now() - make_interval(secs => $1::double precision / 1000))
        ORDER BY created_at, id
        LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [reconcileAfterMs, limit],
    );
    return rows.map((row) => ({ id: row.id, submissionId: row.submission_id, kind: row.kind, handed: row.handed }));
  }

  /** Whether any message waits to be sent (queued, or failed and to be tried again). */
  async anyOpen(tx?: EntityManager): Promise<boolean> {
    const [row]: { open: boolean }[] = await this.db(tx).query(
      `SELECT EXISTS (SELECT 1 FROM submission_messages WHERE state IN ('queued', 'failed')) AS open`,
    );
    return row.open;
  }

  /** The messages were handed to the queue now. */
  async markEnqueued(ids: readonly string[], tx: EntityManager): Promise<void> {
    await tx.query('UPDATE submission_messages SET enqueued_at = now() WHERE id = ANY($1::uuid[])', [ids]);
  }

  /** The key the message is encrypted to and its sender's standing, read fresh; null when the message is unknown. */
  async recipient(messageId: string, tx?: EntityManager): Promise<MessageRecipient | null> {
    const [row]: {
      armored: string | null;
      revoked_at: Date | null;
      expires_at: Date | null;
      organisation_status: PartnerStatus | null;
      contact_status: PartnerStatus | null;
    }[] = await this.db(tx).query(
      `SELECT k.armored, k.revoked_at, k.expires_at, o.status AS organisation_status, c.status AS contact_status
         FROM submission_messages m
         JOIN submissions s ON s.id = m.submission_id
         LEFT JOIN organisations o ON o.id = s.organisation_id
         LEFT JOIN contacts c ON c.id = s.sender_contact_id
         LEFT JOIN LATERAL (
           SELECT k.armored, k.revoked_at, k.expires_at FROM recipient_keys k
            WHERE k.fingerprint = m.recipient_fingerprint AND k.organisation_id = s.organisation_id
            ORDER BY k.imported_at DESC LIMIT 1) k ON true
        WHERE m.id = $1`,
      [messageId],
    );
    if (!row) return null;
    return {
      armored: row.armored,
      revokedAt: row.revoked_at,
      expiresAt: row.expires_at,
      organisationStatus: row.organisation_status,
      contactStatus: row.contact_status,
    };
  }

  /** Sent: false (nothing changed) when it was no longer open, sent or ended by another worker. */
  async markSent(id: string, mailMessageId: string, tx: EntityManager): Promise<boolean> {
    const result = await tx
      .getRepository(SubmissionMessageEntity)
      .createQueryBuilder()
      .update()
      .set({ state: 'sent', sentAt: () => 'now()', mailMessageId, lastError: null, attempts: () => 'attempts + 1' })
      .where(`id = :id AND state IN ('queued', 'failed')`, { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * An attempt that failed: `failed` (it will be tried again) or, when `final`, `dead`. False
   * (nothing changed) when it was no longer open.
   */
  async markFailed(id: string, error: string, final: boolean, tx: EntityManager): Promise<boolean> {
    const result = await tx
      .getRepository(SubmissionMessageEntity)
      .createQueryBuilder()
      .update()
      .set({
        state: final ? 'dead' : 'failed',
        lastError: error.slice(0, MAX_ERROR_LENGTH),
        attempts: () => 'attempts + 1',
      })
      .where(`id = :id AND state IN ('queued', 'failed')`, { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Ends an open message without an attempt (its recipient may no longer receive it): false when it was not open. */
  async markDead(id: string, reason: string, tx: EntityManager): Promise<boolean> {
    const result = await tx
      .getRepository(SubmissionMessageEntity)
      .createQueryBuilder()
      .update()
      .set({ state: 'dead', lastError: reason.slice(0, MAX_ERROR_LENGTH) })
      .where(`id = :id AND state IN ('queued', 'failed')`, { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
