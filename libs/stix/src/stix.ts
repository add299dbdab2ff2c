import { v4 as uuidv4, v5 as uuidv5 } from 'uuid';
import type { Indicator } from '@tlp-broker/domain';
import { stixPattern } from './indicators';
import { markingRefs } from './markings';
import type { IndicatorVersion } from './history';
import type { TlpLabel, PapLabel } from '@tlp-broker/tlp';
import type { ItemKind } from '@tlp-broker/domain';

/** The namespace of every deterministic id tlp-broker gives a STIX object (UUIDv5). */
export const STIX_NAMESPACE = '6f1c1d5e-9a3b-5c2e-8d47-2b1e3f0a9c61';

export type StixObject = Record<string, unknown> & { readonly type: string; readonly id: string };

export interface Bundle {
  readonly [property: string]: unknown;
  readonly type: 'bundle';
  readonly id: string;
  readonly objects: readonly StixObject[];
}

/** The team that publishes: the `created_by_ref` of everything it serves. */
export interface Publisher {
  readonly name: string;
  /** When the team's identity came to be (its first key): the identity's `created`. */
  readonly since: Date;
  readonly contactEmail?: string;
}

/** One version of an item, as its readers may see it (TLP:CLEAR items, or a recipient's own copy). */
export interface ItemContent {
  readonly itemId: string;
  readonly version: number;
  readonly kind: ItemKind;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly title: string;
  readonly summary: string;
  readonly body: string;
  /** With `generation` when served after a revocation of the same indicator (see `servedHistory`). */
  readonly indicators: readonly (Indicator & { readonly generation?: number })[];
  /** How many recalls of the item this reader had before: a revoked report is never versioned again, so the id changes. */
  readonly generation?: number;
  /** The item's first release. */
  readonly createdAt: Date;
  /** This version's release. */
  readonly modifiedAt: Date;
  /** A recall: the item was retracted, or withdrawn from this reader. */
  readonly revoked?: boolean;
}

/** A copy of an item encrypted to one recipient, described without its content. */
export interface SealedCopy {
  readonly itemId: string;
  readonly version: number;
  readonly kind: ItemKind;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly createdAt: Date;
  readonly modifiedAt: Date;
  readonly deliveryId: string;
  /** The ASCII-armored OpenPGP message (signed by the team, encrypted to the recipient). */
  readonly armoredMessage: string;
  readonly keyFingerprint: string;
  readonly revoked?: boolean;
  readonly recall?: boolean;
  readonly generation?: number;
}

const stamp = (date: Date) => date.toISOString();
const id = (type: string, name: string) => `${type}--${uuidv5(name, STIX_NAMESPACE)}`;

export function identityId(publisher: Pick<Publisher, 'name'>): string {
  return id('identity', `identity:${publisher.name}`);
}

export function identity(publisher: Publisher): StixObject {
  return {
    type: 'identity',
    spec_version: '2.1',
    id: identityId(publisher),
    created: stamp(publisher.since),
    modified: stamp(publisher.since),
    name: publisher.name,
    identity_class: 'organization',
    sectors: ['government-public-services'],
    ...(publisher.contactEmail ? { contact_information: publisher.contactEmail } : {}),
  };
}

/**
 * The STIX id of an item: the same for all its versions (STIX versioning is by `modified`) until a
 * recall revokes it; a revoked object may have no later version, so what follows gets a new id.
 */
export function itemStixId(itemId: string, kind: ItemKind, generation = 0): string {
  return id(kind === 'announcement' ? 'note' : 'report', `item:${itemId}${generation > 0 ? `:${generation}` : ''}`);
}

export function indicatorId(itemId: string, indicator: Indicator & { readonly generation?: number }): string {
  const generation = indicator.generation ?? 0;
  return id(
    'indicator',
    `indicator:${itemId}:${indicator.type}:${indicator.value}${generation > 0 ? `:${generation}` : ''}`,
  );
}

export function artifactId(deliveryId: string): string {
  return id('artifact', `delivery:${deliveryId}`);
}

/** `[TLP:AMBER] advisory 3f2a9c1e v2`: names an item without saying anything of its content. */
export function itemReference(copy: { tlp: TlpLabel; kind: ItemKind; itemId: string; version: number }): string {
  return `[${copy.tlp}] ${copy.kind} ${copy.itemId.replace(/-/g, '').slice(0, 8)} v${copy.version}`;
}

/**
 * An item in the clear: a `report` (a `note` for announcements) referring to one `indicator` per
 * indicator, all marked with the item's TLP (and PAP) and created by the team.
 */
export function itemObjects(item: ItemContent, publisher: Publisher): StixObject[] {
  const creator = identityId(publisher);
  const markings = markingRefs(item.tlp, item.pap);
  const common = {
    spec_version: '2.1',
    created_by_ref: creator,
    object_marking_refs: markings,
    ...(item.revoked ? { revoked: true } : {}),
  };
  const indicators = item.indicators.map((indicator) =>
    indicatorObject(item.itemId, indicator, {
      creator,
      markings,
      created: item.createdAt,
      modified: item.modifiedAt,
      validFrom: item.modifiedAt,
      revoked: item.revoked ?? false,
    }),
  );
  const refs = indicators.length > 0 ? indicators.map((indicator) => indicator.id) : [creator];
  const text = [item.summary, item.body].filter((part) => part.trim() !== '').join('\n\n');
  const main =
    item.kind === 'announcement'
      ? {
          type: 'note',
          abstract: item.title,
          content: text || item.title,
          authors: [publisher.name],
          object_refs: refs,
        }
      : {
          type: 'report',
          name: item.title,
          description: text,
          report_types: ['threat-report'],
          published: stamp(item.modifiedAt),
          object_refs: refs,
        };
  return [
    {
      ...main,
      id: itemStixId(item.itemId, item.kind, item.generation),
      ...common,
      created: stamp(item.createdAt),
      modified: stamp(item.modifiedAt),
      labels: [item.kind],
      external_references: [{ source_name: 'tlp-broker', external_id: `${item.itemId}/v${item.version}` }],
    },
    ...indicators,
  ];
}

function indicatorObject(
  itemId: string,
  indicator: Indicator & { readonly generation?: number },
  version: { creator: string; markings: string[]; created: Date; modified: Date; validFrom: Date; revoked: boolean },
): StixObject {
  return {
    type: 'indicator',
    id: indicatorId(itemId, indicator),
    spec_version: '2.1',
    created_by_ref: version.creator,
    object_marking_refs: version.markings,
    ...(version.revoked ? { revoked: true } : {}),
    created: stamp(version.created),
    modified: stamp(version.modified),
    name: indicator.value,
    ...(indicator.description ? { description: indicator.description } : {}),
    indicator_types: ['malicious-activity'],
    pattern: stixPattern(indicator),
    pattern_type: 'stix',
    pattern_version: '2.1',
    valid_from: stamp(version.validFrom),
  };
}

/**
 * Indicator versions as served (`servedHistory`): a revoked one tells a reader that already holds
 * the indicator (OpenCTI keeps what it ingested) that the team no longer stands by it.
 */
export function indicatorVersionObjects(
  itemId: string,
  itemCreatedAt: Date,
  versions: readonly IndicatorVersion[],
  publisher: Pick<Publisher, 'name'>,
): StixObject[] {
  const creator = identityId(publisher);
  return versions.map((version) =>
    indicatorObject(itemId, version.indicator, {
      creator,
      markings: markingRefs(version.tlp, version.pap),
      created: itemCreatedAt,
      modified: version.modified,
      validFrom: version.validFrom,
      revoked: version.revoked,
    }),
  );
}

/**
 * A recipient's sealed copy: the report names the item only by its reference and refers to an
 * `artifact` whose payload is the OpenPGP message encrypted to the recipient's key. Nobody but the
 * holder of that key reads the content, as with e-mail.
 */
export function sealedObjects(copy: SealedCopy, publisher: Publisher): StixObject[] {
  const creator = identityId(publisher);
  const markings = markingRefs(copy.tlp, copy.pap);
  const artifact: StixObject = {
    type: 'artifact',
    spec_version: '2.1',
    id: artifactId(copy.deliveryId),
    mime_type: 'application/pgp-encrypted',
    // The ASCII-armored message itself: `base64 -d | gpg --decrypt` opens it.
    payload_bin: Buffer.from(copy.armoredMessage, 'utf8').toString('base64'),
    encryption_algorithm: 'mime-type-indicated',
    object_marking_refs: markings,
  };
  const what = copy.recall ? 'a recall notice for this item' : `version ${copy.version} of this item`;
  // A recall revokes the report; the artifact beside it is a cyber-observable, which STIX cannot
  // revoke (SCOs have no `revoked`), so the report alone carries the withdrawal.
  const report: StixObject = {
    type: copy.kind === 'announcement' ? 'note' : 'report',
    id: itemStixId(copy.itemId, copy.kind, copy.generation),
    spec_version: '2.1',
    created_by_ref: creator,
    created: stamp(copy.createdAt),
    modified: stamp(copy.modifiedAt),
    ...(copy.kind === 'announcement'
      ? {
          abstract: itemReference(copy),
          content: `Encrypted: the artifact holds ${what}, signed by ${publisher.name} and encrypted to your OpenPGP key ${copy.keyFingerprint}.`,
          authors: [publisher.name],
        }
      : {
          name: itemReference(copy),
          description: `Encrypted: the artifact holds ${what}, signed by ${publisher.name} and encrypted to your OpenPGP key ${copy.keyFingerprint}.`,
          report_types: ['threat-report'],
          published: stamp(copy.modifiedAt),
        }),
    object_refs: [artifact.id],
    object_marking_refs: markings,
    labels: [copy.kind],
    external_references: [{ source_name: 'tlp-broker', external_id: `${copy.itemId}/v${copy.version}` }],
    ...(copy.revoked ? { revoked: true } : {}),
  };
  return [report, artifact];
}

export function bundle(objects: readonly StixObject[]): Bundle {
  return { type: 'bundle', id: `bundle--${uuidv4()}`, objects };
}
