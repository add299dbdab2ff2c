import {
  canEncryptTo,
  Decision,
  PolicyChannel,
  PolicyItem,
  PolicyKey,
  PolicyOrganisation,
  PolicyTeam,
  prepare,
} from '@tlp-broker/tlp';
import { ItemEntity, ItemVersionEntity } from './entities';
import { DirectoryKey, RoutingTarget } from './partner-directory';

/** What the policy engine sees of an item version. */
export function policyItem(
  item: Pick<ItemEntity, 'kind'>,
  version: Pick<ItemVersionEntity, 'tlp' | 'pap' | 'audience' | 'caveats' | 'provenance'>,
): PolicyItem {
  return {
    kind: item.kind,
    tlp: version.tlp,
    pap: version.pap ?? null,
    audience: version.audience,
    caveats: version.caveats ?? [],
    provenance: version.provenance
      ? {
          originator: version.provenance.originator,
          label: version.provenance.label,
          consent: version.provenance.consent
            ? { audience: version.provenance.consent.audience, reference: version.provenance.consent.reference }
            : null,
        }
      : null,
  };
}

export function policyOrganisation(target: RoutingTarget): PolicyOrganisation {
  const { organisation } = target;
  return {
    id: organisation.id,
    name: organisation.name,
    relation: organisation.relation,
    communities: organisation.communities,
    status: organisation.status,
    accreditations: organisation.accreditations,
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
export function policyKey(key: DirectoryKey | null, reading?: KeyReading): PolicyKey | null {
  if (!key) return null;
  return {
    fingerprint: key.fingerprint,
    expiresAt: reading ? reading.expiresAt : key.expiresAt,
    revoked: key.revokedAt !== null || (reading?.revoked ?? false),
    canEncrypt: reading?.canEncrypt ?? true,
    algorithm: key.algorithm,
    bits: key.bits,
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

/** What the engine decided for one target, and the key an allowed delivery is encrypted to. */
export interface TargetDecision {
  readonly target: RoutingTarget;
  readonly decision: Decision;
  /** Null when denied, and for TLP:CLEAR to a recipient without a usable key (sent signed only). */
  readonly keyFingerprint: string | null;
}

/**
 * The engine's answer for every target: what routing stores and what a preview shows, computed
 * by the same code so that a preview never differs from what publishing would do.
 */
export function decideForTargets(
  subject: PolicyItem,
  targets: readonly RoutingTarget[],
  team: PolicyTeam,
  now: Date,
): TargetDecision[] {
  const prepared = prepare(subject, team);
  return targets.map((target) => {
    const key = policyKey(target.key);
    const decision = prepared.decide(policyOrganisation(target), policyChannel(target, key), now);
    return { target, decision, keyFingerprint: decision.allow && canEncryptTo(key, now) ? key.fingerprint : null };
  });
}
