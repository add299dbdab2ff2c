import { describe, expect, it } from 'vitest';
import {
  acceptsTaxii,
  byVersion,
  checkTimestampsExist,
  pageOfRecords,
  parseTaxiiQuery,
  selectRecords,
  STIX_MEDIA_TYPE,
  TAXII_MEDIA_TYPE,
  taxiiTimestamp,
  TaxiiQueryError,
  TaxiiRecord,
} from './taxii';

const BASE = Date.parse('2026-12-01T10:00:00Z') * 1000;

/** An object version added `offset` µs after BASE. */
const record = (id: string, offset: number, version = '2026-12-01T09:00:00.000Z'): TaxiiRecord => ({
  id,
  type: id.split('--')[0],
  version: new Date(version),
  dateAdded: BASE + offset,
});

const RECORDS = [
  record('identity--team', 1),
  record('report--a', 10, '2026-12-01T09:00:00.000Z'),
  record('indicator--a', 11),
  record('report--a', 20, '2026-12-01T09:30:00.000Z'),
  record('artifact--b', 21),
];

/** The page a query gets of RECORDS; `next` tokens are the date added itself here. */
function page(raw: Record<string, unknown> = {}) {
  const query = parseTaxiiQuery(raw);
  const after = query.next === undefined ? undefined : Number(query.next);
  const afterUs = after === undefined ? query.addedAfter : Math.max(after, query.addedAfter ?? after);
  return pageOfRecords(selectRecords(RECORDS, query, afterUs), query.limit, String);
}

const shown = (raw: Record<string, unknown>) =>
  page(raw).items.map((item) => `${item.id}@${item.version.toISOString()}`);

/** The parameter and reason a query is refused with. */
function refusal(raw: Record<string, unknown>): { parameter: string; why: string; message: string } {
  try {
    parseTaxiiQuery(raw);
  } catch (error) {
    if (!(error instanceof TaxiiQueryError)) throw error;
    return { parameter: error.parameter, why: error.why, message: error.message };
  }
  throw new Error(`accepted: ${JSON.stringify(raw)}`);
}

describe('TAXII media types and timestamps', () => {
  it('names TAXII 2.1 and STIX 2.1 media types', () => {
    expect(TAXII_MEDIA_TYPE).toBe('application/taxii+json;version=2.1');
    expect(STIX_MEDIA_TYPE).toBe('application/stix+json;version=2.1');
  });

  it('writes timestamps with six fractional digits', () => {
    expect(taxiiTimestamp(BASE)).toBe('2026-12-01T10:00:00.000000Z');
    expect(taxiiTimestamp(BASE + 123_456)).toBe('2026-12-01T10:00:00.123456Z');
  });

  it("accepts TAXII 2.1's media type, TAXII's without a version, or anything; refuses other types and versions", () => {
    for (const accept of [
      'application/taxii+json;version=2.1',
      'application/taxii+json',
      'text/html, */*',
      'application/*',
    ])
      expect(acceptsTaxii(accept), accept).toBe(true);
    for (const accept of ['application/json', 'application/taxii+json;version=2.0', 'text/*'])
      expect(acceptsTaxii(accept), accept).toBe(false);
  });
});

describe('parseTaxiiQuery', () => {
  it('reads defaults: 100 objects, the last version of each', () => {
    expect(parseTaxiiQuery({})).toEqual({
      addedAfter: undefined,
      limit: 100,
      next: undefined,
      types: undefined,
      ids: undefined,
      versions: ['last'],
      specVersions: undefined,
    });
  });

  it('reads added_after to the microsecond, dropping digits beyond the sixth', () => {
    expect(parseTaxiiQuery({ added_after: '2026-12-01T10:00:00.123456789Z' }).addedAfter).toBe(BASE + 123456);
    expect(parseTaxiiQuery({ added_after: '2026-12-01T10:00:00.5Z' }).addedAfter).toBe(BASE + 500_000);
    expect(parseTaxiiQuery({ added_after: '2026-12-01T10:00:00Z' }).addedAfter).toBe(BASE);
  });

  it('serves a limit above 1000 as 1000, and refuses one that is not a positive whole number', () => {
    expect(parseTaxiiQuery({ limit: '5000' }).limit).toBe(1000);
    expect(parseTaxiiQuery({ limit: '7' }).limit).toBe(7);
    for (const limit of ['0', '-1', '1.5', 'ten', ''])
      expect(refusal({ limit })).toEqual({
        parameter: 'limit',
        why: 'a positive whole number is required',
        message: 'limit: a positive whole number is required',
      });
  });

  it('reads match filters flat or nested, repeated or comma-separated, and versions as keywords or timestamps', () => {
    const query = parseTaxiiQuery({
      'match[type]': ['report', 'indicator,artifact'],
      match: { id: 'report--1' },
      'match[version]': 'first, 2026-11-30T08:00:00.000Z',
      'match[spec_version]': '2.1',
    });
    expect(query.types).toEqual(['report', 'indicator', 'artifact']);
    expect(query.ids).toEqual(['report--1']);
    expect(query.versions).toEqual(['first', new Date('2026-11-30T08:00:00.000Z')]);
    expect(query.specVersions).toEqual(['2.1']);
    expect(parseTaxiiQuery({ match: { version: 'all' } }).versions).toEqual(['all']);
    expect(refusal({ 'match[type]': ' , ' })).toMatchObject({
      parameter: 'match[type]',
      why: 'give at least one value',
    });
  });

  it('takes `next` as it is given, once: each server opens its own tokens', () => {
    expect(parseTaxiiQuery({ next: 'anything.at-all' }).next).toBe('anything.at-all');
    expect(refusal({ next: ['a', 'b'] })).toMatchObject({ parameter: 'next', why: 'give it once' });
    expect(refusal({ added_after: ['2026-11-30T08:00:00Z', '2026-11-30T09:00:00Z'] })).toMatchObject({
      parameter: 'added_after',
      why: 'give it once',
    });
  });

  it('refuses timestamps that are not RFC 3339 in UTC, naming the parameter', () => {
    expect(refusal({ added_after: '2026-11-30 08:00:00' })).toMatchObject({
      parameter: 'added_after',
      why: 'an RFC 3339 timestamp in UTC is required, e.g. 2026-11-30T08:00:00.000000Z',
    });
    expect(refusal({ added_after: '2026-11-30T08:00:00+01:00' }).parameter).toBe('added_after');
    expect(refusal({ 'match[version]': 'latest' })).toMatchObject({
      parameter: 'match[version]',
      why: 'an RFC 3339 timestamp in UTC is required, e.g. 2026-11-30T08:00:00.000Z',
    });
  });

  it('refuses timestamps that do not exist or are before 1970, before anything else', () => {
    expect(refusal({ added_after: '2026-02-31T08:00:00Z', limit: '0' })).toMatchObject({
      parameter: 'added_after',
      why: '2026-02-31T08:00:00Z is not a date and time that exists',
    });
    expect(refusal({ added_after: '2026-11-30T24:00:00Z' }).why).toBe(
      '2026-11-30T24:00:00Z is not a date and time that exists',
    );
    expect(refusal({ 'match[version]': 'last,1969-12-31T23:59:59Z' })).toMatchObject({
      parameter: 'match[version]',
      why: 'a timestamp from 1970 on is required',
    });
    expect(() =>
      checkTimestampsExist({ added_after: '2028-02-29T00:00:00Z', match: { version: 'all' } }),
    ).not.toThrow();
    expect(() => checkTimestampsExist({ match: { version: '2027-02-29T00:00:00Z' } })).toThrow(TaxiiQueryError);
  });
});

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

  it('answers an empty page without a range', () => {
    expect(page({ 'match[type]': 'malware' })).toEqual({
      items: [],
      more: false,
      next: undefined,
      first: undefined,
      last: undefined,
    });
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

  it('keeps the fields of the records it is given, and never the array it was given', () => {
    const own = RECORDS.map((r, i) => ({ ...r, extra: i }));
    const all = byVersion(own, ['all']);
    expect(all).toEqual(own);
    expect(all).not.toBe(own);
    expect(byVersion(own, ['first', 'last']).map((r) => r.extra)).toEqual([0, 1, 2, 3, 4]);
    expect(byVersion(own, ['last']).map((r) => r.extra)).toEqual([0, 2, 3, 4]);
  });
});
