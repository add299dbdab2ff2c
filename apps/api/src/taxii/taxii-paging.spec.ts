import { describe, expect, it } from 'vitest';
import { parseTaxiiQuery } from './taxii-query';
import { BASE, RECORDS } from './taxii.test-fixtures';
import { pageOfRecords, selectRecords } from './taxii-paging';

/** The page a query gets of RECORDS; `next` tokens are the date added itself here. */
function page(raw: Record<string, unknown> = {}) {
  const query = parseTaxiiQuery(raw);
  const after = query.next === undefined ? undefined : Number(query.next);
  const afterUs = after === undefined ? query.addedAfter : Math.max(after, query.addedAfter ?? after);
  return pageOfRecords(selectRecords(RECORDS, query, afterUs), query.limit, String);
}

const shown = (raw: Record<string, unknown>) =>
  page(raw).items.map((item) => `${item.id}@${item.version.toISOString()}`);

describe('TAXII paging', () => {
  it('serves the last version of each object by default, in collection order, with the page range', () => {
    const first = page();
    expect(first.items.map((item) => `${item.id}@${item.version.toISOString()}`)).toEqual([
      'identity--team@2026-12-01T09:00:00.000Z',
      'indicator--a@2026-12-01T09:00:00.000Z',
      'report--a@2026-12-01T09:30:00.000Z',
      'artifact--b@2026-12-01T09:00:00.000Z',
    ]);
    expect(first).toMatchObject({ more: false, next: undefined });
    expect(first.first).toBe('2026-12-01T10:00:00.000001Z');
    expect(first.last).toBe('2026-12-01T10:00:00.000021Z');
  });

  it('pages by limit with a `next` that continues exactly after the last object served', () => {
    const first = page({ limit: '2', 'match[version]': 'all' });
    expect(first.items.map((item) => item.id)).toEqual(['identity--team', 'report--a']);
    expect(first).toMatchObject({ more: true, next: String(BASE + 10) });
    const second = page({ limit: '2', 'match[version]': 'all', next: first.next });
    expect(second.items.map((item) => item.id)).toEqual(['indicator--a', 'report--a']);
    const third = page({ limit: '2', 'match[version]': 'all', next: second.next });
    expect(third.items.map((item) => item.id)).toEqual(['artifact--b']);
    expect(third).toMatchObject({ more: false, next: undefined });
  });

  it('applies `added_after` (to the microsecond) before the version filter, and `next` after it', () => {
    expect(shown({ added_after: '2026-12-01T10:00:00.000011Z' })).toEqual([
      'report--a@2026-12-01T09:30:00.000Z',
      'artifact--b@2026-12-01T09:00:00.000Z',
    ]);
    // The first version added after the time, not the object's first version.
    expect(shown({ added_after: '2026-12-01T10:00:00.000011Z', 'match[version]': 'first' })).toEqual([
      'report--a@2026-12-01T09:30:00.000Z',
      'artifact--b@2026-12-01T09:00:00.000Z',
    ]);
    // The object's first version, though the page continues after it.
    expect(shown({ 'match[version]': 'first', next: String(BASE + 10) })).toEqual([
      'indicator--a@2026-12-01T09:00:00.000Z',
      'artifact--b@2026-12-01T09:00:00.000Z',
    ]);
  });

  it('filters by match[type], match[id], match[version] (first, a timestamp) and match[spec_version]', () => {
    expect(shown({ 'match[type]': 'indicator,artifact' })).toEqual([
      'indicator--a@2026-12-01T09:00:00.000Z',
      'artifact--b@2026-12-01T09:00:00.000Z',
    ]);
    expect(shown({ 'match[id]': 'report--a', 'match[version]': 'first' })).toEqual([
      'report--a@2026-12-01T09:00:00.000Z',
    ]);
    expect(shown({ 'match[id]': 'report--a', 'match[version]': '2026-12-01T09:30:00.000Z' })).toEqual([
      'report--a@2026-12-01T09:30:00.000Z',
    ]);
    expect(shown({ 'match[spec_version]': '2.0' })).toEqual([]);
    expect(shown({ 'match[spec_version]': '2.1', 'match[type]': 'identity' })).toEqual([
      'identity--team@2026-12-01T09:00:00.000Z',
    ]);
  });
});
