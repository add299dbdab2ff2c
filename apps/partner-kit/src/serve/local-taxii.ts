import {
  Page,
  pageOfRecords,
  parseTaxiiQuery,
  selectRecords,
  STIX_MEDIA_TYPE,
  StixObject,
  TAXII_MEDIA_TYPE,
  taxiiTimestamp,
  TaxiiQuery,
  TaxiiQueryError,
  TaxiiRecord,
} from '@tlp-broker/stix';
import type { LocalCollectionSource, LocalObjectRecord } from '../collection';
import { Answer, LocalHttpError, taxiiAnswer } from './local-answers';

/** What the TAXII routes serve: one read-only collection over the kit's local records. */
export interface LocalTaxii {
  readonly title: string;
  readonly collection: { readonly id: string; readonly title: string };
  readonly source: LocalCollectionSource;
  readonly includeRed: boolean;
}

/** A local record as TAXII pages it, with the version as the object states it. */
interface ServedRecord extends TaxiiRecord {
  readonly object: StixObject;
  readonly versionText: string;
}

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const NEXT_REFUSED = 'use the value of `next` from the previous page';

export function discovery(taxii: LocalTaxii, base: string): Answer {
  const root = `${base}/taxii2/api/`;
  return taxiiAnswer({
    title: taxii.title,
    description: 'The STIX objects tlp-broker delivered to this partner, decrypted by tlp-broker-partner.',
    default: root,
    api_roots: [root],
  });
}

export function apiRoot(taxii: LocalTaxii): Answer {
  return taxiiAnswer({
    title: taxii.collection.title,
    description: 'One read-only collection: what tlp-broker-partner pulled and decrypted.',
    versions: [TAXII_MEDIA_TYPE],
    // Nothing can be posted to this API root.
    max_content_length: 0,
  });
}

export function collections(taxii: LocalTaxii): Answer {
  return taxiiAnswer({ collections: [collectionResource(taxii)] });
}

export function collection(taxii: LocalTaxii, collectionId: string): Answer {
  checkCollection(taxii, collectionId);
  return taxiiAnswer(collectionResource(taxii));
}

export async function objects(taxii: LocalTaxii, collectionId: string, raw: RawQuery): Promise<Answer> {
  const { query, afterUs } = readQuery(raw);
  checkCollection(taxii, collectionId);
  const page = pageOf(await servedRecords(taxii), query, afterUs);
  return envelope(page, 'objects', (items) => items.map((record) => record.object));
}

export async function manifest(taxii: LocalTaxii, collectionId: string, raw: RawQuery): Promise<Answer> {
  const { query, afterUs } = readQuery(raw);
  checkCollection(taxii, collectionId);
  const page = pageOf(await servedRecords(taxii), query, afterUs);
  return envelope(page, 'objects', (items) =>
    items.map((record) => ({
      id: record.id,
      date_added: taxiiTimestamp(record.dateAdded),
      version: record.versionText,
      media_type: STIX_MEDIA_TYPE,
    })),
  );
}

/** The versions of one object the query selects (`match[id]` aside); an object the collection does not hold is a 404. */
export async function object(
  taxii: LocalTaxii,
  collectionId: string,
  objectId: string,
  raw: RawQuery,
): Promise<Answer> {
  const { query, afterUs } = readQuery(raw);
  checkCollection(taxii, collectionId);
  const page = pageOf(await objectRecords(taxii, objectId), { ...query, ids: [objectId] }, afterUs);
  return envelope(page, 'objects', (items) => items.map((record) => record.object));
}

/** Every version of one object (`match[version]` aside), oldest first. */
export async function versions(
  taxii: LocalTaxii,
  collectionId: string,
  objectId: string,
  raw: RawQuery,
): Promise<Answer> {
  const { query, afterUs } = readQuery(raw);
  checkCollection(taxii, collectionId);
  const records = await objectRecords(taxii, objectId);
  const page = pageOf(records, { ...query, ids: [objectId], versions: ['all'] }, afterUs);
  return envelope(page, 'versions', (items) => [
    ...new Set([...items].sort((a, b) => a.version.getTime() - b.version.getTime()).map((r) => r.versionText)),
  ]);
}

type RawQuery = Readonly<Record<string, unknown>>;

function collectionResource(taxii: LocalTaxii) {
  return {
    id: taxii.collection.id,
    title: taxii.collection.title,
    description: taxii.includeRed
      ? 'What tlp-broker delivered to this partner, decrypted, TLP:RED included.'
      : 'What tlp-broker delivered to this partner, decrypted; TLP:RED is not served.',
    can_read: true,
    can_write: false,
    media_types: [STIX_MEDIA_TYPE],
  };
}

function checkCollection(taxii: LocalTaxii, collectionId: string): void {
  if (collectionId !== taxii.collection.id)
    throw new LocalHttpError(404, 'Collection not found', `There is no collection ${collectionId} on this server.`);
}

/** The query, and where the page starts: after `added_after` and after the end of the page `next` was handed out with. */
function readQuery(raw: RawQuery): { query: TaxiiQuery; afterUs: number | undefined } {
  let query: TaxiiQuery;
  try {
    query = parseTaxiiQuery(raw);
  } catch (error) {
    if (error instanceof TaxiiQueryError) throw invalidParameter(error.parameter, error.why);
    throw error;
  }
  const after = openNext(query.next);
  return { query, afterUs: after === undefined ? query.addedAfter : Math.max(after, query.addedAfter ?? after) };
}

const invalidParameter = (parameter: string, why: string) =>
  new LocalHttpError(400, 'Invalid query parameter', `${parameter}: ${why}`);

/**
 * `next` is where the previous page ended (its last date_added) in base64url: only the partner's
 * own tools reach this server, so it needs no MAC, and it names a place, never what is read.
 */
const sealNext = (dateAddedUs: number) => Buffer.from(String(dateAddedUs)).toString('base64url');

function openNext(next: string | undefined): number | undefined {
  if (next === undefined) return undefined;
  const text = /^[A-Za-z0-9_-]{1,24}$/.test(next) ? Buffer.from(next, 'base64url').toString() : '';
  const dateAdded = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!(dateAdded <= Number.MAX_SAFE_INTEGER) || sealNext(dateAdded) !== next)
    throw invalidParameter('next', NEXT_REFUSED);
  return dateAdded;
}

/** The collection as TAXII sees it, read afresh: TLP:RED left out unless opted in, in date_added order. */
async function servedRecords(taxii: LocalTaxii): Promise<ServedRecord[]> {
  const records = await taxii.source.records();
  return records
    .filter((record) => taxii.includeRed || record.tlp !== 'TLP:RED')
    .map(served)
    .sort((a, b) => a.dateAdded - b.dateAdded);
}

/** The collection's records, when it holds any version of the object; a 404 otherwise. */
async function objectRecords(taxii: LocalTaxii, objectId: string): Promise<ServedRecord[]> {
  const records = await servedRecords(taxii);
  if (!records.some((record) => record.id === objectId))
    throw new LocalHttpError(404, 'Object not found', `There is no object ${objectId} in this collection.`);
  return records;
}

/** The version TAXII names an object version by: `modified`, else `created`, else when it was added. */
function served(record: LocalObjectRecord): ServedRecord {
  const stated = [record.object.modified, record.object.created].find(
    (value): value is string =>
      typeof value === 'string' && RFC3339_UTC.test(value) && !Number.isNaN(Date.parse(value)),
  );
  return {
    id: record.object.id,
    type: record.object.type,
    version: stated ? new Date(stated) : new Date(Math.floor(record.dateAdded / 1000)),
    versionText: stated ?? taxiiTimestamp(record.dateAdded),
    dateAdded: record.dateAdded,
    object: record.object,
  };
}

function pageOf(records: readonly ServedRecord[], query: TaxiiQuery, afterUs: number | undefined): Page<ServedRecord> {
  return pageOfRecords(selectRecords(records, query, afterUs), query.limit, sealNext);
}

/** A TAXII envelope (`more`, `next`, the page's items under `key`) with the page's date_added range in headers. */
function envelope(
  page: Page<ServedRecord>,
  key: 'objects' | 'versions',
  items: (records: ServedRecord[]) => unknown[],
): Answer {
  const headers: Record<string, string> = {};
  if (page.first) headers['X-TAXII-Date-Added-First'] = page.first;
  if (page.last) headers['X-TAXII-Date-Added-Last'] = page.last;
  const body = {
    more: page.more,
    ...(page.next ? { next: page.next } : {}),
    ...(page.items.length > 0 ? { [key]: items(page.items) } : {}),
  };
  return taxiiAnswer(body, headers);
}
