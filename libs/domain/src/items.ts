/** What the team publishes. */
export const ITEM_KINDS = [
  'alert',
  'advisory',
  'intel-report',
  'threat-datasheet',
  'announcement',
  'annual-report',
] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** An item's life: waiting for a second person, under embargo, out, withdrawn. */
export const ITEM_STATES = ['draft', 'pending-approval', 'scheduled', 'published', 'retracted'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Observables an item may carry; each has a canonical written form (see @tlp-broker/stix). */
export const INDICATOR_TYPES = ['ipv4', 'ipv6', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export interface Indicator {
  readonly type: IndicatorType;
  readonly value: string;
  readonly description?: string;
}

/** Who an item is addressed to: communities (TLP:GREEN), organisations (AMBER), named contacts (RED). */
export interface Audience {
  readonly communities: readonly string[];
  readonly organisations: readonly string[];
  readonly contacts: readonly string[];
}

/** Which items are urgent: of these types, or of these severities (URGENT_ITEM_TYPES, URGENT_SEVERITIES). */
export interface UrgencyRule {
  readonly kinds: readonly ItemKind[];
  readonly severities: readonly Severity[];
}

/** By default an alert, or anything of critical or high severity, is urgent. */
export const DEFAULT_URGENCY: UrgencyRule = { kinds: ['alert'], severities: ['critical', 'high'] };

export function isUrgent(kind: ItemKind, severity: Severity | null, rule: UrgencyRule): boolean {
  return rule.kinds.includes(kind) || (severity !== null && rule.severities.includes(severity));
}

export function isItemKind(value: unknown): value is ItemKind {
  return typeof value === 'string' && (ITEM_KINDS as readonly string[]).includes(value);
}
