import { needsModernSoftware } from '@tlp-broker/crypto';
import { ChannelEntity, ContactEntity, OrganisationEntity, RecipientKeyEntity } from '@tlp-broker/persistence';
import { PartnerScope } from '@tlp-broker/domain';

export interface ChannelView {
  id: string;
  kind: string;
  redistributes: boolean;
  personal: boolean;
  /** Used only for urgent items outside the organisation's business hours, and for escalations. */
  onCall: boolean;
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

/** What a key update did (an updated copy merged, a revocation applied, a different key in its place), and the key now. */
export interface KeyUpdateView {
  result: 'updated' | 'revoked' | 'replaced';
  key: KeyView;
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

/** What the views of some organisations are made from. */
export interface PartnerRecords {
  readonly channels: readonly ChannelEntity[];
  readonly contacts: readonly ContactEntity[];
  readonly keys: readonly RecipientKeyEntity[];
}

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

export function channelView(channel: ChannelEntity, keyFingerprint: string | null): ChannelView {
  return {
    id: channel.id,
    kind: channel.kind,
    redistributes: channel.redistributes,
    personal: channel.contactId !== null,
    onCall: channel.onCall,
    status: channel.status,
    keyFingerprint,
    address: channel.address,
  };
}

export function contactView(
  contact: ContactEntity,
  key: RecipientKeyEntity | null,
  channels: ChannelView[],
): ContactView {
  return {
    id: contact.id,
    name: contact.name,
    email: contact.email,
    status: contact.status,
    key: key ? keyView(key) : null,
    channels,
  };
}

export function organisationView(
  organisation: OrganisationEntity,
  key: RecipientKeyEntity | null,
  channels: ChannelView[],
  contacts: ContactView[],
): OrganisationView {
  return {
    id: organisation.id,
    name: organisation.name,
    kind: organisation.kind,
    country: organisation.country,
    relation: organisation.relation,
    communities: organisation.communities,
    accreditations: organisation.accreditations,
    status: organisation.status,
    key: key ? keyView(key) : null,
    channels,
    contacts,
  };
}

/**
 * Each organisation with its team channels and key, and its contacts with their personal
 * channels and key: a holder's key is that of its first channel that has one.
 */
export function organisationViews(
  organisations: readonly OrganisationEntity[],
  records: PartnerRecords,
): OrganisationView[] {
  const keyById = new Map(records.keys.map((key) => [key.id, key]));
  const keyOf = (channel: ChannelEntity) => (channel.keyId ? keyById.get(channel.keyId) : undefined);
  const firstKey = (channels: ChannelEntity[]) => channels.map(keyOf).find(Boolean) ?? null;
  const view = (channel: ChannelEntity) => channelView(channel, keyOf(channel)?.fingerprint ?? null);
  return organisations.map((organisation) => {
    const own = records.channels.filter((channel) => channel.organisationId === organisation.id);
    const team = own.filter((channel) => channel.contactId === null);
    const contacts = records.contacts
      .filter((contact) => contact.organisationId === organisation.id)
      .map((contact) => {
        const personal = own.filter((channel) => channel.contactId === contact.id);
        return contactView(contact, firstKey(personal), personal.map(view));
      });
    return organisationView(organisation, firstKey(team), team.map(view), contacts);
  });
}
