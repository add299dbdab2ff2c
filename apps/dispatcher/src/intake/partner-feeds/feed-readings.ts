import {
  INDICATOR_TYPES,
  extractIndicators,
  type ExtractedIndicatorValue,
  type IndicatorType,
} from '@tlp-broker/domain';
import { checkIndicator, readMispEvent, readStixObjects } from '@tlp-broker/stix';
import { parsePapLabel, parseTlpLabel, readMarkings, strictestPap, strictestTlp } from '@tlp-broker/tlp';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';

/**
 * What the objects and events polled from a partner's feed are, read without I/O: which STIX
 * objects make one submission, the name each is taken under, which parts carry an OpenPGP
 * message, and what a decrypted message says about itself.
 */

export type Json = Record<string, unknown>;

export const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Objects that describe the feed rather than what it shares: never a submission of their own. */
const NOT_MATERIAL = new Set(['marking-definition', 'identity', 'extension-definition', 'language-content']);

/** Objects that gather others (`object_refs`): taken together with what they refer to. */
const CONTAINERS = new Set(['report', 'note', 'grouping', 'opinion']);

/** The most objects a container gathers; the rest are taken alone. */
const MAX_REFS = 1_000;

/** What a message says about itself once decrypted: its labels, title and indicators. */
export interface ContentReading {
  readonly tlp: TlpLabel | null;
  readonly pap: PapLabel | null;
  readonly title: string | null;
  readonly indicators: ExtractedIndicatorValue[];
}

/**
 * The STIX objects of a TAXII page as submissions: each report (note, grouping, opinion) with the
 * objects of the page it refers to, and each object no report refers to alone, in the page's
 * order. An object two reports refer to goes with each; of several versions of one, a report takes
 * the latest not newer than itself. The same version served twice is one object. Objects that
 * describe the feed (marking definitions, identities, extension definitions) are left out.
 */
export function stixGroups(objects: readonly unknown[]): Json[][] {
  const seen = new Set<string>();
  const material = objects.filter(isRecord).filter((object) => {
    const key = `${String(object.id)}@${versionOf(object) ?? ''}`;
    if (NOT_MATERIAL.has(String(object.type)) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const versions = new Map<string, Json[]>();
  for (const object of material) versions.set(String(object.id), [...(versions.get(String(object.id)) ?? []), object]);
  const referred = new Set<Json>();
  const groups = material.map((object) => {
    if (!CONTAINERS.has(String(object.type))) return null;
    const refs = Array.isArray(object.object_refs) ? object.object_refs.slice(0, MAX_REFS) : [];
    const members = [...new Set(refs.map((ref) => memberFor(versions.get(String(ref)) ?? [], object)))].filter(
      (member): member is Json => !!member && !CONTAINERS.has(String(member.type)),
    );
    for (const member of members) referred.add(member);
    return [object, ...members];
  });
  return material.flatMap((object, at) => {
    const group = groups[at];
    if (group) return [group];
    return referred.has(object) ? [] : [[object]];
  });
}

/** Of an object's versions in the page, the latest not newer than the report referring to it (else the latest). */
function memberFor(candidates: readonly Json[], container: Json): Json | undefined {
  const limit = versionOf(container);
  const fitting = limit === null ? [] : candidates.filter((candidate) => (versionOf(candidate) ?? '') <= limit);
  return (fitting.length > 0 ? fitting : candidates).at(-1);
}

/** An object's version: `modified`, else `created`; null for objects without (cyber-observables). */
function versionOf(object: Json): string | null {
  const version = [object.modified, object.created].find((value) => typeof value === 'string');
  return typeof version === 'string' ? version : null;
}

/** `<id>@<modified|created>` of the group's first object: a new version of it is a new submission. */
export function stixExternalId(group: readonly Json[]): string {
  const version = versionOf(group[0]);
  return version === null ? String(group[0].id) : `${String(group[0].id)}@${version}`;
}

/**
 * The OpenPGP messages a group carries: artifacts whose payload is one (armored, or binary with
 * an OpenPGP media type), as the artifacts a tlp-broker serves above TLP:CLEAR are.
 */
export function stixSealedPayloads(group: readonly Json[]): Uint8Array[] {
  return group.flatMap((object) => {
    if (object.type !== 'artifact' || typeof object.payload_bin !== 'string') return [];
    const payload = Buffer.from(object.payload_bin, 'base64');
    const mediaType = typeof object.mime_type === 'string' ? object.mime_type.toLowerCase() : '';
    return isArmoredMessage(payload) || /^application\/pgp(-encrypted)?$/.test(mediaType) ? [payload] : [];
  });
}

/**
 * The OpenPGP messages a MISP event carries: attachments whose data is an armored message, or
 * whose file name says it is one (`.gpg`, `.pgp`, `.asc`). Deleted attributes are left out.
 */
export function mispSealedPayloads(event: Json): Uint8Array[] {
  const attributes = Array.isArray(event.Attribute) ? event.Attribute.filter(isRecord) : [];
  return attributes.flatMap((attribute) => {
    if (attribute.deleted === true || typeof attribute.data !== 'string') return [];
    const data = Buffer.from(attribute.data, 'base64');
    const named = attribute.type === 'attachment' && /\.(gpg|pgp|asc)$/i.test(String(attribute.value ?? ''));
    return isArmoredMessage(data) || named ? [data] : [];
  });
}

/** Armored OpenPGP data as text; binary data as it is. */
export function asOpenPgpInput(payload: Uint8Array): string | Uint8Array {
  return isArmoredMessage(payload) ? Buffer.from(payload).toString('utf8') : payload;
}

function isArmoredMessage(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 64)).toString('latin1').trimStart().startsWith('-----BEGIN PGP MESSAGE-----');
}

/**
 * What a decrypted message says about itself: a tlp-broker document (an item, `tlp-broker/item@1`,
 * or a recall notice) by its fields, a STIX bundle or a MISP event as such, anything else as text (labels and
 * indicators written in it).
 */
export function readOpenedContent(text: string): ContentReading {
  const json = parseJson(text);
  if (isRecord(json) && typeof json.format === 'string' && json.format.startsWith('tlp-broker/'))
    return brokerDocument(json);
  if (isRecord(json) && json.type === 'bundle' && Array.isArray(json.objects)) {
    const reading = readStixObjects(json.objects);
    return { tlp: reading.tlp, pap: reading.pap, title: reading.title, indicators: reading.indicators };
  }
  if (isRecord(json) && isRecord(json.Event)) return readMispEvent(json);
  const markings = readMarkings(text);
  return { tlp: markings.tlp, pap: markings.pap, title: null, indicators: extractIndicators(text) };
}

function brokerDocument(document: Json): ContentReading {
  const tlp = parseTlpLabel(document.tlp);
  const pap = document.pap === null || document.pap === undefined ? null : parsePapLabel(document.pap);
  const indicators: ExtractedIndicatorValue[] = [];
  for (const entry of Array.isArray(document.indicators) ? document.indicators.slice(0, 1_000) : []) {
    if (!isRecord(entry) || !isIndicatorType(entry.type) || typeof entry.value !== 'string') continue;
    const checked = checkIndicator(entry.type, entry.value);
    if (checked.ok && !indicators.some((known) => known.type === entry.type && known.value === checked.value))
      indicators.push({ type: entry.type, value: checked.value });
  }
  return {
    tlp: tlp.ok ? tlp.label : null,
    pap: pap?.ok ? pap.label : null,
    title: typeof document.title === 'string' ? document.title.trim().slice(0, 300) || null : null,
    indicators,
  };
}

function isIndicatorType(value: unknown): value is IndicatorType {
  return typeof value === 'string' && (INDICATOR_TYPES as readonly string[]).includes(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The labels of the outside (the feed's markings) and of the inside (the decrypted content): the stricter of each. */
export function combinedLabels(
  outside: { tlp: TlpLabel | null; pap: PapLabel | null },
  inside: { tlp: TlpLabel | null; pap: PapLabel | null } | null,
): { tlp: TlpLabel | null; pap: PapLabel | null } {
  if (!inside) return outside;
  return { tlp: strictestTlp(outside.tlp, inside.tlp), pap: strictestPap(outside.pap, inside.pap) };
}

/** Indicators of both, once each. */
export function mergedIndicators(
  first: readonly ExtractedIndicatorValue[],
  second: readonly ExtractedIndicatorValue[],
): ExtractedIndicatorValue[] {
  const seen = new Set<string>();
  return [...first, ...second].filter((indicator) => {
    const key = `${indicator.type}:${indicator.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
