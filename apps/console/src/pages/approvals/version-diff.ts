/**
 * What changed between the version last released to partners and the version waiting for approval,
 * field by field, as the approver reads it. Pure: no DOM.
 */

export interface DiffIndicator {
  type: string;
  value: string;
  description?: string;
}

export interface DiffProvenance {
  originator: string;
  label: string;
  consent?: { audience: Partial<DiffAudience>; reference: string } | null;
}

export interface DiffAudience {
  communities: readonly string[];
  organisations: readonly string[];
  contacts: readonly string[];
}

/** The fields of an item version that an approver compares (GET /items/{id}/versions). */
export interface DiffVersion {
  version: number;
  title: string;
  summary: string;
  body: string;
  tlp: string;
  pap: string | null;
  severity: string | null;
  audience: DiffAudience;
  caveats: readonly string[];
  indicators: readonly DiffIndicator[];
  provenance: DiffProvenance | null;
  releaseAt: string | null;
}

export type ValueField = 'title' | 'summary' | 'tlp' | 'pap' | 'severity' | 'releaseAt';
export type FieldName = ValueField | 'body' | 'audience' | 'caveats' | 'indicators' | 'provenance';

/** Every field in the order the diff lists them. */
export const DIFF_FIELDS: readonly FieldName[] = [
  'title',
  'summary',
  'body',
  'tlp',
  'pap',
  'severity',
  'audience',
  'caveats',
  'indicators',
  'provenance',
  'releaseAt',
];

export interface SetChange<T = string> {
  added: T[];
  removed: T[];
}

export interface LineChange {
  op: 'same' | 'added' | 'removed';
  text: string;
}

export type FieldChange =
  | { field: ValueField; kind: 'value'; before: string | null; after: string | null }
  | { field: 'body'; kind: 'lines'; lines: LineChange[] }
  | {
      field: 'audience';
      kind: 'audience';
      communities: SetChange;
      organisations: SetChange;
      contacts: SetChange;
    }
  | { field: 'caveats'; kind: 'set'; change: SetChange }
  | { field: 'indicators'; kind: 'indicators'; change: SetChange<DiffIndicator> }
  | { field: 'provenance'; kind: 'provenance'; before: DiffProvenance | null; after: DiffProvenance | null };

export interface VersionDiff {
  changes: FieldChange[];
  unchanged: FieldName[];
}

/** The pending version against the released one: the changed fields in DIFF_FIELDS order, and the others. */
export function diffVersions(released: DiffVersion, pending: DiffVersion): VersionDiff {
  const changes: FieldChange[] = [];
  const unchanged: FieldName[] = [];
  for (const field of DIFF_FIELDS) {
    const change = fieldChange(field, released, pending);
    if (change) changes.push(change);
    else unchanged.push(field);
  }
  return { changes, unchanged };
}

function fieldChange(field: FieldName, before: DiffVersion, after: DiffVersion): FieldChange | null {
  switch (field) {
    case 'body':
      return before.body === after.body ? null : { field, kind: 'lines', lines: diffLines(before.body, after.body) };
    case 'audience': {
      const communities = setChange(before.audience.communities, after.audience.communities);
      const organisations = setChange(before.audience.organisations, after.audience.organisations);
      const contacts = setChange(before.audience.contacts, after.audience.contacts);
      return [communities, organisations, contacts].some(changed)
        ? { field, kind: 'audience', communities, organisations, contacts }
        : null;
    }
    case 'caveats': {
      const change = setChange(before.caveats, after.caveats);
      return changed(change) ? { field, kind: 'set', change } : null;
    }
    case 'indicators': {
      const change = indicatorChange(before.indicators, after.indicators);
      return changed(change) ? { field, kind: 'indicators', change } : null;
    }
    case 'provenance':
      return provenanceKey(before.provenance) === provenanceKey(after.provenance)
        ? null
        : { field, kind: 'provenance', before: before.provenance, after: after.provenance };
    default: {
      const [was, is] = [valueOf(before, field), valueOf(after, field)];
      return was === is ? null : { field, kind: 'value', before: was, after: is };
    }
  }
}

/** A field as one comparable text (null when it is not set). */
export function valueOf(version: DiffVersion, field: ValueField): string | null {
  switch (field) {
    case 'releaseAt':
      return version.releaseAt === null ? null : new Date(version.releaseAt).toISOString();
    case 'summary':
      return version.summary === '' ? null : version.summary;
    default:
      return version[field];
  }
}

/** Provenance as one comparable text: originator, label, and the consent with its audience in any order. */
function provenanceKey(provenance: DiffProvenance | null): string {
  if (!provenance) return '';
  const consent = provenance.consent;
  const sorted = (values: readonly string[] | undefined) => [...(values ?? [])].sort();
  return JSON.stringify([
    provenance.originator,
    provenance.label,
    consent
      ? [
          consent.reference,
          sorted(consent.audience.communities),
          sorted(consent.audience.organisations),
          sorted(consent.audience.contacts),
        ]
      : null,
  ]);
}

function changed(change: SetChange<unknown>): boolean {
  return change.added.length > 0 || change.removed.length > 0;
}

export function setChange(before: readonly string[], after: readonly string[]): SetChange {
  const was = new Set(before);
  const is = new Set(after);
  return { added: after.filter((value) => !was.has(value)), removed: before.filter((value) => !is.has(value)) };
}

/** An indicator is the same one when its type, value and description are. */
function indicatorChange(before: readonly DiffIndicator[], after: readonly DiffIndicator[]): SetChange<DiffIndicator> {
  const key = (indicator: DiffIndicator) =>
    `${indicator.type}\u0000${indicator.value}\u0000${indicator.description ?? ''}`;
  const was = new Set(before.map(key));
  const is = new Set(after.map(key));
  return {
    added: after.filter((indicator) => !was.has(key(indicator))),
    removed: before.filter((indicator) => !is.has(key(indicator))),
  };
}

/** Beyond this many line pairs between the common start and end, the middle is shown as removed then added. */
const MAX_COMPARED_PAIRS = 4_000_000;

/**
 * The lines of `after` against those of `before`: kept, removed and added lines in reading order,
 * by longest common subsequence.
 */
export function diffLines(before: string, after: string): LineChange[] {
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const same = (lines: string[]): LineChange[] => lines.map((text) => ({ op: 'same', text }));
  return [
    ...same(a.slice(0, start)),
    ...middleDiff(a.slice(start, endA), b.slice(start, endB)),
    ...same(a.slice(endA)),
  ];
}

function splitLines(text: string): string[] {
  return text === '' ? [] : text.replace(/\r\n?/g, '\n').split('\n');
}

function middleDiff(a: string[], b: string[]): LineChange[] {
  const removed = (text: string): LineChange => ({ op: 'removed', text });
  const added = (text: string): LineChange => ({ op: 'added', text });
  if (a.length === 0 || b.length === 0 || a.length * b.length > MAX_COMPARED_PAIRS) {
    return [...a.map(removed), ...b.map(added)];
  }
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j]
          ? lengths[(i + 1) * width + j + 1] + 1
          : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
    }
  }
  const lines: LineChange[] = [];
  let [i, j] = [0, 0];
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ op: 'same', text: a[i] });
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) lines.push(removed(a[i++]));
    else lines.push(added(b[j++]));
  }
  return [...lines, ...a.slice(i).map(removed), ...b.slice(j).map(added)];
}

/**
 * The version a pending one is compared with: the one the API names as last released, else the
 * newest released version older than the pending one; null for a first version.
 */
export function baseVersion<V extends { version: number; released: boolean }>(
  versions: readonly V[],
  pendingVersion: number,
  lastReleasedVersion?: number | null,
): V | null {
  if (lastReleasedVersion !== undefined && lastReleasedVersion !== null) {
    const named = versions.find((v) => v.version === lastReleasedVersion);
    if (named) return named;
  }
  const released = versions.filter((v) => v.released && v.version < pendingVersion);
  return released.reduce<V | null>((newest, v) => (newest === null || v.version > newest.version ? v : newest), null);
}

export type ShownLine = LineChange | { op: 'skipped'; count: number };

/** Long runs of kept lines folded to `context` lines on each side of a change, as a reviewer reads a diff. */
export function foldUnchanged(lines: readonly LineChange[], context = 3): ShownLine[] {
  const near = new Array<boolean>(lines.length).fill(false);
  lines.forEach((line, index) => {
    if (line.op === 'same') return;
    for (let i = Math.max(0, index - context); i <= Math.min(lines.length - 1, index + context); i++) near[i] = true;
  });
  const shown: ShownLine[] = [];
  let skipped = 0;
  lines.forEach((line, index) => {
    if (near[index]) {
      if (skipped) shown.push({ op: 'skipped', count: skipped });
      skipped = 0;
      shown.push(line);
    } else skipped++;
  });
  if (skipped) shown.push({ op: 'skipped', count: skipped });
  return shown;
}
