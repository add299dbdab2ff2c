import { Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { KeyUpdate, OpenPgpService } from '@tlp-broker/crypto';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { AuditLog, OrganisationRepository, RecipientKeyEntity, Transactions } from '@tlp-broker/persistence';
import { invalidField } from '../common/errors';
import { StaffPrincipal } from '../auth/principal';
import { KeyUpdateDto } from './organisations.dto';
import { keyView, KeyUpdateView } from './organisation-views';
import { Holder, PartnerSetupService } from './partner-setup.service';

type AppliedUpdate = Exclude<KeyUpdate, { kind: 'refused' }>;

/**
 * Applies an updated copy of a registered key, a revocation certificate, or a replacement key,
 * for an organisation's team channels or for one contact's personal channels. Audited.
 */
@Injectable()
export class RecipientKeysService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly openpgp: OpenPgpService,
    private readonly setup: PartnerSetupService,
    private readonly organisations: OrganisationRepository,
  ) {}

  async updateKey(
    organisationId: string,
    contactId: string | null,
    dto: KeyUpdateDto,
    actor: StaffPrincipal,
  ): Promise<KeyUpdateView> {
    const contact = contactId ? await this.organisations.findContact(organisationId, contactId) : null;
    if (contactId && !contact)
      throw new NotFoundException(`contact ${contactId} not found at organisation ${organisationId}`);
    const current = await this.organisations.currentKey(organisationId, contactId);
    if (!current)
      throw new NotFoundException(
        `no key registered for ${contactId ? `contact ${contactId}` : `organisation ${organisationId}`}`,
      );
    const now = new Date();
    const update = await this.openpgp.applyKeyUpdate(current.armored, dto.publicKey, now, {
      pinnedFingerprint: dto.fingerprint,
      expectedEmail: contact && this.config.keys.requireEmailMatch ? contact.email : undefined,
    });
    if (update.kind === 'refused') throw invalidField('publicKey', update.error);
    return this.transactions.run(async (tx) => {
      const row = await this.apply(update, current, { organisationId, contactId }, now, tx);
      await this.audit.append(tx, {
        actor: `user:${actor.userId}`,
        action: `key.${update.kind}`,
        subjectType: contactId ? 'contact' : 'organisation',
        subjectId: contactId ?? organisationId,
        details: {
          previousFingerprint: current.fingerprint,
          fingerprint: row.fingerprint,
          expiresAt: row.expiresAt,
          revokedAt: row.revokedAt,
        },
      });
      return { result: update.kind, key: keyView(row) };
    });
  }

  /** The key as stored after the update: the same row revoked or merged, or a new row the holder's channels now use. */
  private async apply(
    update: AppliedUpdate,
    current: RecipientKeyEntity,
    holder: Holder,
    now: Date,
    tx: EntityManager,
  ): Promise<RecipientKeyEntity> {
    if (update.kind === 'revoked') {
      await this.organisations.revokeKey(current.id, update.armored, current.revokedAt ?? now, tx);
      return this.stored(current.id, tx);
    }
    if (update.kind === 'updated') {
      const { armored, expiresAt, userIds, encryptionKeyId, algorithm, bits } = update.key;
      await this.organisations.mergeKey(
        current.id,
        { armored, expiresAt, userIds, encryptionKeyId, algorithm, bits },
        tx,
      );
      return this.stored(current.id, tx);
    }
    const replacement = await this.setup.storeKey(update.key, holder, tx);
    await this.organisations.replaceChannelKey(holder, current.id, replacement.id, tx);
    return replacement;
  }

  private async stored(keyId: string, tx: EntityManager): Promise<RecipientKeyEntity> {
    const key = await this.organisations.findKey(keyId, tx);
    if (!key) throw new Error(`recipient key ${keyId} vanished while it was being updated`);
    return key;
  }
}
