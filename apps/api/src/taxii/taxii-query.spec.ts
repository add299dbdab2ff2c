import { describe, expect, it } from 'vitest';
import { readTaxiiQuery } from './taxii-query';
import { TaxiiError } from './taxii.types';

/** The TAXII error a query is refused with. */
function refusal(raw: Record<string, unknown>): { status: number; description: string } {
  try {
    readTaxiiQuery(raw);
  } catch (error) {
    if (!(error instanceof TaxiiError)) throw error;
    const body = error.getResponse() as { description: string; title: string; http_status: string };
    expect(body.title).toBe('Invalid query parameter');
    expect(body.http_status).toBe('400');
    return { status: error.getStatus(), description: body.description };
  }
  throw new Error(`accepted: ${JSON.stringify(raw)}`);
}

describe('readTaxiiQuery', () => {
  it('reads defaults: 100 objects, the last version of each', () => {
    expect(readTaxiiQuery({})).toEqual({
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
    const base = Date.parse('2026-11-30T08:00:00Z') * 1000;
    expect(readTaxiiQuery({ added_after: '2026-11-30T08:00:00.123456789Z' }).addedAfter).toBe(base + 123456);
    expect(readTaxiiQuery({ added_after: '2026-11-30T08:00:00Z' }).addedAfter).toBe(base);
  });

  it('serves a limit above 1000 as 1000, and refuses one that is not a positive whole number', () => {
    expect(readTaxiiQuery({ limit: '5000' }).limit).toBe(1000);
    expect(readTaxiiQuery({ limit: '7' }).limit).toBe(7);
    for (const limit of ['0', '-1', '1.5', 'ten'])
      expect(refusal({ limit }).description).toBe('limit: a positive whole number is required');
  });

  it('reads match filters flat or nested, repeated or comma-separated, and versions as keywords or timestamps', () => {
    const query = readTaxiiQuery({
      'match[type]': ['report', 'indicator,artifact'],
      match: { id: 'report--1' },
      'match[version]': 'first, 2026-11-30T08:00:00.000Z',
      'match[spec_version]': '2.1',
    });
    expect(query.types).toEqual(['report', 'indicator', 'artifact']);
    expect(query.ids).toEqual(['report--1']);
    expect(query.versions).toEqual(['first', new Date('2026-11-30T08:00:00.000Z')]);
    expect(query.specVersions).toEqual(['2.1']);
    expect(refusal({ 'match[type]': ' , ' }).description).toBe('match[type]: give at least one value');
  });

  it('takes a `next` shaped like a token the broker hands out as it is given, and refuses anything else', () => {
    const token = `${Buffer.from('1764489600000001').toString('base64url')}.${'A'.repeat(22)}`;
    expect(readTaxiiQuery({ next: token }).next).toBe(token);
    for (const next of [
      'not-a-token',
      Buffer.from('1764489600000001').toString('base64url'),
      `${token}.x`,
      `${token.slice(0, -1)}`,
      '%%%',
    ])
      expect(refusal({ next }).description).toBe('next: use the value of `next` from the previous page');
    expect(refusal({ next: [token, token] }).description).toBe('next: give it once');
  });

  it('refuses timestamps that are not RFC 3339 in UTC, that do not exist, or are before 1970, naming the parameter', () => {
    expect(refusal({ added_after: '2026-11-30 08:00:00' }).description).toBe(
      'added_after: an RFC 3339 timestamp in UTC is required, e.g. 2026-11-30T08:00:00.000000Z',
    );
    expect(refusal({ added_after: '2026-02-31T08:00:00Z' }).description).toBe(
      'added_after: 2026-02-31T08:00:00Z is not a date and time that exists',
    );
    expect(refusal({ 'match[version]': '1969-12-31T23:59:59Z' }).description).toBe(
      'match[version]: a timestamp from 1970 on is required',
    );
    expect(refusal({ 'match[version]': 'latest' }).description).toBe(
      'match[version]: an RFC 3339 timestamp in UTC is required, e.g. 2026-11-30T08:00:00.000Z',
    );
  });

  it('refuses a parameter given twice, and text no output could carry, naming the parameter', () => {
    expect(refusal({ added_after: ['2026-11-30T08:00:00Z', '2026-11-30T09:00:00Z'] }).description).toBe(
      'added_after: give it once',
    );
    expect(refusal({ 'match[id]': 'report--1\u0000' }).description).toMatch(/^match\[id\]: /);
    expect(refusal({ 'match[id]': 'report--1\nreport--2' }).description).toMatch(/^match\[id\]: /);
  });
});
