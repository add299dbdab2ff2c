import type { PartnerScope } from '@tlp-broker/domain';
import {
  newKeyPair,
  registerContact as registerHarnessContact,
  registerPartner as registerHarnessPartner,
  RegisteredContact,
  RegisteredPartner,
  PartnerSpec,
} from '@tlp-broker/harness';

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
