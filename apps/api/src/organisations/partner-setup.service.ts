import { ConflictException, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { isEmail } from 'class-validator';
import { AllowList, checkWebhookAddress, vetWebhookAddress } from '@tlp-broker/channels';
import { KeyRules, OpenPgpService, PublicKeyInfo } from '@tlp-broker/crypto';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import {
  ApiKeyRepository,
  isUniqueViolation,
  OrganisationRepository,
  RecipientKeyEntity,
} from '@tlp-broker/persistence';
import { PartnerScope } from '@tlp-broker/domain';
import { invalidField } from '../common/errors';
import { CaveatsService } from '../caveats/caveats.service';
import { ChannelDto, DEFAULT_FEED_SCOPES } from './organisations.dto';
import { ChannelView, channelView } from './organisation-views';

/** Whose key or channel: an organisation's team (contactId null) or one of its contacts. */
export interface Holder {
  readonly organisationId: string;
  readonly contactId: string | null;
}

/** A channel to open, its address vetted (see vetChannels). */
export interface ChannelSpec {
  readonly kind: 'feed' | 'email' | 'webhook' | 'pager';
  readonly redistributes: boolean;
  /** A duty contact's on-call channel (a pager always is one). */
  readonly onCall?: boolean;
  readonly address?: string;
  readonly secret?: string;
  readonly scopes?: readonly PartnerScope[];
}

/**
 * What registering an organisation or a contact share: accreditations, keys and channel addresses
 * checked before anything is stored, then keys stored and channels opened in the caller's
 * transaction (a pull channel with its first API key, a webhook with its HMAC secret).
 */
@Injectable()
export class PartnerSetupService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly openpgp: OpenPgpService,
    private readonly caveats: CaveatsService,
    private readonly organisations: OrganisationRepository,
    private readonly apiKeys: ApiKeyRepository,
  ) {}

  async checkAccreditations(accreditations: string[]): Promise<void> {
    const unknown = await this.caveats.unknown(accreditations);
    if (unknown.length > 0)
      throw invalidField(
        'accreditations',
        `unknown caveat ${unknown.map((c) => `"${c}"`).join(', ')} (register it under /caveats first)`,
      );
  }

  async checkKey(armored: string, rules: KeyRules): Promise<PublicKeyInfo> {
    const check = await this.openpgp.inspectPublicKey(armored, new Date(), rules);
    if (!check.ok) throw invalidField('publicKey', check.error);
    return check.key;
  }

  /**
   * Every channel's address checked before anything is stored, each error naming its channel
   * (`channels.1.address`): an e-mail address, or a webhook URL the dispatcher will be allowed to
   * call under the address policy (see vetWebhookAddress; the sender checks again before each call).
   */
  vetChannels(channels: readonly ChannelDto[]): Promise<ChannelDto[]> {
    const allowList = new AllowList(this.config.webhooks.allowList);
    return Promise.all(channels.map((channel, index) => vetChannel(channel, index, allowList)));
  }

  /** A webhook or paging hook URL the dispatcher will be allowed to call (see vetChannels), or a 400 naming `field`. */
  async vetCalledAddress(address: string, field: string): Promise<string> {
    const check = await vetWebhookAddress(address.trim(), new AllowList(this.config.webhooks.allowList));
    if (!check.ok) throw invalidField(field, `refused: ${check.reason}`);
    return check.url;
  }

  storeKey(key: PublicKeyInfo, holder: Holder, tx: EntityManager): Promise<RecipientKeyEntity> {
    return this.organisations.insertKey(
      {
        ...holder,
        fingerprint: key.fingerprint,
        version: key.version,
        algorithm: key.algorithm,
        bits: key.bits,
        keyCreatedAt: key.createdAt,
        expiresAt: key.expiresAt,
        userIds: key.userIds,
        encryptionKeyId: key.encryptionKeyId,
        armored: key.armored,
      },
      tx,
    );
  }

  /** Opens a channel encrypted to `key`; the view carries the API key or webhook secret, shown this once. */
  async openChannel(
    holder: Holder,
    key: RecipientKeyEntity | null,
    spec: ChannelSpec,
    tx: EntityManager,
  ): Promise<ChannelView> {
    const address = spec.kind === 'feed' ? null : this.channelAddress(spec.kind, spec.address ?? '');
    const called = spec.kind === 'webhook' || spec.kind === 'pager';
    const secret = called ? (spec.secret ?? randomBytes(32).toString('base64url')) : null;
    const channel = await this.organisations.insertChannel(
      {
        ...holder,
        kind: spec.kind,
        redistributes: spec.redistributes,
        address,
        secret,
        keyId: key?.id ?? null,
        onCall: spec.onCall ?? spec.kind === 'pager',
      },
      tx,
    );
    const view = channelView(channel, key?.fingerprint ?? null);
    if (called) return { ...view, secret: secret! };
    if (spec.kind !== 'feed') return view;
    const scopes = [...(spec.scopes ?? DEFAULT_FEED_SCOPES)];
    const { apiKey } = await this.apiKeys.issueForChannel(channel.id, scopes, tx);
    return { ...view, apiKey, scopes };
  }

  /** An e-mail address, or a webhook URL the dispatcher will be allowed to call (the addresses were vetted by vetChannels). */
  private channelAddress(kind: 'email' | 'webhook' | 'pager', address: string): string {
    const value = address.trim();
    if (kind === 'email') {
      if (!isEmail(value)) throw invalidField('channels.address', `"${value}" is not an e-mail address`);
      return value;
    }
    const check = checkWebhookAddress(value, new AllowList(this.config.webhooks.allowList));
    if (!check.ok) throw invalidField('channels.address', `${kind} refused: ${check.reason}`);
    return check.url;
  }
}

async function vetChannel(channel: ChannelDto, index: number, allowList: AllowList): Promise<ChannelDto> {
  if (channel.kind === 'feed') return channel;
  if (channel.scopes !== undefined)
    throw invalidField(`channels.${index}.scopes`, 'only a feed channel has API keys and scopes');
  const address = (channel.address ?? '').trim();
  if (channel.kind === 'email') {
    if (!isEmail(address)) throw invalidField(`channels.${index}.address`, `"${address}" is not an e-mail address`);
    return { ...channel, address };
  }
  const check = await vetWebhookAddress(address, allowList);
  if (!check.ok) throw invalidField(`channels.${index}.address`, `webhook refused: ${check.reason}`);
  return { ...channel, address: check.url };
}

/** A name or address already registered (a unique index refused the row) is answered 409 with `message`. */
export function rethrowConflict(error: unknown, message: string): never {
  if (isUniqueViolation(error)) throw new ConflictException(message);
  throw error;
}
