import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
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
      .find({ where: { submissionId }, order: { createdAt: 'ASC' } });
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

  /** Messages not sent yet, oldest first: what the reconciler hands to the queue again. */
  open(limit: number, tx?: EntityManager): Promise<SubmissionMessageEntity[]> {
    return this.db(tx)
      .getRepository(SubmissionMessageEntity)
      .createQueryBuilder('m')
      .where(`m.state IN ('queued', 'failed')`)
      .orderBy('m.created_at', 'ASC')
      .take(limit)
      .getMany();
  }

  async markSent(id: string, mailMessageId: string, tx: EntityManager): Promise<void> {
    await tx
      .getRepository(SubmissionMessageEntity)
      .update({ id }, { state: 'sent', sentAt: new Date(), mailMessageId, lastError: null });
  }

  async markFailed(id: string, error: string, final: boolean, tx: EntityManager): Promise<void> {
    await tx
      .getRepository(SubmissionMessageEntity)
      .createQueryBuilder()
      .update()
      .set({ state: final ? 'dead' : 'failed', lastError: error.slice(0, 1_000), attempts: () => 'attempts + 1' })
      .where('id = :id', { id })
      .execute();
  }
}
