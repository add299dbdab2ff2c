import { ObjectRecord, Page, taxiiTimestamp, TaxiiQuery } from './taxii.types';

/**
 * Of some object versions — all the collection holds of the objects they are versions of, in
 * collection order — those a query asks for, as the reference server (medallion) chooses them:
 * `match` filters, then `added_after`, then the version filter; then only those added after
 * `afterUs` (where the previous page ended).
 */
export function selectRecords(
  records: readonly ObjectRecord[],
  query: TaxiiQuery,
  afterUs: number | undefined,
): ObjectRecord[] {
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
export function pageOfRecords(
  found: readonly ObjectRecord[],
  limit: number,
  seal: (dateAddedUs: number) => string,
): Page<ObjectRecord> {
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
export function byVersion(records: ObjectRecord[], wanted: TaxiiQuery['versions']): ObjectRecord[] {
  if (wanted.includes('all')) return records;
  const byId = new Map<string, ObjectRecord[]>();
  for (const record of records) {
    const versions = byId.get(record.id);
    if (versions) versions.push(record);
    else byId.set(record.id, [record]);
  }
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
