import * as openpgp from 'openpgp';
import { generateKeyPair } from '@tlp-broker/crypto';
import type { OrganisationKind, PartnerScope, Relation } from '@tlp-broker/domain';
import { call } from './http';

/** A partner organisation registered with a fresh key pair and one feed channel. */
export interface RegisteredPartner {
  readonly id: string;
  readonly name: string;
  readonly channelId: string;
  readonly feedKey: string;
  readonly privateKey: openpgp.PrivateKey;
  readonly fingerprint: string;
}

/** A named person at an organisation, with a personal key and personal feed. */
export interface RegisteredContact {
  readonly id: string;
  readonly name: string;
  readonly organisationId: string;
  readonly channelId: string;
  readonly feedKey: string;
  readonly privateKey: openpgp.PrivateKey;
}

export interface PartnerSpec {
  readonly name: string;
  readonly kind?: OrganisationKind;
  readonly country?: string;
  readonly relation: Relation;
  readonly communities?: readonly string[];
  readonly accreditations?: readonly string[];
  readonly redistributes?: boolean;
  /** What the feed channel's first key opens (the broker's default when absent). */
  readonly scopes?: readonly PartnerScope[];
}

export const slug = (value: string) =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** A fresh Curve25519 key pair, with the private key read. */
export async function newKeyPair(name: string, email: string) {
  const pair = await generateKeyPair({ name, email });
  return { ...pair, privateKey: await openpgp.readPrivateKey({ armoredKey: pair.privateArmored }) };
}

export async function registerPartner(base: string, adminKey: string, spec: PartnerSpec): Promise<RegisteredPartner> {
  const keys = await newKeyPair(spec.name, `soc@${slug(spec.name)}.example`);
  const created = await call<{ id: string; channels: { id: string; apiKey: string }[] }>(
    base,
    'POST',
    '/organisations',
    {
      key: adminKey,
      json: {
        name: spec.name,
        kind: spec.kind ?? 'cert',
        ...(spec.country ? { country: spec.country } : {}),
        relation: spec.relation,
        communities: spec.communities ?? [],
        accreditations: spec.accreditations ?? [],
        publicKey: keys.publicArmored,
        channels: [
          { kind: 'feed', redistributes: spec.redistributes ?? false, ...(spec.scopes ? { scopes: spec.scopes } : {}) },
        ],
      },
    },
  );
  const [channel] = created.channels;
  return {
    id: created.id,
    name: spec.name,
    channelId: channel.id,
    feedKey: channel.apiKey,
    privateKey: keys.privateKey,
    fingerprint: keys.fingerprint,
  };
}

export async function registerContact(
  base: string,
  adminKey: string,
  organisationId: string,
  person: { name: string; email?: string; scopes?: readonly PartnerScope[] },
): Promise<RegisteredContact> {
  const email = person.email ?? `${person.name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@contact.example`;
  const keys = await newKeyPair(person.name, email);
  const created = await call<{ id: string; channels: { id: string; apiKey: string }[] }>(
    base,
    'POST',
    `/organisations/${organisationId}/contacts`,
    {
      key: adminKey,
      json: {
        name: person.name,
        email,
        publicKey: keys.publicArmored,
        ...(person.scopes ? { scopes: person.scopes } : {}),
      },
    },
  );
  const [channel] = created.channels;
  return {
    id: created.id,
    name: person.name,
    organisationId,
    channelId: channel.id,
    feedKey: channel.apiKey,
    privateKey: keys.privateKey,
  };
}
