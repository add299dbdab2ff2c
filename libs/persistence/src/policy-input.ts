import type { PolicyChannel, PolicyItem, PolicyKey, PolicyOrganisation, TlpLabel } from '@tlp-broker/tlp';
import { ItemEntity, ItemVersionEntity, RecipientKeyEntity } from './entities';
import { RoutingTarget } from './partner-directory';

/** What the policy engine sees of an item version. */
export function policyItem(item: ItemEntity, version: ItemVersionEntity): PolicyItem {
  return { kind: item.kind, tlp: version.tlp as TlpLabel, audience: version.audience };
}

export function policyOrganisation(target: RoutingTarget): PolicyOrganisation {
  const { organisation } = target;
  return {
    id: organisation.id,
    name: organisation.name,
    relation: organisation.relation,
    communities: organisation.communities,
    status: organisation.status,
  };
}

export interface KeyReading {
  readonly expiresAt: Date | null;
  readonly revoked: boolean;
  readonly canEncrypt: boolean;
}

/**
 * Key state as recorded at import, or as `reading` says: a fresh reading of the key itself,
 * taken at send time (revocations and expiry of the encryption subkey are seen there).
 */
export function policyKey(key: RecipientKeyEntity | null, reading?: KeyReading): PolicyKey | null {
  if (!key) return null;
  return {
    fingerprint: key.fingerprint,
    expiresAt: reading ? reading.expiresAt : key.expiresAt,
    revoked: key.revokedAt !== null || (reading?.revoked ?? false),
    canEncrypt: reading?.canEncrypt ?? true,
  };
}

export function policyChannel(target: RoutingTarget, key: PolicyKey | null = policyKey(target.key)): PolicyChannel {
  const { channel, contact } = target;
  return {
    id: channel.id,
    kind: channel.kind,
    redistributes: channel.redistributes,
    contact: contact ? { id: contact.id, name: contact.name, status: contact.status } : null,
    status: channel.status,
    key,
  };
}
