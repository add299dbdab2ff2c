import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import type { Indicator, Severity } from '@tlp-broker/domain';
import { mispAttributeType } from './indicators';
import type { ServedAttachment } from './history';
import { ItemContent, itemReference, Publisher, SealedCopy, STIX_NAMESPACE } from './stix';
import type { TlpLabel, PapLabel } from '@tlp-broker/tlp';

/**
 * MISP feed events. Distribution keeps a MISP instance that pulls the feed from sharing wider
 * than the label allows: TLP:CLEAR all communities (3), TLP:GREEN this community only (1), TLP:AMBER
 * and above your organisation only (0); attributes inherit the event's (5).
 */
export const MISP_DISTRIBUTION: Readonly<Record<string, string>> = {
  'TLP:CLEAR': '3',
  'TLP:GREEN': '1',
  'TLP:AMBER': '0',
  'TLP:AMBER+STRICT': '0',
  'TLP:RED': '0',
};

/** As MISP's own taxonomies define them (misp-taxonomies tlp v10 and PAP v3): a MISP that creates the tag shows it as its taxonomy does. */
const TLP_TAG: Readonly<Record<string, { name: string; colour: string }>> = {
  'TLP:CLEAR': { name: 'tlp:clear', colour: '#ffffff' },
  'TLP:GREEN': { name: 'tlp:green', colour: '#33FF00' },
  'TLP:AMBER': { name: 'tlp:amber', colour: '#FFC000' },
  'TLP:AMBER+STRICT': { name: 'tlp:amber+strict', colour: '#FFC000' },
  'TLP:RED': { name: 'tlp:red', colour: '#FF2B2B' },
};

const PAP_COLOUR: Readonly<Record<string, string>> = {
  'PAP:CLEAR': '#ffffff',
  'PAP:GREEN': '#33ff00',
  'PAP:AMBER': '#ffc000',
  'PAP:RED': '#ff2b2b',
};

const THREAT_LEVEL: Readonly<Record<Severity, string>> = { critical: '1', high: '1', medium: '2', low: '3' };

export interface MispTag {
  readonly name: string;
  readonly colour: string;
  readonly exportable: boolean;
}

export interface MispAttribute {
  readonly uuid: string;
  readonly type: string;
  readonly category: string;
  readonly value: string;
  readonly to_ids: boolean;
  readonly distribution: '5';
  readonly timestamp: string;
  readonly comment: string;
  /**
   * MISP's feed reader applies `deleted` to an attribute it already holds when the attribute's
   * timestamp is newer (Event::_edit → editAttribute), and stores it deleted when it first sees it.
   */
  readonly deleted: boolean;
  readonly data?: string;
}

/**
 * How an event is served after earlier ones: its timestamp (MISP pulls an event again only when the
 * manifest's timestamp is greater than its copy's) and the attributes served before that it no
 * longer holds, which it lists again as deleted (MISP keeps attributes an update leaves out).
 */
export interface MispServing {
  readonly timestamp: number;
  readonly withdrawn: {
    readonly indicators: readonly Indicator[];
    readonly attachments: readonly ServedAttachment[];
  };
}

export interface MispEvent {
  readonly uuid: string;
  readonly info: string;
  readonly date: string;
  readonly timestamp: string;
  readonly publish_timestamp: string;
  readonly published: true;
  readonly analysis: '2';
  readonly threat_level_id: string;
  readonly distribution: string;
  readonly Orgc: { readonly name: string; readonly uuid: string };
  readonly Tag: readonly MispTag[];
  readonly Attribute: readonly MispAttribute[];
}

/** What manifest.json says of an event. */
export type MispManifestEntry = Pick<
  MispEvent,
  'info' | 'Orgc' | 'analysis' | 'timestamp' | 'date' | 'threat_level_id'
> & { readonly Tag: readonly Omit<MispTag, 'exportable'>[] };

export function mispEventUuid(itemId: string): string {
  return uuidv5(`misp-event:${itemId}`, STIX_NAMESPACE);
}

function tags(tlp: TlpLabel, pap: PapLabel | null, recall: boolean): MispTag[] {
  const tlpTag = TLP_TAG[tlp];
  if (!tlpTag) throw new Error(`no MISP tag for ${tlp}`);
  return [
    { ...tlpTag, exportable: true },
    ...(pap ? [{ name: pap, colour: PAP_COLOUR[pap] ?? '#000000', exportable: true }] : []),
    ...(recall ? [{ name: 'tlp-broker:recalled', colour: '#CC0033', exportable: true }] : []),
  ];
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const day = (date: Date) => date.toISOString().slice(0, 10);

function header(
  publisher: Publisher,
  base: { itemId: string; tlp: TlpLabel; pap: PapLabel | null; modifiedAt: Date; severity: Severity | null },
  info: string,
  recall: boolean,
  timestamp: number,
) {
  return {
    uuid: mispEventUuid(base.itemId),
    info,
    date: day(base.modifiedAt),
    timestamp: String(timestamp),
    publish_timestamp: String(timestamp),
    published: true as const,
    analysis: '2' as const,
    threat_level_id: (base.severity && THREAT_LEVEL[base.severity]) || '4',
    distribution: MISP_DISTRIBUTION[base.tlp],
    Orgc: { name: publisher.name, uuid: uuidv5(`misp-org:${publisher.name}`, STIX_NAMESPACE) },
    Tag: tags(base.tlp, base.pap, recall),
  };
}

const indicatorUuid = (itemId: string, indicator: Indicator) =>
  uuidv5(`misp-attribute:${itemId}:${indicator.type}:${indicator.value}`, STIX_NAMESPACE);
const attachmentUuid = (deliveryId: string) => uuidv5(`misp-attachment:${deliveryId}`, STIX_NAMESPACE);
const attachmentFile = (itemId: string, version: number, recall: boolean) =>
  `tlp-broker-${itemId}-v${version}${recall ? '-recall' : ''}.asc`;

/** What was served before and is withdrawn now, as deleted attributes (no content beyond what the reader was given). */
function withdrawnAttributes(itemId: string, serving: MispServing): MispAttribute[] {
  const timestamp = String(serving.timestamp);
  return [
    ...serving.withdrawn.indicators.map((indicator) => ({
      uuid: indicatorUuid(itemId, indicator),
      ...mispAttributeType(indicator.type),
      value: indicator.value,
      to_ids: false,
      distribution: '5' as const,
      timestamp,
      comment: indicator.description ?? '',
      deleted: true,
    })),
    ...serving.withdrawn.attachments.map((attachment) => ({
      uuid: attachmentUuid(attachment.deliveryId),
      type: 'attachment',
      category: 'External analysis',
      value: attachmentFile(itemId, attachment.version, attachment.recall),
      to_ids: false,
      distribution: '5' as const,
      timestamp,
      comment: 'Withdrawn by a later version or recall of this item.',
      deleted: true,
    })),
  ];
}

const firstServing = (modifiedAt: Date): MispServing => ({
  timestamp: seconds(modifiedAt),
  withdrawn: { indicators: [], attachments: [] },
});

/** A TLP:CLEAR item version as a MISP event: one attribute per indicator. */
export function clearEvent(
  item: ItemContent & { severity: Severity | null },
  publisher: Publisher,
  serving: MispServing = firstServing(item.modifiedAt),
): MispEvent {
  return {
    ...header(publisher, { ...item }, item.title, false, serving.timestamp),
    Attribute: [
      ...item.indicators.map((indicator) => ({
        uuid: indicatorUuid(item.itemId, indicator),
        ...mispAttributeType(indicator.type),
        value: indicator.value,
        to_ids: true,
        distribution: '5' as const,
        timestamp: String(serving.timestamp),
        comment: indicator.description ?? '',
        deleted: false,
      })),
      ...withdrawnAttributes(item.itemId, serving),
    ],
  };
}

/**
 * A recipient's sealed copy (or recall notice) as a MISP event: its info names the item by
 * reference only, and its one attribute is the OpenPGP message encrypted to the recipient.
 */
export function sealedEvent(
  copy: SealedCopy & { severity: Severity | null },
  publisher: Publisher,
  serving: MispServing = firstServing(copy.modifiedAt),
): MispEvent {
  const reference = itemReference(copy);
  const file = attachmentFile(copy.itemId, copy.version, copy.recall ?? false);
  return {
    ...header(
      publisher,
      copy,
      copy.recall ? `RECALL: ${reference}` : reference,
      copy.recall ?? false,
      serving.timestamp,
    ),
    Attribute: [
      {
        uuid: attachmentUuid(copy.deliveryId),
        type: 'attachment',
        category: 'External analysis',
        value: file,
        data: Buffer.from(copy.armoredMessage, 'utf8').toString('base64'),
        to_ids: false,
        distribution: '5',
        timestamp: String(serving.timestamp),
        comment: copy.recall
          ? `Recall notice signed by ${publisher.name}, encrypted to your OpenPGP key ${copy.keyFingerprint}: delete this item.`
          : `Signed by ${publisher.name}, encrypted to your OpenPGP key ${copy.keyFingerprint}: gpg --decrypt ${file}`,
        deleted: false,
      },
      ...withdrawnAttributes(copy.itemId, serving),
    ],
  };
}

/**
 * An item recalled from a reader that opened its copies (the partner kit): the event tagged
 * `tlp-broker:recalled`, named by reference only, with every attribute it was served listed again
 * as deleted, so that a MISP that pulled it deletes them too.
 */
export function recalledEvent(
  recall: { itemId: string; kind: ItemContent['kind']; tlp: TlpLabel; version: number; severity: Severity | null },
  publisher: Publisher,
  serving: MispServing,
): MispEvent {
  const base = { ...recall, pap: null, modifiedAt: new Date(serving.timestamp * 1000) };
  return {
    ...header(publisher, base, `RECALL: ${itemReference(recall)}`, true, serving.timestamp),
    Attribute: withdrawnAttributes(recall.itemId, serving),
  };
}

export function manifestEntry(event: MispEvent): MispManifestEntry {
  return {
    info: event.info,
    Orgc: event.Orgc,
    analysis: event.analysis,
    timestamp: event.timestamp,
    date: event.date,
    threat_level_id: event.threat_level_id,
    Tag: event.Tag.map(({ name, colour }) => ({ name, colour })),
  };
}

/** hashes.csv lines: the MD5 of each attribute value still held (not deleted), then the event's uuid. */
export function hashLines(event: MispEvent): string[] {
  return event.Attribute.filter((attribute) => !attribute.deleted).map(
    (attribute) => `${createHash('md5').update(attribute.value, 'utf8').digest('hex')},${event.uuid}`,
  );
}
