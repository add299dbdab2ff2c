import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import type { PartnerStatus } from '@tlp-broker/domain';
import { ChannelEntity, ContactEntity, OrganisationEntity, RecipientKeyEntity } from '../entities';
import { MICROSECONDS } from './microseconds';

/** What registration gives a new organisation (it starts active). */
export type NewOrganisation = Pick<
  OrganisationEntity,
  'name' | 'kind' | 'country' | 'relation' | 'communities' | 'accreditations'
>;
export type NewContact = Pick<ContactEntity, 'organisationId' | 'name' | 'email'>;
export type NewRecipientKey = Omit<RecipientKeyEntity, 'id' | 'revokedAt' | 'importedAt' | 'userIds'> & {
  userIds: readonly string[];
};
export type NewChannel = Pick<
  ChannelEntity,
  'organisationId' | 'contactId' | 'kind' | 'redistributes' | 'address' | 'secret' | 'keyId'
> & { onCall?: boolean };
export type OrganisationChanges = Partial<Pick<OrganisationEntity, 'status' | 'communities' | 'accreditations'>>;
/** What an updated copy of a key changes. */
export type KeyMerge = Pick<RecipientKeyEntity, 'armored' | 'expiresAt' | 'encryptionKeyId' | 'algorithm' | 'bits'> & {
  userIds: readonly string[];
};
/** A key some channel uses, with its holder's names (null only if the row behind it is gone). */
export interface KeyInUse {
  readonly key: RecipientKeyEntity;
  readonly organisation: string | null;
  readonly contact: string | null;
}

/** A registered partner key and whom it belongs to: the organisation, and the contact for a personal key. */
export interface RegisteredKeyOwner {
  readonly fingerprint: string;
  readonly armored: string;
  readonly organisationId: string;
  readonly contactId: string | null;
}

/**
 * Partner organisations, their contacts, channels and OpenPGP keys (organisations, contacts, channels, recipient_keys).
 * Every query on these tables is a named method here; a method that must take part in a
 * caller's transaction takes its `tx` as last argument (default: outside any transaction).
 */
@Injectable()
export class OrganisationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's transaction, or the pool outside any. */
  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  findById(id: string, tx?: EntityManager): Promise<OrganisationEntity | null> {
    return this.db(tx).getRepository(OrganisationEntity).findOne({ where: { id } });
  }

  /** Of `ids`, those of registered organisations. */
  async knownOrganisations(ids: readonly string[], tx?: EntityManager): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db(tx)
      .getRepository(OrganisationEntity)
      .find({ where: { id: In([...ids]) }, select: { id: true } });
    return new Set(rows.map((row) => row.id));
  }

  /** Of `ids`, those of registered contacts. */
  async knownContacts(ids: readonly string[], tx?: EntityManager): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db(tx)
      .getRepository(ContactEntity)
      .find({ where: { id: In([...ids]) }, select: { id: true } });
    return new Set(rows.map((row) => row.id));
  }

  /** Of `communities`, those at least one organisation (of any status) belongs to. */
  async communitiesWithMembers(communities: readonly string[], tx?: EntityManager): Promise<Set<string>> {
    if (communities.length === 0) return new Set();
    const rows: { community: string }[] = await this.db(tx).query(
      'SELECT DISTINCT unnest(communities) AS community FROM organisations WHERE communities && $1::text[]',
      [communities],
    );
    const wanted = new Set(communities);
    return new Set(rows.map((row) => row.community).filter((community) => wanted.has(community)));
  }

  /** Every key registered for the organisation: its own and its contacts'. */
  keysOfOrganisation(organisationId: string, tx?: EntityManager): Promise<RecipientKeyEntity[]> {
    return this.db(tx).getRepository(RecipientKeyEntity).find({ where: { organisationId } });
  }

  /**
   * Every key a partner may sign with: keys of active organisations and of their active contacts,
   * not revoked. Expired keys are included: whether a signature by one counts is decided at the
   * time it is checked.
   */
  async registeredKeyOwners(tx?: EntityManager): Promise<RegisteredKeyOwner[]> {
    const rows: { fingerprint: string; armored: string; organisation_id: string; contact_id: string | null }[] =
      await this.db(tx).query(
        `SELECT k.fingerprint, k.armored, k.organisation_id, k.contact_id
           FROM recipient_keys k
           JOIN organisations o ON o.id = k.organisation_id AND o.status = 'active'
           LEFT JOIN contacts c ON c.id = k.contact_id
          WHERE k.revoked_at IS NULL AND (k.contact_id IS NULL OR c.status = 'active')
          ORDER BY k.imported_at, k.id`,
      );
    return rows.map((row) => ({
      fingerprint: row.fingerprint,
      armored: row.armored,
      organisationId: row.organisation_id,
      contactId: row.contact_id,
    }));
  }

  /** The names of these organisations, by id (unknown ids are left out). */
  async organisationNames(ids: readonly string[], tx?: EntityManager): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db(tx)
      .getRepository(OrganisationEntity)
      .find({ where: { id: In([...new Set(ids)]) }, select: { id: true, name: true } });
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /** Whose channel it is: the organisation's name, and the contact's for a personal channel. */
  async channelHolder(
    channelId: string,
    tx?: EntityManager,
  ): Promise<{ organisation: string; contact: string | null } | null> {
    const [row]: { name: string; contact: string | null }[] = await this.db(tx).query(
      `SELECT o.name, c.name AS contact FROM channels ch JOIN organisations o ON o.id = ch.organisation_id LEFT JOIN contacts c ON c.id = ch.contact_id WHERE ch.id = $1`,
      [channelId],
    );
    return row ? { organisation: row.name, contact: row.contact } : null;
  }

  /** When the channel was created, in microseconds since the epoch (exact, unlike a Date). */
  async channelCreatedMicros(channelId: string, tx?: EntityManager): Promise<number | null> {
    const [row]: { created_us: string }[] = await this.db(tx).query(
      `SELECT ${MICROSECONDS('created_at')} AS created_us FROM channels WHERE id = $1`,
      [channelId],
    );
    return row ? Number(row.created_us) : null;
  }

  // Registration and administration of partners: organisations, contacts, channels, keys.

  insertOrganisation(organisation: NewOrganisation, tx?: EntityManager): Promise<OrganisationEntity> {
    const repository = this.db(tx).getRepository(OrganisationEntity);
    return repository.save(repository.create({ ...organisation, status: 'active' }));
  }

  insertContact(contact: NewContact, tx?: EntityManager): Promise<ContactEntity> {
    const repository = this.db(tx).getRepository(ContactEntity);
    return repository.save(repository.create({ ...contact, status: 'active' }));
  }

  /** A key of an organisation (contactId null) or of one of its contacts. */
  insertKey(key: NewRecipientKey, tx?: EntityManager): Promise<RecipientKeyEntity> {
    const repository = this.db(tx).getRepository(RecipientKeyEntity);
    return repository.save(repository.create({ ...key, userIds: [...key.userIds], revokedAt: null }));
  }

  insertChannel(channel: NewChannel, tx?: EntityManager): Promise<ChannelEntity> {
    const repository = this.db(tx).getRepository(ChannelEntity);
    return repository.save(repository.create({ ...channel, status: 'active' }));
  }

  /** Every organisation, by name. */
  listByName(tx?: EntityManager): Promise<OrganisationEntity[]> {
    return this.db(tx)
      .getRepository(OrganisationEntity)
      .find({ order: { name: 'ASC' } });
  }

  /** The organisation, locked until the caller's transaction ends. */
  lockForUpdate(id: string, tx: EntityManager): Promise<OrganisationEntity | null> {
    return tx.getRepository(OrganisationEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async updateOrganisation(id: string, changes: OrganisationChanges, tx?: EntityManager): Promise<void> {
    await this.db(tx).getRepository(OrganisationEntity).update({ id }, changes);
  }

  /** The contact, if it belongs to the organisation. */
  findContact(organisationId: string, contactId: string, tx?: EntityManager): Promise<ContactEntity | null> {
    return this.db(tx)
      .getRepository(ContactEntity)
      .findOne({ where: { id: contactId, organisationId } });
  }

  async setContactStatus(contactId: string, status: PartnerStatus, tx?: EntityManager): Promise<void> {
    await this.db(tx).getRepository(ContactEntity).update({ id: contactId }, { status });
  }

  /** The channel, if it belongs to the organisation. */
  findChannel(organisationId: string, channelId: string, tx?: EntityManager): Promise<ChannelEntity | null> {
    return this.db(tx)
      .getRepository(ChannelEntity)
      .findOne({ where: { id: channelId, organisationId } });
  }

  /** The channel, if it belongs to the organisation, locked until the caller's transaction ends. */
  lockChannel(organisationId: string, channelId: string, tx: EntityManager): Promise<ChannelEntity | null> {
    return tx
      .getRepository(ChannelEntity)
      .findOne({ where: { id: channelId, organisationId }, lock: { mode: 'pessimistic_write' } });
  }

  async setChannelStatus(channelId: string, status: PartnerStatus, tx?: EntityManager): Promise<void> {
    await this.db(tx).getRepository(ChannelEntity).update({ id: channelId }, { status });
  }

  /** The channels of these organisations (team and personal), oldest first. */
  channelsOf(organisationIds: readonly string[], tx?: EntityManager): Promise<ChannelEntity[]> {
    if (organisationIds.length === 0) return Promise.resolve([]);
    return this.db(tx)
      .getRepository(ChannelEntity)
      .find({ where: { organisationId: In([...organisationIds]) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The contacts of these organisations, by name. */
  contactsOf(organisationIds: readonly string[], tx?: EntityManager): Promise<ContactEntity[]> {
    if (organisationIds.length === 0) return Promise.resolve([]);
    return this.db(tx)
      .getRepository(ContactEntity)
      .find({ where: { organisationId: In([...organisationIds]) }, order: { name: 'ASC', id: 'ASC' } });
  }

  /** Every key registered for these organisations and their contacts, in use or not. */
  keysOf(organisationIds: readonly string[], tx?: EntityManager): Promise<RecipientKeyEntity[]> {
    if (organisationIds.length === 0) return Promise.resolve([]);
    return this.db(tx)
      .getRepository(RecipientKeyEntity)
      .find({ where: { organisationId: In([...organisationIds]) } });
  }

  /**
   * The key the organisation's team channels (contactId null) or the contact's personal channels
   * are encrypted to now: that of the oldest such channel with a key.
   */
  currentKey(organisationId: string, contactId: string | null, tx?: EntityManager): Promise<RecipientKeyEntity | null> {
    return this.db(tx)
      .getRepository(RecipientKeyEntity)
      .createQueryBuilder('k')
      .innerJoin(ChannelEntity, 'ch', 'ch.key_id = k.id')
      .where('ch.organisation_id = :organisationId', { organisationId })
      .andWhere(contactId === null ? 'ch.contact_id IS NULL' : 'ch.contact_id = :contactId', { contactId })
      .orderBy('ch.created_at', 'ASC')
      .addOrderBy('ch.id', 'ASC')
      .limit(1)
      .getOne();
  }

  findKey(keyId: string, tx?: EntityManager): Promise<RecipientKeyEntity | null> {
    return this.db(tx)
      .getRepository(RecipientKeyEntity)
      .findOne({ where: { id: keyId } });
  }

  /** Stores the key with its revocation certificate applied. */
  async revokeKey(keyId: string, armored: string, revokedAt: Date, tx?: EntityManager): Promise<void> {
    await this.db(tx).getRepository(RecipientKeyEntity).update({ id: keyId }, { armored, revokedAt });
  }

  /** Stores an updated copy of the same key (new expiry, user ids or subkeys). */
  async mergeKey(keyId: string, update: KeyMerge, tx?: EntityManager): Promise<void> {
    await this.db(tx)
      .getRepository(RecipientKeyEntity)
      .update({ id: keyId }, { ...update, userIds: [...update.userIds] });
  }

  /** Points the holder's channels that used `fromKeyId` at `toKeyId` (a replacement key). */
  async replaceChannelKey(
    holder: { organisationId: string; contactId: string | null },
    fromKeyId: string,
    toKeyId: string,
    tx?: EntityManager,
  ): Promise<void> {
    await this.db(tx)
      .getRepository(ChannelEntity)
      .update(
        { organisationId: holder.organisationId, contactId: holder.contactId ?? IsNull(), keyId: fromKeyId },
        { keyId: toKeyId },
      );
  }

  /** The keys some channel is encrypted to, with the names of their organisation and contact. */
  async keysInUse(tx?: EntityManager): Promise<KeyInUse[]> {
    const { entities, raw } = await this.db(tx)
      .getRepository(RecipientKeyEntity)
      .createQueryBuilder('k')
      .leftJoin(OrganisationEntity, 'o', 'o.id = k.organisation_id')
      .leftJoin(ContactEntity, 'ct', 'ct.id = k.contact_id')
      .addSelect('o.name', 'organisation_name')
      .addSelect('ct.name', 'contact_name')
      .where('k.id IN (SELECT key_id FROM channels WHERE key_id IS NOT NULL)')
      .getRawAndEntities<{ k_id: string; organisation_name: string | null; contact_name: string | null }>();
    const names = new Map(raw.map((row) => [row.k_id, row]));
    return entities.map((key) => ({
      key,
      organisation: names.get(key.id)?.organisation_name ?? null,
      contact: names.get(key.id)?.contact_name ?? null,
    }));
  }
}
