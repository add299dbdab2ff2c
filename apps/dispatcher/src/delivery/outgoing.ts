import type { TeamKeyService } from '@tlp-broker/crypto';
import type {
  DeliveryEntity,
  ItemEntity,
  ItemVersionEntity,
  DeliveryTarget,
  KeyReading,
  RoutingTarget,
} from '@tlp-broker/persistence';
import type { TlpLabel } from '@tlp-broker/tlp';
import type { DeliveryKind } from '@tlp-broker/domain';

/** What carrying out a delivery came to: `already-done` when it was no longer open (another worker's, or finished). */
export type DeliveryOutcome = 'delivered' | 'cancelled' | 'already-done';

/** The team's signing key, as `TeamKeyService.current()` gives it. */
export type TeamSigningKey = Awaited<ReturnType<TeamKeyService['current']>>['key'];

/** Who signs what the broker sends, as its documents name them. */
export interface Publisher {
  readonly name: string;
  readonly fingerprint: string;
}

/** Everything one delivery is checked against and built from, read as it is carried out. */
export interface DeliveryContext {
  readonly delivery: DeliveryEntity;
  readonly target: DeliveryTarget;
  readonly item: ItemEntity;
  readonly version: ItemVersionEntity;
  /** A fresh reading of the recipient's key (revocation, expiry); absent when the channel has no key. */
  readonly reading: KeyReading | undefined;
  /** The sealed payload addressed to the recipient's key when the key was read (null: the key is not usable now). */
  readonly addressed?: string | null;
  readonly teamKey: TeamSigningKey;
  readonly publisher: Publisher;
  /** The time the rules are applied at. */
  readonly now: Date;
}

/** Why a delivery stops before it leaves, and the reason code recorded with it. */
export interface Cancellation {
  readonly cancel: string;
  readonly code: string;
}

/** What is sent: the armored message (null only for a keyless TLP:CLEAR channel) and what describes it. */
export interface Outgoing {
  readonly target: DeliveryTarget;
  readonly item: ItemEntity;
  readonly version: ItemVersionEntity;
  readonly entry: DeliveryKind;
  readonly tlp: TlpLabel;
  readonly handling: string | null;
  readonly message: string | null;
  /** The key `message` is encrypted to; null when it goes signed only (TLP:CLEAR without a usable key). */
  readonly keyFingerprint: string | null;
  /** The MIME entity to sign for e-mail when there is no usable key (TLP:CLEAR only). */
  readonly clearEntity: () => string;
  /** The webhook body's fields besides the delivery's identity. */
  readonly webhookFields: Record<string, unknown>;
}

export type Prepared = Outgoing | Cancellation;

export function isCancellation<T extends object>(prepared: T | Cancellation): prepared is Cancellation {
  return 'cancel' in prepared;
}

/** E-mail carries a MIME entity; feeds and webhooks carry the JSON document. */
export function formFor(target: RoutingTarget): 'mime' | 'document' {
  return target.channel.kind === 'email' ? 'mime' : 'document';
}

/** When a version was released to its audience: its embargo's end, its approval, or its writing. */
export function releasedAt(version: Pick<ItemVersionEntity, 'releaseAt' | 'approvedAt' | 'createdAt'>): Date {
  return version.releaseAt ?? version.approvedAt ?? version.createdAt;
}
