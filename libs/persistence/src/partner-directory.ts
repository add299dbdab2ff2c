import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { ChannelEntity, ContactEntity, OrganisationEntity, RecipientKeyEntity } from './entities';

/** A recipient key as the rules read it: everything but the key block. */
export type DirectoryKey = Omit<RecipientKeyEntity, 'armored'>;

/** One place an item can go: a channel, with the organisation, contact and key behind it. */
export interface RoutingTarget {
  organisation: OrganisationEntity;
  channel: ChannelEntity;
  contact: ContactEntity | null;
  key: DirectoryKey | null;
}

/** A target as a delivery needs it: with its key block, to read the key afresh and encrypt to it. */
export interface DeliveryTarget extends RoutingTarget {
  key: RecipientKeyEntity | null;
}

/**
 * Every channel with its organisation, contact and key (without the key block), in one read, with
 * the directory's clock as it stood for that read (one statement: one snapshot).
 */
const ALL_TARGETS = `
  SELECT (SELECT changed::text FROM directory_clock) AS clock,
         ch.id AS ch_id, ch.organisation_id AS ch_organisation_id, ch.contact_id AS ch_contact_id, ch.kind AS ch_kind,
         ch.redistributes AS ch_redistributes, ch.address AS ch_address, ch.secret AS ch_secret, ch.key_id AS ch_key_id,
         ch.status AS ch_status, ch.created_at AS ch_created_at, ch.on_call AS ch_on_call,
         o.name AS o_name, o.kind AS o_kind, o.country AS o_country, o.relation AS o_relation,
         o.communities AS o_communities, o.accreditations AS o_accreditations, o.status AS o_status,
         o.created_at AS o_created_at, o.business_hours AS o_business_hours,
         c.name AS c_name, c.email AS c_email, c.status AS c_status, c.created_at AS c_created_at,
         k.organisation_id AS k_organisation_id, k.contact_id AS k_contact_id, k.fingerprint AS k_fingerprint,
         k.version AS k_version, k.algorithm AS k_algorithm, k.bits AS k_bits, k.key_created_at AS k_key_created_at,
         k.expires_at AS k_expires_at, k.revoked_at AS k_revoked_at, k.user_ids AS k_user_ids,
         k.encryption_key_id AS k_encryption_key_id, k.imported_at AS k_imported_at
    FROM channels ch
    JOIN organisations o ON o.id = ch.organisation_id
    LEFT JOIN contacts c ON c.id = ch.contact_id
    LEFT JOIN recipient_keys k ON k.id = ch.key_id
   ORDER BY ch.created_at, ch.id`;

/**
 * Reads partners as the routing and delivery steps see them. The whole directory, which every item
 * routed and every preview reads, is kept as last read, with the directory's clock of that read
 * (migration DirectoryClock): a caller gets it again only if the clock, read in its own transaction,
 * still shows that number — that is, if the caller would read exactly the same rows.
 */
@Injectable()
export class PartnerDirectory {
  private kept: { readonly clock: string; readonly targets: readonly RoutingTarget[] } | null = null;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Every channel of every organisation (suspended ones too: their denials are recorded), oldest
   * first, without the key blocks: what the rules need. Shared between callers: never change it.
   */
  async allTargets(manager: EntityManager = this.dataSource.manager): Promise<readonly RoutingTarget[]> {
    const kept = this.kept;
    if (kept && (await this.clock(manager)) === kept.clock) return kept.targets;
    const rows: DirectoryRow[] = await manager.query(ALL_TARGETS);
    const organisations = new Map<string, OrganisationEntity>();
    const targets = rows.map((row) => {
      let organisation = organisations.get(row.ch_organisation_id);
      if (!organisation) organisations.set(row.ch_organisation_id, (organisation = organisationOf(row)));
      return { organisation, channel: channelOf(row), contact: contactOf(row), key: keyOf(row) };
    });
    // No channel, no clock to read it with: nothing kept.
    if (rows.length > 0) this.kept = { clock: rows[0].clock, targets };
    return targets;
  }

  /** The directory's clock: a number that moves with every write to partners, keys or channels. */
  async clock(manager: EntityManager = this.dataSource.manager): Promise<string> {
    const [row]: { clock: string }[] = await manager.query(`SELECT changed::text AS clock FROM directory_clock`);
    return row.clock;
  }

  /**
   * The keys deliveries may be encrypted to now — those of active channels of active partners,
   * not revoked — each with a digest of its key block, which changes when the block does.
   */
  async usableKeyDigests(): Promise<{ id: string; digest: string }[]> {
    return this.dataSource.query(
      `SELECT DISTINCT k.id, md5(k.armored) AS digest
         FROM recipient_keys k
         JOIN channels ch ON ch.key_id = k.id AND ch.status = 'active'
         JOIN organisations o ON o.id = ch.organisation_id AND o.status = 'active'
        WHERE k.revoked_at IS NULL`,
    );
  }

  /** The key blocks of these keys (those that exist). */
  async keyBlocks(keyIds: readonly string[]): Promise<{ id: string; armored: string }[]> {
    if (keyIds.length === 0) return [];
    return this.dataSource.query(`SELECT id, armored FROM recipient_keys WHERE id = ANY($1::uuid[])`, [keyIds]);
  }

  async targets(
    channelIds: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<DeliveryTarget[]> {
    if (channelIds.length === 0) return [];
    const channels = await manager.getRepository(ChannelEntity).findBy({ id: In([...new Set(channelIds)]) });
    return this.assemble(manager, channels);
  }

  async target(channelId: string, manager: EntityManager = this.dataSource.manager): Promise<DeliveryTarget | null> {
    const channel = await manager.getRepository(ChannelEntity).findOne({ where: { id: channelId } });
    if (!channel) return null;
    const [target] = await this.assemble(manager, [channel]);
    return target ?? null;
  }

  private async assemble(manager: EntityManager, channels: ChannelEntity[]): Promise<DeliveryTarget[]> {
    if (channels.length === 0) return [];
    const unique = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))];
    // One after the other: inside a transaction the manager holds a single connection.
    const organisations = await manager
      .getRepository(OrganisationEntity)
      .findBy({ id: In(unique(channels.map((c) => c.organisationId))) });
    const contacts = await manager
      .getRepository(ContactEntity)
      .findBy({ id: In(unique(channels.map((c) => c.contactId))) });
    const keys = await manager
      .getRepository(RecipientKeyEntity)
      .findBy({ id: In(unique(channels.map((c) => c.keyId))) });
    const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((row) => [row.id, row]));
    const orgs = byId(organisations);
    const people = byId(contacts);
    const keyRows = byId(keys);
    return channels.flatMap((channel) => {
      const organisation = orgs.get(channel.organisationId);
      if (!organisation) return [];
      return [
        {
          organisation,
          channel,
          contact: channel.contactId ? (people.get(channel.contactId) ?? null) : null,
          key: channel.keyId ? (keyRows.get(channel.keyId) ?? null) : null,
        },
      ];
    });
  }
}

/** One row of ALL_TARGETS. */
interface DirectoryRow {
  clock: string;
  ch_id: string;
  ch_organisation_id: string;
  ch_contact_id: string | null;
  ch_kind: ChannelEntity['kind'];
  ch_redistributes: boolean;
  ch_address: string | null;
  ch_secret: string | null;
  ch_key_id: string | null;
  ch_status: ChannelEntity['status'];
  ch_created_at: Date;
  ch_on_call: boolean;
  o_name: string;
  o_kind: OrganisationEntity['kind'];
  o_country: string | null;
  o_relation: OrganisationEntity['relation'];
  o_communities: string[];
  o_accreditations: string[];
  o_status: OrganisationEntity['status'];
  o_created_at: Date;
  o_business_hours: OrganisationEntity['businessHours'];
  c_name: string | null;
  c_email: string | null;
  c_status: ContactEntity['status'] | null;
  c_created_at: Date | null;
  k_organisation_id: string | null;
  k_contact_id: string | null;
  k_fingerprint: string | null;
  k_version: number | null;
  k_algorithm: string | null;
  k_bits: number | null;
  k_key_created_at: Date | null;
  k_expires_at: Date | null;
  k_revoked_at: Date | null;
  k_user_ids: string[] | null;
  k_encryption_key_id: string | null;
  k_imported_at: Date | null;
}

function organisationOf(row: DirectoryRow): OrganisationEntity {
  return Object.assign(new OrganisationEntity(), {
    id: row.ch_organisation_id,
    name: row.o_name,
    kind: row.o_kind,
    country: row.o_country,
    relation: row.o_relation,
    communities: row.o_communities,
    accreditations: row.o_accreditations,
    status: row.o_status,
    createdAt: row.o_created_at,
    businessHours: row.o_business_hours,
  });
}

function channelOf(row: DirectoryRow): ChannelEntity {
  return Object.assign(new ChannelEntity(), {
    id: row.ch_id,
    organisationId: row.ch_organisation_id,
    contactId: row.ch_contact_id,
    kind: row.ch_kind,
    redistributes: row.ch_redistributes,
    address: row.ch_address,
    secret: row.ch_secret,
    keyId: row.ch_key_id,
    status: row.ch_status,
    createdAt: row.ch_created_at,
    onCall: row.ch_on_call,
  });
}

function contactOf(row: DirectoryRow): ContactEntity | null {
  if (row.ch_contact_id === null || row.c_name === null) return null;
  return Object.assign(new ContactEntity(), {
    id: row.ch_contact_id,
    organisationId: row.ch_organisation_id,
    name: row.c_name,
    email: row.c_email!,
    status: row.c_status!,
    createdAt: row.c_created_at!,
  });
}

function keyOf(row: DirectoryRow): DirectoryKey | null {
  if (row.ch_key_id === null || row.k_fingerprint === null) return null;
  return {
    id: row.ch_key_id,
    organisationId: row.k_organisation_id!,
    contactId: row.k_contact_id,
    fingerprint: row.k_fingerprint,
    version: row.k_version!,
    algorithm: row.k_algorithm!,
    bits: row.k_bits,
    keyCreatedAt: row.k_key_created_at!,
    expiresAt: row.k_expires_at,
    revokedAt: row.k_revoked_at,
    userIds: row.k_user_ids!,
    encryptionKeyId: row.k_encryption_key_id!,
    importedAt: row.k_imported_at!,
  };
}
