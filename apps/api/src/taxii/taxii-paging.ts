import { ObjectRecord, Page, taxiiTimestamp, TaxiiQuery } from './taxii.types';

/**
 * The page of a collection's object versions (in collection order) that a query asks for: `match`
 * filters, then `added_after`, then the version filter (as the reference server, medallion, does),
 * then what follows `next`, at most `limit`.
 */
export function pageOf(all: readonly ObjectRecord[], query: TaxiiQuery): Page<ObjectRecord> {
  let records = all.filter(
    (record) =>
      (!query.ids || query.ids.includes(record.id)) &&
      (!query.types || query.types.includes(record.type)) &&
      (!query.specVersions || query.specVersions.includes('2.1')),
  );
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

/** `match[version]`: of each object's versions, the first, the last, all, or those at given timestamps. */
export function byVersion(records: ObjectRecord[], wanted: TaxiiQuery['versions']): ObjectRecord[] {
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
