import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { identity, indicatorId, Publisher, itemObjects, itemStixId, artifactId, PAP_MARKINGS, sealedObjects, StixObject, TLP_MARKINGS } from '@tlp-broker/stix';
import { PartnerPrincipal } from '../auth/principal';
import { EntryHead, inClear, modifiedOf, PartnerView } from '../feeds/partner-view';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1_000;

/** A TAXII 2.1 error, answered as a TAXII error object. */
export class TaxiiError extends HttpException {
  constructor(status: HttpStatus, title: string, description: string) {
    super({ title, description, http_status: String(status) }, status);
  }
}

/** One object version in a collection: what TAXII filters, orders and pages, before any content is read. */
interface ObjectRecord {
  readonly id: string;
  readonly type: string;
  /** The object's version (`modified`, else `created`, else the date it was added). */
  readonly version: Date;
  readonly dateAdded: Date;
  /** Order within the collection: (dateAdded, seq, part). */
  readonly seq: bigint;
  readonly part: number;
  /** The feed entry it comes from; null for the team identity and the marking definitions. */
  readonly head: EntryHead | null;
  /** For fixed objects: the object itself. */
  readonly fixed?: StixObject;
}

export interface TaxiiQuery {
  readonly addedAfter?: Date;
  readonly limit: number;
  readonly next?: { dateAdded: number; seq: bigint; part: number };
  readonly types?: readonly string[];
  readonly ids?: readonly string[];
  readonly versions: readonly ('first' | 'last' | 'all' | Date)[];
  readonly specVersions?: readonly string[];
}

export interface Page<T> {
  readonly items: T[];
  readonly more: boolean;
  readonly next?: string;
  readonly first?: Date;
  readonly last?: Date;
}

/**
 * TAXII 2.1 over a partner's deliveries: one collection per partner channel, holding what was
 * delivered to that channel and nothing else. TLP:CLEAR item versions are served as STIX in the
 * clear; anything above TLP:CLEAR only as the recipient's own encrypted copy (a report naming the
 * item by reference, and an artifact holding the OpenPGP message encrypted to its key), so that a
 * TAXII credential alone, like a mailbox password alone, never opens TLP:GREEN and above.
 */
@Injectable()
export class TaxiiService {
  constructor(
    private readonly view: PartnerView,
    private readonly dataSource: DataSource,
  ) {}

  async collection(partner: PartnerPrincipal, collectionId: string) {
    if (collectionId !== partner.channelId) throw new TaxiiError(HttpStatus.NOT_FOUND, 'Collection not found', `There is no collection ${collectionId} for this credential.`);
    const [row]: { name: string; contact: string | null }[] = await this.dataSource.query(
      `SELECT o.name, c.name AS contact FROM channels ch JOIN organisations o ON o.id = ch.organisation_id LEFT JOIN contacts c ON c.id = ch.contact_id WHERE ch.id = $1`,
      [partner.channelId],
    );
    return {
      id: partner.channelId,
      title: `Deliveries to ${row.contact ? `${row.contact} (${row.name})` : row.name}`,
      description: 'What tlp-broker delivered to this channel. Above TLP:CLEAR, each item is an artifact encrypted to your OpenPGP key.',
      can_read: true,
      can_write: false,
      media_types: [STIX_MEDIA_TYPE],
    };
  }

  async objects(partner: PartnerPrincipal, collectionId: string, query: TaxiiQuery): Promise<Page<StixObject>> {
    await this.collection(partner, collectionId);
    const { records, publisher } = await this.records(partner.channelId, query.addedAfter);
    const page = this.page(records, query);
    return { ...page, items: await this.materialise(partner.channelId, page.items, publisher) };
  }

  async manifest(partner: PartnerPrincipal, collectionId: string, query: TaxiiQuery) {
    await this.collection(partner, collectionId);
    const page = this.page((await this.records(partner.channelId, query.addedAfter)).records, query);
    return {
      ...page,
      items: page.items.map((record) => ({ id: record.id, date_added: record.dateAdded.toISOString(), version: record.version.toISOString(), media_type: STIX_MEDIA_TYPE })),
    };
  }

  async object(partner: PartnerPrincipal, collectionId: string, objectId: string, query: TaxiiQuery): Promise<Page<StixObject>> {
    await this.collection(partner, collectionId);
    const collection = await this.records(partner.channelId);
    const records = collection.records.filter((record) => record.id === objectId);
    if (records.length === 0) throw new TaxiiError(HttpStatus.NOT_FOUND, 'Object not found', `There is no object ${objectId} in this collection.`);
    const page = this.page(records, { ...query, ids: undefined });
    return { ...page, items: await this.materialise(partner.channelId, page.items, collection.publisher) };
  }

  async versions(partner: PartnerPrincipal, collectionId: string, objectId: string, query: TaxiiQuery) {
    await this.collection(partner, collectionId);
    const records = (await this.records(partner.channelId)).records.filter((record) => record.id === objectId);
    if (records.length === 0) throw new TaxiiError(HttpStatus.NOT_FOUND, 'Object not found', `There is no object ${objectId} in this collection.`);
    const page = this.page(records, { ...query, ids: undefined, versions: ['all'] });
    const versions = [...new Set(page.items.map((record) => record.version.toISOString()))].sort();
    return { ...page, items: versions };
  }

  /**
   * The object versions of the channel's collection, in collection order; only those added after
   * `addedAfter` when given (a client polling for what is new reads only the new entries).
   */
  private async records(channelId: string, addedAfter?: Date): Promise<{ records: ObjectRecord[]; publisher: Publisher }> {
    const [heads, publisher, [channel]] = await Promise.all([
      this.view.heads(channelId, addedAfter),
      this.view.publisher(),
      this.dataSource.query('SELECT created_at FROM channels WHERE id = $1', [channelId]) as Promise<{ created_at: Date }[]>,
    ]);
    // The team identity and the marking definitions, as of the channel's creation.
    const fixedObjects: StixObject[] = [identity(publisher), ...Object.values(TLP_MARKINGS), ...Object.values(PAP_MARKINGS)];
    const records: ObjectRecord[] = fixedObjects.map((object, part) => ({
      id: object.id,
      type: object.type,
      version: new Date(String(object.modified ?? object.created)),
      dateAdded: channel.created_at,
      seq: 0n,
      part,
      head: null,
      fixed: object,
    }));
    for (const head of heads) {
      const common = { dateAdded: head.deliveredAt, seq: BigInt(head.seq), head };
      const main = itemStixId(head.itemId, head.kind);
      records.push({ ...common, id: main, type: main.split('--')[0], version: modifiedOf(head), part: 0 });
      if (inClear(head)) {
        head.indicators.forEach((indicator, index) => {
          records.push({ ...common, id: indicatorId(head.itemId, indicator), type: 'indicator', version: head.versionCreatedAt, part: index + 1 });
        });
      } else {
        records.push({ ...common, id: artifactId(head.deliveryId), type: 'artifact', version: head.deliveredAt, part: 1 });
      }
    }
    records.sort((a, b) => a.dateAdded.getTime() - b.dateAdded.getTime() || (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : a.part - b.part));
    return { records, publisher };
  }

  private page(all: readonly ObjectRecord[], query: TaxiiQuery): Page<ObjectRecord> {
    let records = all.filter(
      (record) =>
        (!query.ids || query.ids.includes(record.id)) &&
        (!query.types || query.types.includes(record.type)) &&
        (!query.specVersions || query.specVersions.includes('2.1')),
    );
    // As the reference server (medallion) does: added_after first, then the version filter.
    if (query.addedAfter) records = records.filter((record) => record.dateAdded.getTime() > query.addedAfter!.getTime());
    records = byVersion(records, query.versions);
    if (query.next) {
      const { dateAdded, seq, part } = query.next;
      records = records.filter(
        (record) =>
          record.dateAdded.getTime() > dateAdded ||
          (record.dateAdded.getTime() === dateAdded && (record.seq > seq || (record.seq === seq && record.part > part))),
      );
    }
    const items = records.slice(0, query.limit);
    const more = records.length > items.length;
    const last = items[items.length - 1];
    return {
      items,
      more,
      next: more ? Buffer.from(`${last.dateAdded.getTime()}.${last.seq}.${last.part}`).toString('base64url') : undefined,
      first: items[0]?.dateAdded,
      last: last?.dateAdded,
    };
  }

  /** The STIX objects of a page: messages and clear content are read only for its entries. */
  private async materialise(channelId: string, records: readonly ObjectRecord[], publisher: Publisher): Promise<StixObject[]> {
    const heads = [...new Map(records.filter((record) => record.head).map((record) => [record.head!.seq, record.head!])).values()];
    const [messages, clear] = await Promise.all([
      this.view.messages(
        channelId,
        heads.filter((head) => !inClear(head)).map((head) => head.seq),
      ),
      this.view.clearContent(heads),
    ]);
    const built = new Map<string, StixObject[]>();
    for (const head of heads) {
      const content = clear.get(head.seq);
      if (content) built.set(head.seq, itemObjects(content, publisher));
      else if (messages.has(head.seq)) built.set(head.seq, sealedObjects(this.view.sealedCopy(head, messages.get(head.seq)!), publisher));
    }
    return records.flatMap((record) => {
      if (record.fixed) return [record.fixed];
      const objects = built.get(record.head!.seq) ?? [];
      const object = objects.find((candidate) => candidate.id === record.id);
      return object ? [object] : [];
    });
  }
}

function byVersion(records: ObjectRecord[], wanted: TaxiiQuery['versions']): ObjectRecord[] {
  if (wanted.includes('all')) return records;
  const byId = new Map<string, ObjectRecord[]>();
  for (const record of records) byId.set(record.id, [...(byId.get(record.id) ?? []), record]);
  const keep = new Set<ObjectRecord>();
  for (const versions of byId.values()) {
    const sorted = [...versions].sort((a, b) => a.version.getTime() - b.version.getTime());
    for (const want of wanted) {
      if (want === 'first') keep.add(sorted[0]);
      else if (want === 'last') keep.add(sorted[sorted.length - 1]);
      else if (want instanceof Date) for (const record of sorted.filter((r) => r.version.getTime() === want.getTime())) keep.add(record);
    }
  }
  return records.filter((record) => keep.has(record));
}

/** Reads TAXII's query parameters (`added_after`, `limit`, `next`, `match[…]`); bad ones are a 400 TAXII error. */
export function parseTaxiiQuery(raw: Record<string, unknown>): TaxiiQuery {
  const bad = (parameter: string, why: string) => new TaxiiError(HttpStatus.BAD_REQUEST, 'Invalid query parameter', `${parameter}: ${why}`);
  const single = (name: string): string | undefined => {
    const value = raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw bad(name, 'give it once');
    return value;
  };
  const match = (name: string): string[] | undefined => {
    const flat = raw[`match[${name}]`];
    const nested = typeof raw.match === 'object' && raw.match !== null ? (raw.match as Record<string, unknown>)[name] : undefined;
    const value = flat ?? nested;
    if (value === undefined) return undefined;
    const values = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
    if (values.length === 0) throw bad(`match[${name}]`, 'give at least one value');
    return values;
  };
  const timestamp = (name: string, value: string): Date => {
    const date = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) || Number.isNaN(date.getTime())) throw bad(name, 'an RFC 3339 timestamp in UTC is required, e.g. 2026-11-30T08:00:00.000Z');
    return date;
  };

  const addedAfterRaw = single('added_after');
  const limitRaw = single('limit');
  let limit = DEFAULT_LIMIT;
  if (limitRaw !== undefined) {
    if (!/^\d+$/.test(limitRaw) || Number(limitRaw) < 1) throw bad('limit', 'a positive whole number is required');
    limit = Math.min(Number(limitRaw), MAX_LIMIT);
  }
  const nextRaw = single('next');
  let next: TaxiiQuery['next'];
  if (nextRaw !== undefined) {
    const parts = /^(\d+)\.(\d+)\.(\d+)$/.exec(Buffer.from(nextRaw, 'base64url').toString());
    if (!parts) throw bad('next', 'use the value of `next` from the previous page');
    next = { dateAdded: Number(parts[1]), seq: BigInt(parts[2]), part: Number(parts[3]) };
  }
  const versions = (match('version') ?? ['last']).map((value) => (value === 'first' || value === 'last' || value === 'all' ? value : timestamp('match[version]', value)));
  return {
    addedAfter: addedAfterRaw === undefined ? undefined : timestamp('added_after', addedAfterRaw),
    limit,
    next,
    types: match('type'),
    ids: match('id'),
    versions,
    specVersions: match('spec_version'),
  };
}
