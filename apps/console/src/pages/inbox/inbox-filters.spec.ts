import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, inboxQuery, newArrivals, readFilters, snapshotOf, writeFilters } from './inbox-filters';

const entry = (id: string, receivedAt: string) => ({ id, receivedAt });

describe('the inbox filters', () => {
  it('read the address, anything unknown as the default (open entries from every way in)', () => {
    expect(readFilters(new URLSearchParams('state=closed&source=email'))).toEqual({ state: 'closed', source: 'email' });
    expect(readFilters(new URLSearchParams('state=open'))).toEqual(DEFAULT_FILTERS);
    expect(readFilters(new URLSearchParams('state=deleted&source=fax'))).toEqual({ state: 'open', source: 'all' });
    expect(readFilters(new URLSearchParams(''))).toEqual({ state: 'open', source: 'all' });
  });

  it('write only what differs from the default, keeping the other parameters', () => {
    const written = writeFilters(new URLSearchParams('state=closed&page=2'), { state: 'open', source: 'taxii' });
    expect(written.toString()).toBe('page=2&source=taxii');
    expect(writeFilters(new URLSearchParams(), { state: 'in-triage', source: 'all' }).toString()).toBe(
      'state=in-triage',
    );
  });

  it('ask the API for the triage states and way in chosen, none at all meaning every one', () => {
    expect(inboxQuery({ state: 'open', source: 'all' })).toEqual({ state: ['received', 'in-triage'], limit: 200 });
    expect(inboxQuery({ state: 'closed', source: 'form' }, 50)).toEqual({
      state: ['closed'],
      source: ['form'],
      limit: 50,
    });
    expect(inboxQuery({ state: 'all', source: 'feed' })).toEqual({ source: ['feed'], limit: 200 });
  });
});

describe('new arrivals', () => {
  const first = [entry('b', '2026-12-01T10:05:00Z'), entry('a', '2026-12-01T10:00:00Z')];

  it('are none on the first read', () => {
    expect(newArrivals(null, first)).toEqual([]);
  });

  it('are the entries received after the newest one read before', () => {
    const next = [entry('d', '2026-12-01T10:07:00Z'), entry('c', '2026-12-01T10:06:00Z'), ...first];
    expect(newArrivals(snapshotOf(first), next).map((e) => e.id)).toEqual(['d', 'c']);
    expect(newArrivals(snapshotOf(next), next)).toEqual([]);
  });

  it('leave out an older entry that only moved into the filter (closed since it was read)', () => {
    const moved = [entry('b', '2026-12-01T10:05:00Z'), entry('old', '2026-11-30T09:00:00Z'), first[1]];
    expect(newArrivals(snapshotOf(first), moved)).toEqual([]);
  });

  it('count everything after an empty read', () => {
    expect(newArrivals(snapshotOf([]), first).map((e) => e.id)).toEqual(['b', 'a']);
  });
});
