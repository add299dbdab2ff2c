import type { ChannelKind, DeliveryKind, DeliveryState } from '@tlp-broker/domain';
import type {
  ChannelEntity,
  DeliveryEntity,
  ItemEntity,
  ItemVersionEntity,
  RecipientKeyEntity,
  DeliveryTarget,
} from '@tlp-broker/persistence';
import type { TlpLabel } from '@tlp-broker/tlp';

/** Domain objects for the dispatcher's unit tests, built in memory (nothing here touches a database). */

export const ORGANISATION_ID = 'org-1';

export function aTarget(
  options: { kind?: ChannelKind; key?: boolean; suspended?: 'organisation' | 'channel'; id?: string } = {},
): DeliveryTarget {
  const kind = options.kind ?? 'feed';
  const key = options.key ?? true;
  return {
    organisation: {
      id: ORGANISATION_ID,
      name: 'CERT-EU',
      kind: 'cert',
      country: null,
      relation: 'peer',
      communities: ['eu-csirt'],
      accreditations: [],
      status: options.suspended === 'organisation' ? 'suspended' : 'active',
    } as unknown as DeliveryTarget['organisation'],
    contact: null,
    channel: {
      id: options.id ?? `channel-${kind}`,
      organisationId: ORGANISATION_ID,
      contactId: null,
      kind,
      redistributes: false,
      address: kind === 'email' ? 'soc@cert.example' : kind === 'webhook' ? 'https://cert.example/hook' : null,
      secret: kind === 'webhook' ? 'hook-secret' : null,
      keyId: key ? 'key-1' : null,
      status: options.suspended === 'channel' ? 'suspended' : 'active',
    } as ChannelEntity,
    key: key
      ? ({
          id: 'key-1',
          organisationId: ORGANISATION_ID,
          contactId: null,
          fingerprint: 'RECIPIENTFP',
          version: 4,
          algorithm: 'eddsa',
          bits: null,
          keyCreatedAt: new Date('2024-01-01T00:00:00Z'),
          expiresAt: null,
          revokedAt: null,
          armored: 'recipient armored key',
        } as unknown as RecipientKeyEntity)
      : null,
  };
}

export function anItem(overrides: Partial<ItemEntity> = {}): ItemEntity {
  return {
    id: 'item-1',
    kind: 'advisory',
    state: 'published',
    currentVersion: 1,
    retractionNotice: null,
    ...overrides,
  } as ItemEntity;
}

export function aVersion(overrides: Partial<ItemVersionEntity> & { tlp?: TlpLabel } = {}): ItemVersionEntity {
  return {
    id: 'version-1',
    itemId: 'item-1',
    version: 1,
    title: 'Phishing wave',
    summary: '',
    body: 'body',
    tlp: 'TLP:AMBER',
    pap: null,
    audience: { communities: [], organisations: [ORGANISATION_ID], contacts: [] },
    severity: null,
    caveats: [],
    indicators: [],
    provenance: null,
    releaseAt: null,
    createdAt: new Date('2030-01-01T00:00:00Z'),
    ...overrides,
  } as ItemVersionEntity;
}

export function aDelivery(
  overrides: { id?: string; kind?: DeliveryKind; state?: DeliveryState; decisionId?: string | null } = {},
): DeliveryEntity {
  const kind = overrides.kind ?? 'item';
  return {
    id: overrides.id ?? 'delivery-1',
    kind,
    decisionId: overrides.decisionId !== undefined ? overrides.decisionId : kind === 'item' ? 'decision-1' : null,
    itemVersionId: 'version-1',
    channelId: 'channel-feed',
    organisationId: ORGANISATION_ID,
    contactId: null,
    state: overrides.state ?? 'queued',
    attempts: 0,
  } as DeliveryEntity;
}
