import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  artifactId,
  identity,
  indicatorId,
  indicatorVersionObjects,
  itemObjects,
  itemStixId,
  PAP_MARKINGS,
  Publisher,
  sealedObjects,
  StepView,
  StixObject,
  TLP_MARKINGS,
} from '@tlp-broker/stix';
import { PartnerPrincipal } from '../auth/principal';
import { EntryHead, inClear, PartnerView, servedContent } from '../feeds/partner-view';

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

/**
 * One object version in a collection: what TAXII filters, orders and pages, before any content is
 * read. Every object version has a date_added of its own, in microseconds (the precision of
 * PostgreSQL and of the reference server), so that a client asking for what was added after the
 * last date_added it saw never skips an object that shared it.
 */
interface ObjectRecord {
  readonly id: string;
  readonly type: string;
  /** The object's version (`modified`, else `created`). */
  readonly version: Date;
  /** Microseconds since the epoch: the entry's added time plus the object's place in it. */
  readonly dateAdded: number;
  readonly seq: bigint;
  readonly part: number;
  /** The feed entry it comes from, and how that entry is served; null for the team identity and the marking definitions. */
  readonly head: EntryHead | null;
  readonly view: StepView | null;
  /** For fixed objects: the object itself. */
  readonly fixed?: StixObject;
}

export interface TaxiiQuery {
  /** Microseconds since the epoch. */
  readonly addedAfter?: number;
  readonly limit: number;
  /** After the object added at `dateAdded` (microseconds since the epoch). */
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
  /** The page's first and last date_added, as TAXII timestamps with microseconds. */
  readonly first?: string;
  readonly last?: string;
}

/** A TAXII timestamp with six fractional digits (as the reference server writes them) from microseconds since the epoch. */
export function taxiiTimestamp(microseconds: number): string {
  const milliseconds = Math.floor(microseconds / 1000);
  return `${new Date(milliseconds).toISOString().slice(0, -1)}${String(microseconds - milliseconds * 1000).padStart(3, '0')}Z`;
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
    if (collectionId !== partner.channelId)
      throw new TaxiiError(
        HttpStatus.NOT_FOUND,
        'Collection not found',
        `There is no collection ${collectionId} for this credential.`,
      );
    const [row]: { name: string; contact: string | null }[] = await this.dataSource.query(
      `SELECT o.name, c.name AS contact FROM channels ch JOIN organisations o ON o.id = ch.organisation_id LEFT JOIN contacts c ON c.id = ch.contact_id WHERE ch.id = $1`,
      [partner.channelId],
    );
    return {
      id: partner.channelId,
      title: `Deliveries to ${row.contact ? `${row.contact} (${row.name})` : row.name}`,
      description:
        'What tlp-broker delivered to this channel. Above TLP:CLEAR, each item is an artifact encrypted to your OpenPGP key.',
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
      items: page.items.map((record) => ({
        id: record.id,
        date_added: taxiiTimestamp(record.dateAdded),
        version: record.version.toISOString(),
        media_type: STIX_MEDIA_TYPE,
      })),
    };
  }

  async object(
    partner: PartnerPrincipal,
    collectionId: string,
    objectId: string,
    query: TaxiiQuery,
  ): Promise<Page<StixObject>> {
    await this.collection(partner, collectionId);
    const collection = await this.records(partner.channelId);
    const records = collection.records.filter((record) => record.id === objectId);
    if (records.length === 0)
      throw new TaxiiError(
        HttpStatus.NOT_FOUND,
        'Object not found',
        `There is no object ${objectId} in this collection.`,
      );
    const page = this.page(records, { ...query, ids: undefined });
    return { ...page, items: await this.materialise(partner.channelId, page.items, collection.publisher) };
  }

  async versions(partner: PartnerPrincipal, collectionId: string, objectId: string, query: TaxiiQuery) {
    await this.collection(partner, collectionId);
    const records = (await this.records(partner.channelId)).records.filter((record) => record.id === objectId);
    if (records.length === 0)
      throw new TaxiiError(
        HttpStatus.NOT_FOUND,
        'Object not found',
        `There is no object ${objectId} in this collection.`,
      );
    const page = this.page(records, { ...query, ids: undefined, versions: ['all'] });
    const versions = [...new Set(page.items.map((record) => record.version.toISOString()))].sort();
    return { ...page, items: versions };
  }

  /**
   * The object versions of the channel's collection, in collection order; only those that may have
   * been added after `addedAfter` (microseconds) when given (a client polling for what is new reads
   * only the new entries). Each entry is served as the change it makes to what the partner holds:
   * new versions of its report and indicators, and revoked versions of indicators (and, for a
   * recall, of the report) it no longer stands by.
   */
  private async records(
    channelId: string,
    addedAfter?: number,
  ): Promise<{ records: ObjectRecord[]; publisher: Publisher }> {
    const [heads, publisher, channelCreated] = await Promise.all([
      this.view.heads(channelId, addedAfter),
      this.view.publisher(),
      this.view.channelCreatedUs(channelId),
    ]);
    const views = await this.view.served(channelId, heads);
    // The team identity and the marking definitions, added just before the channel was created
    // (each at a microsecond of its own, before any feed entry).
    const fixedObjects: StixObject[] = [
      identity(publisher),
      ...Object.values(TLP_MARKINGS),
      ...Object.values(PAP_MARKINGS),
    ];
    const records: ObjectRecord[] = fixedObjects.map((object, part) => ({
      id: object.id,
      type: object.type,
      version: new Date(String(object.modified ?? object.created)),
      dateAdded: channelCreated - fixedObjects.length + part,
      seq: 0n,
      part,
      head: null,
      view: null,
      fixed: object,
    }));
    for (const head of heads) {
      const view = views.get(head.deliveryId)!;
      let part = 0;
      const add = (id: string, type: string, version: Date) => {
        records.push({ id, type, version, dateAdded: head.addedUs + part, seq: BigInt(head.seq), part, head, view });
        part += 1;
      };
      const main = itemStixId(head.itemId, head.kind, view.generation);
      add(main, main.split('--')[0], view.modified);
      if (inClear(head)) {
        for (const live of view.live) add(indicatorId(head.itemId, live.indicator), 'indicator', live.modified);
      } else {
        add(artifactId(head.deliveryId), 'artifact', view.modified);
      }
      for (const revoked of view.revoked)
        add(indicatorId(head.itemId, revoked.indicator), 'indicator', revoked.modified);
    }
    records.sort((a, b) => a.dateAdded - b.dateAdded);
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
    if (query.addedAfter !== undefined) records = records.filter((record) => record.dateAdded > query.addedAfter!);
    records = byVersion(records, query.versions);
    // Dates added are distinct, so the last one seen is a complete cursor.
    if (query.next) records = records.filter((record) => record.dateAdded > query.next!.dateAdded);
    const items = records.slice(0, query.limit);
    const more = records.length > items.length;
    const last = items[items.length - 1];
    return {
      items,
      more,
      next: more ? Buffer.from(`${last.dateAdded}.${last.seq}.${last.part}`).toString('base64url') : undefined,
      first: items[0] ? taxiiTimestamp(items[0].dateAdded) : undefined,
      last: last ? taxiiTimestamp(last.dateAdded) : undefined,
    };
  }

  /** The STIX objects of a page: messages and clear content are read only for its entries. */
  private async materialise(
    channelId: string,
    records: readonly ObjectRecord[],
    publisher: Publisher,
  ): Promise<StixObject[]> {
    const entries = [
      ...new Map(
        records
          .filter((record) => record.head)
          .map((record) => [record.head!.seq, { head: record.head!, view: record.view! }]),
      ).values(),
    ];
    const heads = entries.map((entry) => entry.head);
    const [messages, clear] = await Promise.all([
      this.view.messages(
        channelId,
        heads.filter((head) => !inClear(head)).map((head) => head.seq),
      ),
      this.view.clearContent(heads),
    ]);
    const built = new Map<string, StixObject[]>();
    for (const { head, view } of entries) {
      const content = clear.get(head.seq);
      const revoked = indicatorVersionObjects(head.itemId, head.itemCreatedAt, view.revoked, publisher);
      if (content) built.set(head.seq, [...itemObjects(servedContent(content, view), publisher), ...revoked]);
      else if (messages.has(head.seq))
        built.set(head.seq, [
          ...sealedObjects(this.view.sealedCopy(head, messages.get(head.seq)!, view), publisher),
          ...revoked,
        ]);
    }
    return records.flatMap((record) => {
      if (record.fixed) return [record.fixed];
      const objects = built.get(record.head!.seq) ?? [];
      const object = objects.find(
        (candidate) =>
          candidate.id === record.id &&
          (candidate.modified === undefined || candidate.modified === record.version.toISOString()),
      );
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
      else if (want instanceof Date)
        for (const record of sorted.filter((r) => r.version.getTime() === want.getTime())) keep.add(record);
    }
  }
  return records.filter((record) => keep.has(record));
}

/** Reads TAXII's query parameters (`added_after`, `limit`, `next`, `match[…]`); bad ones are a 400 TAXII error. */
export function parseTaxiiQuery(raw: Record<string, unknown>): TaxiiQuery {
  const bad = (parameter: string, why: string) =>
    new TaxiiError(HttpStatus.BAD_REQUEST, 'Invalid query parameter', `${parameter}: ${why}`);
  const single = (name: string): string | undefined => {
    const value = raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw bad(name, 'give it once');
    return value;
  };
  const match = (name: string): string[] | undefined => {
    const flat = raw[`match[${name}]`];
    const nested =
      typeof raw.match === 'object' && raw.match !== null ? (raw.match as Record<string, unknown>)[name] : undefined;
    const value = flat ?? nested;
    if (value === undefined) return undefined;
    const values = (Array.isArray(value) ? value : [value])
      .flatMap((v) => String(v).split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.length === 0) throw bad(`match[${name}]`, 'give at least one value');
    return values;
  };
  const timestamp = (name: string, value: string): Date => {
    const date = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) || Number.isNaN(date.getTime()))
      throw bad(name, 'an RFC 3339 timestamp in UTC is required, e.g. 2026-11-30T08:00:00.000Z');
    return date;
  };
  // Dates added carry microseconds: Date would drop all but three digits and match the wrong objects.
  const microseconds = (name: string, value: string): number => {
    const parts = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(value);
    const seconds = parts ? Date.parse(`${parts[1]}Z`) : Number.NaN;
    if (!parts || Number.isNaN(seconds))
      throw bad(name, 'an RFC 3339 timestamp in UTC is required, e.g. 2026-11-30T08:00:00.000000Z');
    // Digits beyond the sixth are dropped: an object added at that microsecond is not after it.
    return seconds * 1000 + Number((parts[2] ?? '').padEnd(6, '0').slice(0, 6));
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
  const versions = (match('version') ?? ['last']).map((value) =>
    value === 'first' || value === 'last' || value === 'all' ? value : timestamp('match[version]', value),
  );
  return {
    addedAfter: addedAfterRaw === undefined ? undefined : microseconds('added_after', addedAfterRaw),
    limit,
    next,
    types: match('type'),
    ids: match('id'),
    versions,
    specVersions: match('spec_version'),
  };
}
