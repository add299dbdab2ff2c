import type { ChannelKind, DeliveryKind, DeliveryState, Indicator, ItemKind, Severity } from '@tlp-broker/domain';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';

/** A delivery as staff see it: the item version, the recipient and channel, the state and its history. */
export interface DeliveryOverview {
  readonly id: string;
  readonly kind: DeliveryKind;
  readonly itemId: string;
  readonly version: number;
  readonly itemType: ItemKind;
  readonly tlp: TlpLabel;
  readonly organisationId: string;
  readonly organisation: string;
  readonly contact: string | null;
  readonly channelId: string;
  readonly channelKind: ChannelKind;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly reason: string | null;
  readonly keyFingerprint: string | null;
  readonly messageId: string | null;
  readonly queuedAt: Date;
  readonly updatedAt: Date;
  readonly deliveredAt: Date | null;
}

export interface DeliveryOverviewFilter {
  readonly state?: DeliveryState;
  readonly itemId?: string;
  readonly kind?: DeliveryKind;
}

export const OVERVIEW_SELECT = `
  SELECT d.id, d.kind, d.reason, d.message_id, i.id AS item_id, v.version, i.kind AS item_type, v.tlp, o.id AS organisation_id, o.name AS organisation,
         c.name AS contact, ch.id AS channel_id, ch.kind AS channel_kind, d.state, d.attempts, d.last_error,
         d.key_fingerprint, d.queued_at, d.updated_at, d.delivered_at
    FROM deliveries d
    JOIN item_versions v ON v.id = d.item_version_id
    JOIN items i ON i.id = v.item_id
    JOIN organisations o ON o.id = d.organisation_id
    JOIN channels ch ON ch.id = d.channel_id
    LEFT JOIN contacts c ON c.id = d.contact_id`;

export interface OverviewRow {
  id: string;
  kind: DeliveryKind;
  reason: string | null;
  message_id: string | null;
  item_id: string;
  version: number;
  item_type: ItemKind;
  tlp: TlpLabel;
  organisation_id: string;
  organisation: string;
  contact: string | null;
  channel_id: string;
  channel_kind: ChannelKind;
  state: DeliveryState;
  attempts: number;
  last_error: string | null;
  key_fingerprint: string | null;
  queued_at: Date;
  updated_at: Date;
  delivered_at: Date | null;
}

export function toOverview(row: OverviewRow): DeliveryOverview {
  return {
    id: row.id,
    kind: row.kind,
    itemId: row.item_id,
    version: row.version,
    itemType: row.item_type,
    tlp: row.tlp,
    organisationId: row.organisation_id,
    organisation: row.organisation,
    contact: row.contact,
    channelId: row.channel_id,
    channelKind: row.channel_kind,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    reason: row.reason,
    keyFingerprint: row.key_fingerprint,
    messageId: row.message_id,
    queuedAt: row.queued_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  };
}

/**
 * One step of what a channel was handed of an item: a delivered (or since recalled) item version,
 * or a recall notice that reached its feed. A recall carries its feed entry's label and time and
 * nothing of the version it names.
 */
export interface ServedDelivery {
  readonly itemId: string;
  readonly deliveryId: string;
  readonly entry: DeliveryKind;
  readonly version: number;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly severity: Severity | null;
  /** The version's release, or when the recall notice was written to the feed. */
  readonly at: Date;
  /** The indicators of a TLP:CLEAR item version (served in the clear); none otherwise. */
  readonly clearIndicators: readonly Indicator[];
}

/**
 * $1 channel, $2 item ids, $3 the recall kind, $4 the item kind, $5 the label served in the clear,
 * $6 the states of an item delivery the channel was handed.
 */
export const SERVED_SELECT = `
  SELECT d.id AS delivery_id, d.kind AS entry, v.item_id, v.version,
         CASE WHEN d.kind = $3 THEN f.tlp ELSE v.tlp END AS tlp,
         CASE WHEN d.kind = $3 THEN NULL ELSE v.pap END AS pap,
         CASE WHEN d.kind = $3 THEN NULL ELSE v.severity END AS severity,
         CASE WHEN d.kind = $3 THEN f.created_at ELSE v.created_at END AS at,
         CASE WHEN d.kind = $4 AND v.tlp = $5 THEN v.indicators END AS indicators
    FROM deliveries d
    JOIN item_versions v ON v.id = d.item_version_id
    LEFT JOIN feed_entries f ON f.delivery_id = d.id
   WHERE d.channel_id = $1 AND v.item_id = ANY($2::uuid[])
     AND ((d.kind = $4 AND d.state = ANY($6::text[])) OR (d.kind = $3 AND f.seq IS NOT NULL))`;

export interface ServedRow {
  delivery_id: string;
  entry: DeliveryKind;
  item_id: string;
  version: number;
  tlp: TlpLabel;
  pap: PapLabel | null;
  severity: Severity | null;
  at: Date;
  indicators: Indicator[] | null;
}

export function toServed(row: ServedRow): ServedDelivery {
  return {
    itemId: row.item_id,
    deliveryId: row.delivery_id,
    entry: row.entry,
    version: Number(row.version),
    tlp: row.tlp,
    pap: row.pap,
    severity: row.severity,
    at: row.at,
    clearIndicators: row.indicators ?? [],
  };
}
