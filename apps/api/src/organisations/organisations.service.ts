import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull, Repository } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { isEmail } from 'class-validator';
import { AllowList, checkWebhookAddress, vetWebhookAddress } from '@tlp-broker/channels';
import { KeyRules, KeyUpdate, needsModernSoftware, OpenPgpService, PublicKeyInfo } from '@tlp-broker/crypto';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import {
  ApiKeyEntity,
  AuditLog,
  ChannelEntity,
  ContactEntity,
  newApiKey,
  OrganisationEntity,
  RecipientKeyEntity,
} from '@tlp-broker/persistence';
import { invalidField } from '../common/errors';
import { requireSomeField } from '../common/validators';
import { StaffPrincipal } from '../auth/principal';
import { CaveatsService } from '../caveats/caveats.service';
import {
  ChannelDto,
  CreateContactDto,
  CreateOrganisationDto,
  DEFAULT_FEED_SCOPES,
  KeyUpdateDto,
  UpdateChannelDto,
  UpdateContactDto,
  UpdateOrganisationDto,
} from './organisations.dto';
import { PartnerScope } from '@tlp-broker/domain';

export interface ChannelView {
  id: string;
  kind: string;
  redistributes: boolean;
  personal: boolean;
  status: string;
  keyFingerprint: string | null;
  /** The mailbox or webhook URL. */
  address: string | null;
  /** Present once, in the response that created a pull channel. */
  apiKey?: string;
  /** What `apiKey` opens. */
  scopes?: PartnerScope[];
  /** Present once, in the response that created a webhook channel. */
  secret?: string;
}

export interface KeyView {
  fingerprint: string;
  /** Only RFC 9580 software (GnuPG 2.4+, Sequoia, openpgp.js 6) reads this key; GnuPG 2.2 does not. */
  modernOnly: boolean;
  revokedAt: Date | null;
  algorithm: string;
  version: number;
  createdAt: Date;
  expiresAt: Date | null;
  userIds: string[];
}

export interface ContactView {
  id: string;
  name: string;
  email: string;
  status: string;
  key: KeyView | null;
  channels: ChannelView[];
}

export interface OrganisationView {
  id: string;
  name: string;
  kind: string;
  country: string | null;
  relation: string;
  communities: string[];
  accreditations: string[];
  status: string;
  key: KeyView | null;
  channels: ChannelView[];
  contacts: ContactView[];
}

const UNIQUE_VIOLATION = '23505';

export function keyView(key: RecipientKeyEntity): KeyView {
  return {
    fingerprint: key.fingerprint,
    modernOnly: needsModernSoftware(key.version, key.algorithm),
    revokedAt: key.revokedAt,
    algorithm: key.algorithm,
    version: key.version,
    createdAt: key.keyCreatedAt,
    expiresAt: key.expiresAt,
    userIds: key.userIds,
  };
}

@Injectable()
export class OrganisationsService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly openpgp: OpenPgpService,
    private readonly audit: AuditLog,
    private readonly caveats: CaveatsService,
    @InjectRepository(OrganisationEntity) private readonly organisations: Repository<OrganisationEntity>,
  ) {}

  async register(dto: CreateOrganisationDto, actor: StaffPrincipal): Promise<OrganisationView> {
    await this.checkAccreditations(dto.accreditations ?? []);
    const channelSpecs = await this.vetChannels(dto.channels);
    const key = await this.checkKey(dto.publicKey, { pinnedFingerprint: dto.fingerprint });
    const created = await this.dataSource
      .transaction(async (manager) => {
        const organisation = await manager.getRepository(OrganisationEntity).save(
          manager.getRepository(OrganisationEntity).create({
            name: dto.name.trim(),
            kind: dto.kind,
            country: dto.country ?? null,
            relation: dto.relation,
            communities: dto.communities ?? [],
            accreditations: dto.accreditations ?? [],
            status: 'active',
          }),
        );
        const keyRow = await this.saveKey(manager, key, organisation.id, null);
        const channels: ChannelView[] = [];
        for (const channel of channelSpecs) {
          channels.push(
            await this.createChannel(manager, organisation.id, null, keyRow, {
              ...channel,
              redistributes: channel.redistributes ?? false,
            }),
          );
        }
        await this.audit.append(manager, {
          actor: `user:${actor.userId}`,
          action: 'organisation.registered',
          subjectType: 'organisation',
          subjectId: organisation.id,
          details: {
            name: organisation.name,
            relation: organisation.relation,
            communities: organisation.communities,
            keyFingerprint: key.fingerprint,
          },
        });
        return { organisation, keyRow, channels };
      })
      .catch((error: unknown) =>
        this.rethrowConflict(error, `an organisation named "${dto.name.trim()}" is already registered`),
      );
    return { ...this.organisationView(created.organisation, created.keyRow, created.channels), contacts: [] };
  }

  async addContact(organisationId: string, dto: CreateContactDto, actor: StaffPrincipal): Promise<ContactView> {
    const organisation = await this.organisations.findOne({ where: { id: organisationId } });
    if (!organisation) throw new NotFoundException(`organisation ${organisationId} not found`);
    const key = await this.checkKey(dto.publicKey, {
      pinnedFingerprint: dto.fingerprint,
      expectedEmail: this.config.keys.requireEmailMatch ? dto.email : undefined,
    });
    return this.dataSource
      .transaction(async (manager) => {
        const contact = await manager
          .getRepository(ContactEntity)
          .save(
            manager
              .getRepository(ContactEntity)
              .create({ organisationId, name: dto.name.trim(), email: dto.email.trim(), status: 'active' }),
          );
        const keyRow = await this.saveKey(manager, key, organisationId, contact.id);
        const channel = await this.createChannel(manager, organisationId, contact.id, keyRow, {
          kind: 'feed',
          redistributes: false,
          scopes: dto.scopes,
        });
        await this.audit.append(manager, {
          actor: `user:${actor.userId}`,
          action: 'contact.registered',
          subjectType: 'contact',
          subjectId: contact.id,
          details: { organisationId, name: contact.name, keyFingerprint: key.fingerprint },
        });
        return {
          id: contact.id,
          name: contact.name,
          email: contact.email,
          status: contact.status,
          key: this.keyView(keyRow),
          channels: [channel],
        };
      })
      .catch((error: unknown) =>
        this.rethrowConflict(error, `${dto.email} is already a contact of ${organisation.name}`),
      );
  }

  /** Suspends or reinstates a partner, or changes its communities or accreditations; audited with the change. */
  async update(id: string, dto: UpdateOrganisationDto, actor: StaffPrincipal): Promise<OrganisationView> {
    requireSomeField(dto, ['status', 'communities', 'accreditations']);
    if (dto.accreditations) await this.checkAccreditations(dto.accreditations);
    await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(OrganisationEntity);
      const organisation = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!organisation) throw new NotFoundException(`organisation ${id} not found`);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const field of ['status', 'communities', 'accreditations'] as const) {
        const value = dto[field];
        if (value !== undefined && JSON.stringify(value) !== JSON.stringify(organisation[field])) {
          changes[field] = { from: organisation[field], to: value };
          Object.assign(organisation, { [field]: value });
        }
      }
      if (Object.keys(changes).length === 0) return;
      await repo.save(organisation);
      await this.audit.append(manager, {
        actor: `user:${actor.userId}`,
        action: 'organisation.updated',
        subjectType: 'organisation',
        subjectId: id,
        details: changes,
      });
    });
    return this.get(id);
  }

  async updateContact(
    organisationId: string,
    contactId: string,
    dto: UpdateContactDto,
    actor: StaffPrincipal,
  ): Promise<OrganisationView> {
    await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(ContactEntity);
      const contact = await repo.findOne({ where: { id: contactId, organisationId } });
      if (!contact) throw new NotFoundException(`contact ${contactId} not found at organisation ${organisationId}`);
      if (contact.status === dto.status) return;
      await repo.update({ id: contactId }, { status: dto.status });
      await this.audit.append(manager, {
        actor: `user:${actor.userId}`,
        action: 'contact.updated',
        subjectType: 'contact',
        subjectId: contactId,
        details: { status: { from: contact.status, to: dto.status } },
      });
    });
    return this.get(organisationId);
  }

  /** Suspends or reinstates a channel; audited. The rules are checked again at send time, so queued deliveries stop too. */
  async updateChannel(
    organisationId: string,
    channelId: string,
    dto: UpdateChannelDto,
    actor: StaffPrincipal,
  ): Promise<OrganisationView> {
    await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(ChannelEntity);
      const channel = await repo.findOne({
        where: { id: channelId, organisationId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!channel) throw new NotFoundException(`channel ${channelId} not found at organisation ${organisationId}`);
      if (channel.status === dto.status) return;
      await repo.update({ id: channelId }, { status: dto.status });
      await this.audit.append(manager, {
        actor: `user:${actor.userId}`,
        action: 'channel.updated',
        subjectType: 'channel',
        subjectId: channelId,
        details: { organisationId, status: { from: channel.status, to: dto.status } },
      });
    });
    return this.get(organisationId);
  }

  async list(): Promise<OrganisationView[]> {
    const organisations = await this.organisations.find({ order: { name: 'ASC' } });
    return this.views(organisations);
  }

  async get(id: string): Promise<OrganisationView> {
    const organisation = await this.organisations.findOne({ where: { id } });
    if (!organisation) throw new NotFoundException(`organisation ${id} not found`);
    const [view] = await this.views([organisation]);
    return view;
  }

  private async views(organisations: OrganisationEntity[]): Promise<OrganisationView[]> {
    const ids = organisations.map((organisation) => organisation.id);
    if (ids.length === 0) return [];
    const manager = this.dataSource.manager;
    const [channels, contacts, keys] = await Promise.all([
      manager.getRepository(ChannelEntity).find({ where: { organisationId: In(ids) }, order: { createdAt: 'ASC' } }),
      manager.getRepository(ContactEntity).find({ where: { organisationId: In(ids) }, order: { name: 'ASC' } }),
      manager.getRepository(RecipientKeyEntity).find({ where: { organisationId: In(ids) } }),
    ]);
    const keyById = new Map(keys.map((key) => [key.id, key]));
    const channelView = (channel: ChannelEntity): ChannelView => ({
      id: channel.id,
      kind: channel.kind,
      redistributes: channel.redistributes,
      personal: channel.contactId !== null,
      status: channel.status,
      keyFingerprint: channel.keyId ? (keyById.get(channel.keyId)?.fingerprint ?? null) : null,
      address: channel.address,
    });
    return organisations.map((organisation) => {
      const own = channels.filter((channel) => channel.organisationId === organisation.id);
      const orgChannels = own.filter((channel) => channel.contactId === null);
      const orgKey =
        orgChannels.map((channel) => (channel.keyId ? keyById.get(channel.keyId) : undefined)).find(Boolean) ?? null;
      const contactViews = contacts
        .filter((contact) => contact.organisationId === organisation.id)
        .map((contact) => {
          const personal = own.filter((channel) => channel.contactId === contact.id);
          const key =
            personal.map((channel) => (channel.keyId ? keyById.get(channel.keyId) : undefined)).find(Boolean) ?? null;
          return {
            id: contact.id,
            name: contact.name,
            email: contact.email,
            status: contact.status,
            key: key ? this.keyView(key) : null,
            channels: personal.map(channelView),
          };
        });
      return { ...this.organisationView(organisation, orgKey, orgChannels.map(channelView)), contacts: contactViews };
    });
  }

  private async checkAccreditations(accreditations: string[]): Promise<void> {
    const unknown = await this.caveats.unknown(accreditations);
    if (unknown.length > 0)
      throw invalidField(
        'accreditations',
        `unknown caveat ${unknown.map((c) => `"${c}"`).join(', ')} (register it under /caveats first)`,
      );
  }

  private async checkKey(armored: string, rules: KeyRules): Promise<PublicKeyInfo> {
    const check = await this.openpgp.inspectPublicKey(armored, new Date(), rules);
    if (!check.ok) throw invalidField('publicKey', check.error);
    return check.key;
  }

  private saveKey(
    manager: EntityManager,
    key: PublicKeyInfo,
    organisationId: string,
    contactId: string | null,
  ): Promise<RecipientKeyEntity> {
    const repo = manager.getRepository(RecipientKeyEntity);
    return repo.save(
      repo.create({
        organisationId,
        contactId,
        fingerprint: key.fingerprint,
        version: key.version,
        algorithm: key.algorithm,
        bits: key.bits,
        keyCreatedAt: key.createdAt,
        expiresAt: key.expiresAt,
        revokedAt: null,
        userIds: [...key.userIds],
        encryptionKeyId: key.encryptionKeyId,
        armored: key.armored,
      }),
    );
  }

  private async createChannel(
    manager: EntityManager,
    organisationId: string,
    contactId: string | null,
    key: RecipientKeyEntity,
    spec: {
      kind: 'feed' | 'email' | 'webhook';
      redistributes: boolean;
      address?: string;
      secret?: string;
      scopes?: readonly PartnerScope[];
    },
  ): Promise<ChannelView> {
    const address = spec.kind === 'feed' ? null : this.channelAddress(spec.kind, spec.address ?? '');
    const secret = spec.kind === 'webhook' ? (spec.secret ?? randomBytes(32).toString('base64url')) : null;
    const channel = await manager.getRepository(ChannelEntity).save(
      manager.getRepository(ChannelEntity).create({
        organisationId,
        contactId,
        kind: spec.kind,
        redistributes: spec.redistributes,
        address,
        secret,
        keyId: key.id,
        status: 'active',
      }),
    );
    const view: ChannelView = {
      id: channel.id,
      kind: channel.kind,
      redistributes: channel.redistributes,
      personal: contactId !== null,
      status: channel.status,
      keyFingerprint: key.fingerprint,
      address,
    };
    if (spec.kind === 'webhook') return { ...view, secret: secret! };
    if (spec.kind !== 'feed') return view;
    const credential = newApiKey('partner');
    await manager.getRepository(ApiKeyEntity).save(
      manager.getRepository(ApiKeyEntity).create({
        keyHash: credential.hash,
        prefix: credential.prefix,
        userId: null,
        channelId: channel.id,
        scopes: [...(spec.scopes ?? DEFAULT_FEED_SCOPES)],
        revokedAt: null,
        lastUsedAt: null,
      }),
    );
    return { ...view, apiKey: credential.key, scopes: [...(spec.scopes ?? DEFAULT_FEED_SCOPES)] };
  }

  /**
   * Every channel's address checked before anything is stored, each error naming its channel
   * (`channels.1.address`): an e-mail address, or a webhook URL the dispatcher will be allowed to
   * call under the address policy (see vetWebhookAddress; the sender checks again before each call).
   */
  private async vetChannels(channels: readonly ChannelDto[]): Promise<ChannelDto[]> {
    const allowList = new AllowList(this.config.webhooks.allowList);
    return Promise.all(
      channels.map(async (channel, index) => {
        if (channel.kind === 'feed') return channel;
        if (channel.scopes !== undefined)
          throw invalidField(`channels.${index}.scopes`, 'only a feed channel has API keys and scopes');
        const address = (channel.address ?? '').trim();
        if (channel.kind === 'email') {
          if (!isEmail(address))
            throw invalidField(`channels.${index}.address`, `"${address}" is not an e-mail address`);
          return { ...channel, address };
        }
        const check = await vetWebhookAddress(address, allowList);
        if (!check.ok) throw invalidField(`channels.${index}.address`, `webhook refused: ${check.reason}`);
        return { ...channel, address: check.url };
      }),
    );
  }

  /** An e-mail address, or a webhook URL the dispatcher will be allowed to call (the addresses were vetted by vetChannels). */
  private channelAddress(kind: 'email' | 'webhook', address: string): string {
    const value = address.trim();
    if (kind === 'email') {
      if (!isEmail(value)) throw invalidField('channels.address', `"${value}" is not an e-mail address`);
      return value;
    }
    const check = checkWebhookAddress(value, new AllowList(this.config.webhooks.allowList));
    if (!check.ok) throw invalidField('channels.address', `webhook refused: ${check.reason}`);
    return check.url;
  }

  private organisationView(
    organisation: OrganisationEntity,
    key: RecipientKeyEntity | null,
    channels: ChannelView[],
  ): Omit<OrganisationView, 'contacts'> {
    return {
      id: organisation.id,
      name: organisation.name,
      kind: organisation.kind,
      country: organisation.country,
      relation: organisation.relation,
      communities: organisation.communities,
      accreditations: organisation.accreditations,
      status: organisation.status,
      key: key ? this.keyView(key) : null,
      channels,
    };
  }

  private keyView(key: RecipientKeyEntity): KeyView {
    return keyView(key);
  }

  /**
   * Applies an updated copy of a registered key, a revocation certificate, or a replacement key,
   * for an organisation's team channels or for one contact's personal channel. Audited.
   */
  async updateKey(
    organisationId: string,
    contactId: string | null,
    dto: KeyUpdateDto,
    actor: StaffPrincipal,
  ): Promise<{ result: KeyUpdate['kind']; key: KeyView }> {
    const manager = this.dataSource.manager;
    const contact = contactId
      ? await manager.getRepository(ContactEntity).findOne({ where: { id: contactId, organisationId } })
      : null;
    if (contactId && !contact)
      throw new NotFoundException(`contact ${contactId} not found at organisation ${organisationId}`);
    const channels = await manager
      .getRepository(ChannelEntity)
      .find({ where: { organisationId, contactId: contactId ?? IsNull() } });
    const currentId = channels.map((channel) => channel.keyId).find((id): id is string => id !== null);
    if (!currentId)
      throw new NotFoundException(
        `no key registered for ${contactId ? `contact ${contactId}` : `organisation ${organisationId}`}`,
      );
    const current = await manager.getRepository(RecipientKeyEntity).findOneOrFail({ where: { id: currentId } });
    const now = new Date();
    const rules: KeyRules = {
      pinnedFingerprint: dto.fingerprint,
      expectedEmail: contact && this.config.keys.requireEmailMatch ? contact.email : undefined,
    };
    const update = await this.openpgp.applyKeyUpdate(current.armored, dto.publicKey, now, rules);
    if (update.kind === 'refused') throw invalidField('publicKey', update.error);

    return this.dataSource.transaction(async (tx) => {
      const keys = tx.getRepository(RecipientKeyEntity);
      let row: RecipientKeyEntity;
      if (update.kind === 'revoked') {
        await keys.update({ id: current.id }, { armored: update.armored, revokedAt: current.revokedAt ?? now });
        row = await keys.findOneOrFail({ where: { id: current.id } });
      } else if (update.kind === 'updated') {
        const key = update.key;
        await keys.update(
          { id: current.id },
          {
            armored: key.armored,
            expiresAt: key.expiresAt,
            userIds: [...key.userIds],
            encryptionKeyId: key.encryptionKeyId,
            algorithm: key.algorithm,
            bits: key.bits,
          },
        );
        row = await keys.findOneOrFail({ where: { id: current.id } });
      } else {
        row = await this.saveKey(tx, update.key, organisationId, contactId);
        await tx
          .getRepository(ChannelEntity)
          .update({ organisationId, contactId: contactId ?? IsNull(), keyId: current.id }, { keyId: row.id });
      }
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

  private rethrowConflict(error: unknown, message: string): never {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new ConflictException(message);
    throw error;
  }
}
