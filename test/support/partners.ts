import * as openpgp from 'openpgp';
import { generateKeyPair } from '@tlp-broker/crypto';
import { http } from './http';

export interface TestPartner {
  id: string;
  name: string;
  channelId: string;
  feedKey: string;
  privateKey: openpgp.PrivateKey;
  fingerprint: string;
}

export interface TestContact {
  id: string;
  name: string;
  organisationId: string;
  feedKey: string;
  privateKey: openpgp.PrivateKey;
}

/** Test partners' first keys open every pull form unless a test asks for less (the broker's default is the JSON feed only). */
const ALL_SCOPES = ['feed', 'taxii', 'misp', 'submit'];

export async function newKeyPair(name: string, email: string) {
  const pair = await generateKeyPair({ name, email });
  return { ...pair, privateKey: await openpgp.readPrivateKey({ armoredKey: pair.privateArmored }) };
}

export async function registerPartner(
  base: string,
  adminKey: string,
  spec: {
    name: string;
    kind?: string;
    relation: 'peer' | 'constituent';
    communities?: string[];
    redistributes?: boolean;
    scopes?: string[];
  },
): Promise<TestPartner> {
  const keys = await newKeyPair(spec.name, `soc@${spec.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`);
  const response = await http(base, 'POST', '/organisations', {
    key: adminKey,
    json: {
      name: spec.name,
      kind: spec.kind ?? 'cert',
      relation: spec.relation,
      communities: spec.communities ?? [],
      publicKey: keys.publicArmored,
      channels: [{ kind: 'feed', redistributes: spec.redistributes ?? false, scopes: spec.scopes ?? ALL_SCOPES }],
    },
  });
  if (response.status !== 201)
    throw new Error(`registering ${spec.name}: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    id: response.body.id,
    name: spec.name,
    channelId: response.body.channels[0].id,
    feedKey: response.body.channels[0].apiKey,
    privateKey: keys.privateKey,
    fingerprint: keys.fingerprint,
  };
}

export async function registerContact(
  base: string,
  adminKey: string,
  organisationId: string,
  name: string,
): Promise<TestContact> {
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@contact.example`;
  const keys = await newKeyPair(name, email);
  const response = await http(base, 'POST', `/organisations/${organisationId}/contacts`, {
    key: adminKey,
    json: { name, email, publicKey: keys.publicArmored, scopes: ALL_SCOPES },
  });
  if (response.status !== 201)
    throw new Error(`registering contact ${name}: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    id: response.body.id,
    name,
    organisationId,
    feedKey: response.body.channels[0].apiKey,
    privateKey: keys.privateKey,
  };
}
