/**
 * TAXII 2.1 reads without a web framework: query parameters, version selection and paging over a
 * collection's object versions, shared by the broker's API and the partner kit's local server.
 */

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1_000;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;

export interface TaxiiQuery {
  /** Microseconds since the epoch. */
  readonly addedAfter?: number;
  readonly limit: number;
  /** The `next` token of a previous page, as given: the server opens (and checks) it. */
  readonly next?: string;
  readonly types?: readonly string[];
  readonly ids?: readonly string[];
  readonly versions: readonly ('first' | 'last' | 'all' | Date)[];
  readonly specVersions?: readonly string[];
}

export interface Page<T> {
  readonly items: T[];
  readonly more: boolean;
  readonly next?: string;
  /** The page's first and last date_added, as TAXII timestamps with microseconds. */
  readonly first?: string;
  readonly last?: string;
}

/**
 * One object version in a collection: what TAXII filters, orders and pages, before any content is
 * read. Every object version has a date_added of its own, in microseconds (the precision of
 * PostgreSQL and of the reference server), so that a client asking for what was added after the
 * last date_added it saw never skips an object that shared it.
 */
export interface TaxiiRecord {
  readonly id: string;
  readonly type: string;
  /** The object's version (`modified`, else `created`). */
  readonly version: Date;
  /** Microseconds since the epoch. */
  readonly dateAdded: number;
}

/** A query parameter a client must fix; each server answers it in its own way (a 400 TAXII error). */
export class TaxiiQueryError extends Error {
  constructor(
    readonly parameter: string,
    readonly why: string,
  ) {
    super(`${parameter}: ${why}`);
    this.name = 'TaxiiQueryError';
  }
}

type RawQuery = Readonly<Record<string, unknown>>;

/** A TAXII timestamp with six fractional digits (as the reference server writes them) from microseconds since the epoch. */
export function taxiiTimestamp(microseconds: number): string {
  const milliseconds = Math.floor(microseconds / 1000);
  return `${new Date(milliseconds).toISOString().slice(0, -1)}${String(microseconds - milliseconds * 1000).padStart(3, '0')}Z`;
}

/**
 * Whether an Accept header lets a server answer in TAXII 2.1's media type: TAXII's (without a
 * version, or 2.1), `*\/*` or `application/*`.
 */
export function acceptsTaxii(accept: string): boolean {
  return accept
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .some(
      (part) =>
        part.startsWith('*/*') ||
        part.startsWith('application/*') ||
        (part.startsWith('application/taxii+json') && !/version=(?!2\.1)/.test(part)),
    );
}

/**
 * Reads TAXII's query parameters (`added_after`, `limit`, `next`, `match[…]`), flat as in a URL or
 * nested as Express's extended parser gives `match[…]`; a bad one is a TaxiiQueryError naming it.
 * `limit` above the page size is served as the page size, as TAXII 2.1 lets a server do.
 */
export function parseTaxiiQuery(raw: RawQuery): TaxiiQuery {
  checkTimestampsExist(raw);
  const addedAfterRaw = single(raw, 'added_after');
  const limit = parseLimit(single(raw, 'limit'));
  const next = single(raw, 'next');
  const versions = (match(raw, 'version') ?? ['last']).map((value) =>
    value === 'first' || value === 'last' || value === 'all' ? value : timestamp('match[version]', value),
  );
  return {
    addedAfter: addedAfterRaw === undefined ? undefined : microseconds('added_after', addedAfterRaw),
    limit,
    next,
    types: match(raw, 'type'),
    ids: match(raw, 'id'),
    versions,
    specVersions: match(raw, 'spec_version'),
  };
}

/**
 * The timestamps of `added_after` and `match[version]` are real instants from 1970 on: "2026-02-31"
 * or "24:00:00", which Date would quietly move, are refused. parseTaxiiQuery checks this first; a
 * server with checks of its own to make between (the broker's `next` tokens) may call it before.
 */
export function checkTimestampsExist(raw: RawQuery): void {
  if (typeof raw.added_after === 'string') checkTimestampExists('added_after', raw.added_after);
  const version = raw['match[version]'] ?? nestedMatch(raw, 'version');
  for (const text of Array.isArray(version) ? version : [version]) {
    if (typeof text !== 'string') continue;
    for (const value of text.split(',').map((part) => part.trim())) checkTimestampExists('match[version]', value);
  }
}

function checkTimestampExists(parameter: string, value: string): void {
  const parts = TIMESTAMP.exec(value);
  if (!parts) return; // parseTaxiiQuery refuses it with its own message
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const same =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  if (!same) throw new TaxiiQueryError(parameter, `${value} is not a date and time that exists`);
  if (year < 1970) throw new TaxiiQueryError(parameter, 'a timestamp from 1970 on is required');
}

/** `match[name]` as Express's extended query parser nests it (`match: {name: …}`). */
function nestedMatch(raw: RawQuery, name: string): unknown {
  return typeof raw.match === 'object' && raw.match !== null ? (raw.match as RawQuery)[name] : undefined;
}

function single(raw: RawQuery, name: string): string | undefined {
  const value = raw[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TaxiiQueryError(name, 'give it once');
  return value;
}

/** A `match[…]` filter's values: repeated or comma-separated, blanks dropped; given empty, refused. */
function match(raw: RawQuery, name: string): string[] | undefined {
  const value = raw[`match[${name}]`] ?? nestedMatch(raw, name);
  if (value === undefined) return undefined;
  const values = (Array.isArray(value) ? value : [value])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (values.length === 0) throw new TaxiiQueryError(`match[${name}]`, 'give at least one value');
  return values;
}

function parseLimit(limitRaw: string | undefined): number {
  if (limitRaw === undefined) return DEFAULT_LIMIT;
  if (!/^\d+$/.test(limitRaw) || Number(limitRaw) < 1)
    throw new TaxiiQueryError('limit', 'a positive whole number is required');
  return Math.min(Number(limitRaw), MAX_LIMIT);
}

function timestamp(name: string, value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) || Number.isNaN(date.getTime()))
    throw new TaxiiQueryError(name, 'an RFC 3339 timestamp in UTC is required, e.g. 2026-11-30T08:00:00.000Z');
  return date;
}

/** Dates added carry microseconds: Date would drop all but three digits and match the wrong objects. */
function microseconds(name: string, value: string): number {
  const parts = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(value);
  const seconds = parts ? Date.parse(`${parts[1]}Z`) : Number.NaN;
  if (!parts || Number.isNaN(seconds))
    throw new TaxiiQueryError(name, 'an RFC 3339 timestamp in UTC is required, e.g. 2026-11-30T08:00:00.000000Z');
  // Digits beyond the sixth are dropped: an object added at that microsecond is not after it.
  return seconds * 1000 + Number((parts[2] ?? '').padEnd(6, '0').slice(0, 6));
}

/**
 * Of some object versions — all the collection holds of the objects they are versions of, in
 * collection order — those a query asks for, as the reference server (medallion) chooses them:
 * `match` filters, then `added_after`, then the version filter; then only those added after
 * `afterUs` (where the previous page ended).
 */
export function selectRecords<R extends TaxiiRecord>(
  records: readonly R[],
  query: TaxiiQuery,
  afterUs: number | undefined,
): R[] {
  const matching = records.filter(
    (record) =>
      (!query.ids || query.ids.includes(record.id)) &&
      (!query.types || query.types.includes(record.type)) &&
      (!query.specVersions || query.specVersions.includes('2.1')) &&
      (query.addedAfter === undefined || record.dateAdded > query.addedAfter),
  );
  const chosen = byVersion(matching, query.versions);
  return afterUs === undefined ? chosen : chosen.filter((record) => record.dateAdded > afterUs);
}

/**
 * The page of `found` (selected object versions in collection order, at least one more than the
 * page holds when there are more): at most `limit`, with `next` (sealed by `seal` from the last
 * one's date_added, which is distinct for every object version) when more follow.
 */
export function pageOfRecords<R extends TaxiiRecord>(
  found: readonly R[],
  limit: number,
  seal: (dateAddedUs: number) => string,
): Page<R> {
  const items = found.slice(0, limit);
  const more = found.length > items.length;
  const last = items[items.length - 1];
  return {
    items,
    more,
    next: more ? seal(last.dateAdded) : undefined,
    first: items[0] ? taxiiTimestamp(items[0].dateAdded) : undefined,
    last: last ? taxiiTimestamp(last.dateAdded) : undefined,
  };
}

/** `match[version]`: of each object's versions, the first, the last, all, or those at given timestamps. */
export function byVersion<R extends TaxiiRecord>(records: readonly R[], wanted: TaxiiQuery['versions']): R[] {
  if (wanted.includes('all')) return [...records];
  const byId = new Map<string, R[]>();
  for (const record of records) {
    const versions = byId.get(record.id);
    if (versions) versions.push(record);
    else byId.set(record.id, [record]);
  }
  const keep = new Set<R>();
  for (const versions of byId.values()) {
    const sorted = [...versions].sort((a, b) => a.version.getTime() - b.version.getTime());
    for (const want of wanted) {
      if (want === 'first') keep.add(sorted[0]);
      else if (want === 'last') keep.add(sorted[sorted.length - 1]);
      else if (want instanceof Date)
        for (const record of sorted.filter((r) => r.version.getTime() === want.getTime())) keep.add(record);
    }
  }
  return records.filter((record) => keep.has(record));
}
