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
  it('reads the query as libs/stix parses it (its own tests cover the parsing)', () => {
    expect(readTaxiiQuery({ limit: '7', 'match[type]': 'report,indicator' })).toMatchObject({
      limit: 7,
      types: ['report', 'indicator'],
      versions: ['last'],
    });
  });

  it("answers the parser's refusals as TAXII errors naming the parameter", () => {
    expect(refusal({ limit: '0' }).description).toBe('limit: a positive whole number is required');
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
