import { isUrgent, UrgencyRule } from '@tlp-broker/domain';
import {
  canEncryptTo,
  Decision,
  decideAll,
  DutyContext,
  PolicyChannel,
  PolicyItem,
  PolicyKey,
  PolicyOrganisation,
  PolicyTeam,
  prepare,
} from '@tlp-broker/tlp';
import { ItemEntity, ItemVersionEntity } from './entities';
import { DirectoryKey, RoutingTarget } from './partner-directory';

/** What the policy engine sees of an item version; whether it is urgent, by the broker's rule. */
export function policyItem(
  item: Pick<ItemEntity, 'kind'>,
  version: Pick<ItemVersionEntity, 'tlp' | 'pap' | 'audience' | 'caveats' | 'provenance'> &
    Partial<Pick<ItemVersionEntity, 'severity'>>,
  urgency: UrgencyRule,
): PolicyItem {
  return {
    kind: item.kind,
    urgent: isUrgent(item.kind, version.severity ?? null, urgency),
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

export function policyOrganisation(target: RoutingTarget, duty: DutyContext | null = null): PolicyOrganisation {
  const { organisation } = target;
  return {
    duty,
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
    onCall: channel.onCall,
  };
}

/** What the engine decided for one target, and the key an allowed delivery is encrypted to. */
export interface TargetDecision {
  readonly target: RoutingTarget;
  readonly decision: Decision;
  /** Null when denied, and for TLP:CLEAR to a recipient without a usable key (sent signed only). */
  readonly keyFingerprint: string | null;
}

/** Whether each organisation's on-call channels are wanted, by organisation id (absent: not wanted). */
export type DutyByOrganisation = ReadonlyMap<string, DutyContext>;

/**
 * The engine's answer for every target: what routing stores and what a preview shows, computed
 * by the same code so that a preview never differs from what publishing would do.
 */
export function decideForTargets(
  subject: PolicyItem,
  targets: readonly RoutingTarget[],
  team: PolicyTeam,
  now: Date,
  duty: DutyByOrganisation = new Map(),
): TargetDecision[] {
  const keys = targets.map((target) => policyKey(target.key));
  const recipients = targets.map((target, index) => ({
    organisation: policyOrganisation(target, duty.get(target.organisation.id) ?? null),
    channel: policyChannel(target, keys[index]!),
  }));
  const decisions = decideAll(prepare(subject, team), recipients, now);
  return targets.map((target, index) => {
    const key = keys[index]!;
    const decision = decisions[index]!;
    return { target, decision, keyFingerprint: decision.allow && canEncryptTo(key, now) ? key.fingerprint : null };
  });
}

/** Organisations with an active on-call channel or paging hook among `targets`: those whose hours matter. */
export function onCallOrganisations(targets: readonly RoutingTarget[]): string[] {
  const ids = new Set<string>();
  for (const { channel, organisation } of targets)
    if (channel.onCall && channel.status === 'active' && organisation.status === 'active') ids.add(organisation.id);
  return [...ids];
}
