import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { mispAttributeType } from './indicators';
import { ItemContent, itemReference, Publisher, SealedCopy, STIX_NAMESPACE } from './stix';

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

const TLP_TAG: Readonly<Record<string, { name: string; colour: string }>> = {
  'TLP:CLEAR': { name: 'tlp:clear', colour: '#ffffff' },
  'TLP:GREEN': { name: 'tlp:green', colour: '#339900' },
  'TLP:AMBER': { name: 'tlp:amber', colour: '#FFC000' },
  'TLP:AMBER+STRICT': { name: 'tlp:amber+strict', colour: '#FFC000' },
  'TLP:RED': { name: 'tlp:red', colour: '#CC0033' },
};

const THREAT_LEVEL: Readonly<Record<string, string>> = { critical: '1', high: '1', medium: '2', low: '3' };

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
  readonly data?: string;
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
export type MispManifestEntry = Pick<MispEvent, 'info' | 'Orgc' | 'analysis' | 'timestamp' | 'date' | 'threat_level_id'> & { readonly Tag: readonly Omit<MispTag, 'exportable'>[] };

export function mispEventUuid(itemId: string): string {
  return uuidv5(`misp-event:${itemId}`, STIX_NAMESPACE);
}

function tags(tlp: string, pap: string | null, recall: boolean): MispTag[] {
  const tlpTag = TLP_TAG[tlp];
  if (!tlpTag) throw new Error(`no MISP tag for ${tlp}`);
  return [
    { ...tlpTag, exportable: true },
    ...(pap ? [{ name: pap, colour: '#000000', exportable: true }] : []),
    ...(recall ? [{ name: 'tlp-broker:recalled', colour: '#CC0033', exportable: true }] : []),
  ];
}

const seconds = (date: Date) => String(Math.floor(date.getTime() / 1000));
const day = (date: Date) => date.toISOString().slice(0, 10);

function header(publisher: Publisher, base: { itemId: string; tlp: string; pap: string | null; modifiedAt: Date; severity: string | null }, info: string, recall: boolean) {
  return {
    uuid: mispEventUuid(base.itemId),
    info,
    date: day(base.modifiedAt),
    timestamp: seconds(base.modifiedAt),
    publish_timestamp: seconds(base.modifiedAt),
    published: true as const,
    analysis: '2' as const,
    threat_level_id: (base.severity && THREAT_LEVEL[base.severity]) || '4',
    distribution: MISP_DISTRIBUTION[base.tlp],
    Orgc: { name: publisher.name, uuid: uuidv5(`misp-org:${publisher.name}`, STIX_NAMESPACE) },
    Tag: tags(base.tlp, base.pap, recall),
  };
}

/** A TLP:CLEAR item version as a MISP event: one attribute per indicator. */
export function clearEvent(item: ItemContent & { severity: string | null }, publisher: Publisher): MispEvent {
  return {
    ...header(publisher, { ...item }, item.title, false),
    Attribute: item.indicators.map((indicator) => ({
      uuid: uuidv5(`misp-attribute:${item.itemId}:${indicator.type}:${indicator.value}`, STIX_NAMESPACE),
      ...mispAttributeType(indicator.type),
      value: indicator.value,
      to_ids: true,
      distribution: '5' as const,
      timestamp: seconds(item.modifiedAt),
      comment: indicator.description ?? '',
    })),
  };
}

/**
 * A recipient's sealed copy (or recall notice) as a MISP event: its info names the item by
 * reference only, and its one attribute is the OpenPGP message encrypted to the recipient.
 */
export function sealedEvent(copy: SealedCopy & { severity: string | null }, publisher: Publisher): MispEvent {
  const reference = itemReference(copy);
  const file = `tlp-broker-${copy.itemId}-v${copy.version}${copy.recall ? '-recall' : ''}.asc`;
  return {
    ...header(publisher, copy, copy.recall ? `RECALL: ${reference}` : reference, copy.recall ?? false),
    Attribute: [
      {
        uuid: uuidv5(`misp-attachment:${copy.deliveryId}`, STIX_NAMESPACE),
        type: 'attachment',
        category: 'External analysis',
        value: file,
        data: Buffer.from(copy.armoredMessage, 'utf8').toString('base64'),
        to_ids: false,
        distribution: '5',
        timestamp: seconds(copy.modifiedAt),
        comment: copy.recall
          ? `Recall notice signed by ${publisher.name}, encrypted to your OpenPGP key ${copy.keyFingerprint}: delete this item.`
          : `Signed by ${publisher.name}, encrypted to your OpenPGP key ${copy.keyFingerprint}: gpg --decrypt ${file}`,
      },
    ],
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

/** hashes.csv lines: the MD5 of each attribute value, then the event's uuid. */
export function hashLines(event: MispEvent): string[] {
  return event.Attribute.map((attribute) => `${createHash('md5').update(attribute.value, 'utf8').digest('hex')},${event.uuid}`);
}
