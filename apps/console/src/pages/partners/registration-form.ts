/**
 * The "Register organisation" and "Add contact" forms as typed, and the request bodies the API
 * takes from them (POST /organisations, POST /organisations/{id}/contacts). Pure: no DOM.
 */
import type { Schemas } from '../../api/client';
import { parseList } from './organisation-filter';

type CreateOrganisation = Schemas['CreateOrganisationDto'];
export type OrganisationKind = CreateOrganisation['kind'];
export type Relation = CreateOrganisation['relation'];
export type ChannelKind = Schemas['ChannelDto']['kind'];
export type PartnerScope = Schemas['PartnerScope'];

// The choices the forms offer, in the order they are offered; the compiler checks each is the API's.
export const ORGANISATION_KINDS = [
  'lea',
  'cert',
  'csirt',
  'soc',
  'isac',
  'government',
  'private',
] as const satisfies readonly OrganisationKind[];
export const RELATIONS = ['peer', 'constituent'] as const satisfies readonly Relation[];
export const CHANNEL_KINDS = ['feed', 'email', 'webhook'] as const satisfies readonly ChannelKind[];
export const PARTNER_SCOPES = ['feed', 'taxii', 'misp', 'submit'] as const satisfies readonly PartnerScope[];
/** What a new feed key opens unless the administrator says otherwise (the API's default too). */
export const DEFAULT_SCOPES: readonly PartnerScope[] = ['feed', 'taxii', 'misp'];

export interface ChannelForm {
  kind: ChannelKind;
  address: string;
  redistributes: boolean;
  secret: string;
  scopes: PartnerScope[];
}

export interface RegistrationForm {
  name: string;
  kind: OrganisationKind;
  relation: Relation;
  country: string;
  communities: string;
  accreditations: string;
  publicKey: string;
  fingerprint: string;
  channels: ChannelForm[];
}

export function newChannel(kind: ChannelKind = 'feed'): ChannelForm {
  return { kind, address: '', redistributes: false, secret: '', scopes: [...DEFAULT_SCOPES] };
}

export function emptyRegistration(): RegistrationForm {
  return {
    name: '',
    kind: 'cert',
    relation: 'peer',
    country: '',
    communities: '',
    accreditations: '',
    publicKey: '',
    fingerprint: '',
    channels: [newChannel()],
  };
}

export interface ChannelBody {
  kind: ChannelKind;
  redistributes: boolean;
  address?: string;
  secret?: string;
  scopes?: PartnerScope[];
}

export interface RegistrationBody {
  name: string;
  kind: OrganisationKind;
  relation: Relation;
  country?: string;
  communities: string[];
  accreditations: string[];
  publicKey: string;
  fingerprint?: string;
  channels: ChannelBody[];
}

/** Only what each channel kind takes: an address for e-mail and webhooks, a secret for webhooks, scopes for feeds. */
export function channelBody(channel: ChannelForm): ChannelBody {
  const body: ChannelBody = { kind: channel.kind, redistributes: channel.redistributes };
  if (channel.kind !== 'feed') body.address = channel.address.trim();
  if (channel.kind === 'webhook' && channel.secret !== '') body.secret = channel.secret;
  if (channel.kind === 'feed') body.scopes = [...channel.scopes];
  return body;
}

/** The request body; optional fields left empty are left out, so the API applies its defaults. */
export function registrationBody(form: RegistrationForm): RegistrationBody {
  const country = form.country.trim().toUpperCase();
  const fingerprint = form.fingerprint.trim();
  return {
    name: form.name.trim(),
    kind: form.kind,
    relation: form.relation,
    ...(country ? { country } : {}),
    communities: parseList(form.communities),
    accreditations: parseList(form.accreditations),
    publicKey: form.publicKey.trim(),
    ...(fingerprint ? { fingerprint } : {}),
    channels: form.channels.map(channelBody),
  };
}

export interface ContactForm {
  name: string;
  email: string;
  publicKey: string;
  fingerprint: string;
  scopes: PartnerScope[];
}

export function emptyContact(): ContactForm {
  return { name: '', email: '', publicKey: '', fingerprint: '', scopes: [...DEFAULT_SCOPES] };
}

export function contactBody(form: ContactForm) {
  const fingerprint = form.fingerprint.trim();
  return {
    name: form.name.trim(),
    email: form.email.trim(),
    publicKey: form.publicKey.trim(),
    ...(fingerprint ? { fingerprint } : {}),
    scopes: [...form.scopes],
  };
}

/** A scope ticked or unticked, the list kept in the usual order. */
export function toggleScope(scopes: readonly PartnerScope[], scope: PartnerScope, on: boolean): PartnerScope[] {
  return PARTNER_SCOPES.filter((s) => (s === scope ? on : scopes.includes(s)));
}

/** A secret the API hands out once (a pull channel's API key, a webhook's HMAC secret), and what it is for. */
export interface OneTimeValue {
  readonly channelId: string;
  readonly channelKind: string;
  readonly address: string | null;
  readonly what: 'apiKey' | 'secret';
  readonly value: string;
  readonly scopes: readonly string[];
}

interface ChannelAnswer {
  id: string;
  kind: string;
  address: string | null;
  apiKey?: string;
  secret?: string;
  scopes?: readonly string[];
}

/** Every API key and webhook secret in a registration's answer: shown once, as the API never shows them again. */
export function oneTimeValues(channels: readonly ChannelAnswer[]): OneTimeValue[] {
  return channels.flatMap((channel) => {
    const base = { channelId: channel.id, channelKind: channel.kind, address: channel.address };
    const found: OneTimeValue[] = [];
    if (channel.apiKey) found.push({ ...base, what: 'apiKey', value: channel.apiKey, scopes: channel.scopes ?? [] });
    if (channel.secret) found.push({ ...base, what: 'secret', value: channel.secret, scopes: [] });
    return found;
  });
}
