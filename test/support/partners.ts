import * as openpgp from 'openpgp';
import type { PartnerScope } from '@tlp-broker/domain';
import {
  newKeyPair,
  registerContact as registerHarnessContact,
  registerPartner as registerHarnessPartner,
  RegisteredContact,
  RegisteredPartner,
  PartnerSpec,
} from '@tlp-broker/harness';
import { http, HttpResult } from './http';

export { newKeyPair };
export type TestPartner = RegisteredPartner;
export type TestContact = RegisteredContact;

/** Test partners' first keys open every pull form and submissions unless a test asks for less (the broker's default leaves out submit). */
const ALL_SCOPES: readonly PartnerScope[] = ['feed', 'taxii', 'misp', 'submit'];

export function registerPartner(base: string, adminKey: string, spec: PartnerSpec): Promise<TestPartner> {
  return registerHarnessPartner(base, adminKey, { ...spec, scopes: spec.scopes ?? ALL_SCOPES });
}

export function registerContact(
  base: string,
  adminKey: string,
  organisationId: string,
  name: string,
): Promise<TestContact> {
  return registerHarnessContact(base, adminKey, organisationId, { name, scopes: ALL_SCOPES });
}

/**
 * Asks the broker to register an organisation holding `publicKey`, by default a peer CERT of
 * eu-csirt with one feed channel (`fields` change any of that), and answers whatever the broker
 * answers: for keys and channels a test arranges itself, and for what registration refuses.
 */
export function postOrganisation<T = any>(
  base: string,
  adminKey: string,
  name: string,
  publicKey: string,
  fields: Record<string, unknown> = {},
): Promise<HttpResult<T>> {
  return http<T>(base, 'POST', '/organisations', {
    key: adminKey,
    json: {
      name,
      kind: 'cert',
      relation: 'peer',
      communities: ['eu-csirt'],
      publicKey,
      channels: [{ kind: 'feed' }],
      ...fields,
    },
  });
}

/** The team's public key as a partner fetches it, to check what the broker signs. */
export async function teamPublicKey(base: string): Promise<openpgp.PublicKey> {
  return openpgp.readKey({ armoredKey: (await http(base, 'GET', '/team/key')).body.publicKey });
}
