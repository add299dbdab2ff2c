import type { ExtractedIndicatorValue, IndicatorType } from '@tlp-broker/domain';
import { parsePapLabel, parseTlpLabel, readMarkings, strictestPap, strictestTlp } from '@tlp-broker/tlp';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import { checkIndicator } from './indicators';
import { PAP_EXTENSION, PAP_MARKINGS, TLP_EXTENSION, TLP_MARKINGS } from './markings';

/**
 * What STIX objects and MISP events received from partners say about themselves: their label, their
 * PAP, their indicators and a title. The input is whatever a partner sent: unknown shapes give
 * nulls and empty lists, never an exception, and every count is bounded.
 */

/** What a batch of STIX 2.1 objects received from a partner says about itself. */
export interface StixReading {
  /** The most restrictive TLP marking on the objects (TLP 2.0 spelling), or null. */
  readonly tlp: TlpLabel | null;
  readonly pap: PapLabel | null;
  /** Ids of the objects (marking and extension definitions aside) that carry no TLP marking. */
  readonly unmarked: string[];
  readonly indicators: ExtractedIndicatorValue[];
  readonly title: string | null;
}

/** What a MISP event received from a partner says about itself. */
export interface MispReading {
  readonly tlp: TlpLabel | null;
  readonly pap: PapLabel | null;
  readonly indicators: ExtractedIndicatorValue[];
  readonly title: string | null;
}

const MAX_OBJECTS = 10_000;
const MAX_REFS = 100;
const MAX_INDICATORS = 1_000;
const MAX_PATTERN = 64 * 1024;
const MAX_TITLE = 300;
const MAX_STATEMENT = 4 * 1024;

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown, max: number): unknown[] => (Array.isArray(value) ? value.slice(0, max) : []);
const asString = (value: unknown): string | null => (typeof value === 'string' ? value : null);
/** A table entry by a key a partner chose ("constructor" is no entry). */
const entry = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

/** TLP 1.0 marking definitions (STIX 2.1 specification, section 7.2.1.4). */
const TLP_1_0: Readonly<Record<string, TlpLabel>> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'TLP:CLEAR',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'TLP:GREEN',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'TLP:AMBER',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'TLP:RED',
};
/** PAP:WHITE, the extension's older name for PAP:CLEAR. */
const PAP_WHITE = 'marking-definition--a3bea94c-b469-41dc-9cfe-d6e7daba7730';

interface Marking {
  readonly tlp: TlpLabel | null;
  readonly pap: PapLabel | null;
}

/** The well-known ids mean what the standards say, whatever a bundle's copy of them claims. */
const KNOWN_MARKINGS: ReadonlyMap<string, Marking> = new Map<string, Marking>([
  ...Object.entries(TLP_MARKINGS).map(([label, { id }]): [string, Marking] => [
    id,
    { tlp: label as TlpLabel, pap: null },
  ]),
  ...Object.entries(TLP_1_0).map(([id, label]): [string, Marking] => [id, { tlp: label, pap: null }]),
  ...Object.entries(PAP_MARKINGS).map(([label, { id }]): [string, Marking] => [
    id,
    { tlp: null, pap: label as PapLabel },
  ]),
  [PAP_WHITE, { tlp: null, pap: 'PAP:CLEAR' }],
]);

function both(a: Marking, b: Marking): Marking {
  return { tlp: strictestTlp(a.tlp, b.tlp), pap: strictestPap(a.pap, b.pap) };
}

const NO_MARKING: Marking = { tlp: null, pap: null };
const tlpWord = (word: unknown) => (typeof word === 'string' ? parseTlpLabel(`TLP:${word}`) : null);
const papWord = (word: unknown) => (typeof word === 'string' ? parsePapLabel(`PAP:${word}`) : null);

/**
 * What a marking definition found in the bundle marks: the TLP 2.0 or PAP extension, a TLP 1.0
 * `definition`, or a label written in its statement or name. Several: the most restrictive.
 */
function definitionMarking(definition: Json): Marking {
  const extensions = isRecord(definition.extensions) ? definition.extensions : {};
  const tlpExtension = isRecord(extensions[TLP_EXTENSION]) ? extensions[TLP_EXTENSION] : {};
  const papExtension = isRecord(extensions[PAP_EXTENSION]) ? extensions[PAP_EXTENSION] : {};
  const body = isRecord(definition.definition) ? definition.definition : {};
  const parsedTlp = [tlpWord(tlpExtension.tlp_2_0), definition.definition_type === 'tlp' ? tlpWord(body.tlp) : null];
  const parsedPap = papWord(papExtension.pap);
  const written = [asString(definition.name), asString(body.statement)]
    .filter((text): text is string => text !== null)
    .map((text) => readMarkings(text.slice(0, MAX_STATEMENT)));
  let marking: Marking = { tlp: null, pap: parsedPap?.ok ? parsedPap.label : null };
  for (const parsed of parsedTlp) if (parsed?.ok) marking = both(marking, { tlp: parsed.label, pap: null });
  return written.reduce(both, marking);
}

/** The bundle's own marking definitions, by id (well-known ids are not taken from the bundle). */
function bundleMarkings(objects: readonly Json[]): Map<string, Marking> {
  const markings = new Map<string, Marking>();
  for (const object of objects) {
    const id = asString(object.id);
    if (object.type !== 'marking-definition' || id === null || KNOWN_MARKINGS.has(id)) continue;
    markings.set(id, definitionMarking(object));
  }
  return markings;
}

/** Every marking an object references, on the whole object or on some of its properties. */
function markingRefs(object: Json): string[] {
  const granular = asArray(object.granular_markings, MAX_REFS).map((entry) =>
    isRecord(entry) ? entry.marking_ref : null,
  );
  return [...asArray(object.object_marking_refs, MAX_REFS), ...granular].filter(
    (ref): ref is string => typeof ref === 'string',
  );
}

const isDefinition = (object: Json) => object.type === 'marking-definition' || object.type === 'extension-definition';

/** Adds indicators once each, in order, up to the bound; values checked and written canonically. */
class IndicatorList {
  readonly values: ExtractedIndicatorValue[] = [];
  private readonly seen = new Set<string>();

  add(type: IndicatorType | null, raw: unknown): void {
    if (type === null || typeof raw !== 'string' || raw.length > 4096 || this.values.length >= MAX_INDICATORS) return;
    const checked = checkIndicator(type, raw);
    if (!checked.ok || this.seen.has(`${type}:${checked.value}`)) return;
    this.seen.add(`${type}:${checked.value}`);
    this.values.push({ type, value: checked.value });
  }

  /** An address of either family. */
  addAddress(raw: unknown): void {
    this.add(typeof raw === 'string' && raw.includes(':') ? 'ipv6' : 'ipv4', raw);
  }
}

// ---- STIX ------------------------------------------------------------------------------------

const SCO_TYPES: Readonly<Record<string, IndicatorType>> = {
  'ipv4-addr': 'ipv4',
  'ipv6-addr': 'ipv6',
  'domain-name': 'domain',
  url: 'url',
  'email-addr': 'email',
};

/** A hash algorithm's name as STIX writes it ("MD5", "SHA-1", "SHA-256"; also SHA1, 'SHA256'…). */
function hashType(algorithm: string): IndicatorType | null {
  const name = algorithm.replace(/'/g, '').replace(/-/g, '').toUpperCase();
  return name === 'MD5' ? 'md5' : name === 'SHA1' ? 'sha1' : name === 'SHA256' ? 'sha256' : null;
}

/** `object-type:path = 'value'` comparisons; other operators (!=, LIKE, MATCHES…) say nothing certain. */
const COMPARISON = /([a-z0-9-]{1,64}):([A-Za-z0-9_.'-]{1,128})\s{0,16}=\s{0,16}'((?:[^'\\]|\\.){0,4096})'/g;

function comparisonType(objectType: string, path: string): IndicatorType | null {
  if (path === 'value') return entry(SCO_TYPES, objectType) ?? null;
  const hash = /^hashes\.(.+)$/.exec(path);
  return hash && (objectType === 'file' || objectType === 'artifact') ? hashType(hash[1]) : null;
}

function readPattern(pattern: string, list: IndicatorList): void {
  for (const [, objectType, path, literal] of pattern.slice(0, MAX_PATTERN).matchAll(COMPARISON)) {
    list.add(comparisonType(objectType, path), literal.replace(/\\(.)/g, '$1'));
  }
}

function readObjectIndicators(object: Json, list: IndicatorList): void {
  const type = asString(object.type) ?? '';
  if (type === 'indicator' && (object.pattern_type ?? 'stix') === 'stix' && typeof object.pattern === 'string') {
    readPattern(object.pattern, list);
  } else if (entry(SCO_TYPES, type)) {
    list.add(entry(SCO_TYPES, type)!, object.value);
  } else if ((type === 'file' || type === 'artifact') && isRecord(object.hashes)) {
    for (const [algorithm, value] of Object.entries(object.hashes).slice(0, 16)) list.add(hashType(algorithm), value);
  }
}

function titleOf(objects: readonly Json[]): string | null {
  const named = (object: Json) => asString(object.name)?.trim().slice(0, MAX_TITLE) || null;
  const report = objects.find((object) => object.type === 'report' && named(object) !== null);
  // The producer's identity names who sent the objects, not what they are about.
  const other = objects.find((object) => !isDefinition(object) && object.type !== 'identity' && named(object) !== null);
  const chosen = report ?? other;
  return chosen ? named(chosen) : null;
}

/**
 * Reads STIX 2.1 objects received from a partner. `bundleLabel`, when the objects came with one
 * (a label set on the whole submission), is what unmarked objects take; without it the caller
 * decides what unmarked objects mean (the broker holds them as TLP:AMBER).
 */
export function readStixObjects(objects: unknown[], bundleLabel?: TlpLabel | null): StixReading {
  const records = asArray(objects, MAX_OBJECTS).filter(isRecord);
  const definitions = bundleMarkings(records);
  const list = new IndicatorList();
  const unmarked: string[] = [];
  let marking = NO_MARKING;
  for (const object of records) {
    if (isDefinition(object)) continue;
    const own = markingRefs(object)
      .map((ref) => KNOWN_MARKINGS.get(ref) ?? definitions.get(ref) ?? NO_MARKING)
      .reduce(both, NO_MARKING);
    const id = asString(object.id);
    if (own.tlp === null && id !== null) unmarked.push(id);
    marking = both(marking, own);
    readObjectIndicators(object, list);
  }
  const tlp = unmarked.length > 0 && bundleLabel ? strictestTlp(marking.tlp, bundleLabel) : marking.tlp;
  return { tlp, pap: marking.pap, unmarked, indicators: list.values, title: titleOf(records) };
}

// ---- MISP ------------------------------------------------------------------------------------

type Part = IndicatorType | 'ip' | null;

/**
 * MISP attribute types that carry an indicator, with what each "|"-separated part of the value is.
 * The types the broker itself writes (`mispAttributeType`) are among them. "link" is left out: it
 * points to a source about the event, not to something observed.
 */
const MISP_TYPES: Readonly<Record<string, readonly Part[]>> = {
  'ip-src': ['ip'],
  'ip-dst': ['ip'],
  'ip-src|port': ['ip', null],
  'ip-dst|port': ['ip', null],
  domain: ['domain'],
  hostname: ['domain'],
  'domain|ip': ['domain', 'ip'],
  'hostname|port': ['domain', null],
  url: ['url'],
  email: ['email'],
  'email-src': ['email'],
  'email-dst': ['email'],
  'email-reply-to': ['email'],
  md5: ['md5'],
  sha1: ['sha1'],
  sha256: ['sha256'],
  'filename|md5': [null, 'md5'],
  'filename|sha1': [null, 'sha1'],
  'filename|sha256': [null, 'sha256'],
  'malware-sample': [null, 'md5'],
};

/** The attributes of an event and of its objects, deleted ones left out. */
function attributesOf(event: Json): Json[] {
  const objects = asArray(event.Object, MAX_OBJECTS).filter(isRecord);
  const nested = objects.flatMap((object) => (object.deleted === true ? [] : asArray(object.Attribute, MAX_OBJECTS)));
  return [...asArray(event.Attribute, MAX_OBJECTS), ...nested]
    .slice(0, MAX_OBJECTS)
    .filter(isRecord)
    .filter((attribute) => attribute.deleted !== true);
}

/** Tag names, as MISP writes them in events (`Tag: [{name}]`) and in its API (`EventTag: [{Tag: {name}}]`). */
function tagNames(holder: Json): string[] {
  const direct = asArray(holder.Tag, MAX_REFS);
  const linked = asArray(holder.EventTag, MAX_REFS).map((link) => (isRecord(link) ? link.Tag : null));
  return [...direct, ...linked]
    .map((tag) => (isRecord(tag) ? asString(tag.name) : null))
    .filter((name): name is string => name !== null);
}

/** The labels of MISP's tlp and PAP taxonomies (`tlp:amber`, `tlp:white`, `PAP:GREEN`); other tags say nothing. */
function tagMarking(name: string): Marking {
  if (/^\s*tlp\s*:/i.test(name)) {
    const parsed = parseTlpLabel(name);
    return { tlp: parsed.ok ? parsed.label : null, pap: null };
  }
  const parsed = parsePapLabel(name);
  return { tlp: null, pap: parsed.ok ? parsed.label : null };
}

function readAttribute(attribute: Json, list: IndicatorList): void {
  const parts = entry(MISP_TYPES, asString(attribute.type) ?? '');
  const value = asString(attribute.value);
  if (!parts || value === null) return;
  const pieces = parts.length === 1 ? [value] : value.split('|');
  parts.forEach((part, index) => {
    if (part === 'ip') list.addAddress(pieces[index]);
    else list.add(part, pieces[index]);
  });
}

/**
 * Reads a MISP event received from a partner (`{Event: {...}}` or the event itself). Its label is
 * the most restrictive tlp and PAP tag on the event or on any of its attributes.
 */
export function readMispEvent(input: unknown): MispReading {
  const event = isRecord(input) && isRecord(input.Event) ? input.Event : input;
  if (!isRecord(event)) return { tlp: null, pap: null, indicators: [], title: null };
  const attributes = attributesOf(event);
  const marking = [event, ...attributes].flatMap(tagNames).map(tagMarking).reduce(both, NO_MARKING);
  const list = new IndicatorList();
  for (const attribute of attributes) readAttribute(attribute, list);
  return { ...marking, indicators: list.values, title: asString(event.info)?.trim().slice(0, MAX_TITLE) || null };
}
