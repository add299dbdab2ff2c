import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { TextRulesPipe } from './text-rules.pipe';

class SomeDto {
  title!: string;
}

const details = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return ((error as BadRequestException).getResponse() as { details: { field: string; message: string }[] }).details;
  }
  throw new Error('not refused');
};

describe('TextRulesPipe', () => {
  const pipe = new TextRulesPipe();

  it('refuses a forbidden character anywhere in a body, naming its path', () => {
    expect(details(() => pipe.transform({ a: [{ b: 'x\u0000' }] }, { type: 'body', metatype: SomeDto }))).toEqual([
      { field: 'a.0.b', message: expect.stringContaining('U+0000') },
    ]);
  });

  it('keeps line breaks in bodies (single-line fields say so themselves)', () => {
    expect(pipe.transform({ body: 'one\ntwo' }, { type: 'body', metatype: SomeDto })).toEqual({ body: 'one\ntwo' });
  });

  it('refuses a body that is not a JSON object where a DTO is expected', () => {
    for (const body of [[{ title: 'x' }], 'x', 5, null]) {
      expect(details(() => pipe.transform(body, { type: 'body', metatype: SomeDto }))).toEqual([
        { field: 'body', message: 'must be a JSON object' },
      ]);
    }
  });

  it('refuses line breaks and forbidden characters in query values and parameters, naming them', () => {
    expect(details(() => pipe.transform({ state: 'dead\n' }, { type: 'query', metatype: SomeDto }))).toEqual([
      { field: 'state', message: expect.stringContaining('single line') },
    ]);
    expect(details(() => pipe.transform({ limit: ['1', '2\r'] }, { type: 'query', metatype: SomeDto }))).toEqual([
      { field: 'limit', message: expect.stringContaining('U+000D') },
    ]);
    expect(details(() => pipe.transform('abc\u0085', { type: 'param', data: 'collection' }))).toEqual([
      { field: 'collection', message: expect.stringContaining('U+0085') },
    ]);
    expect(details(() => pipe.transform('a\tb', { type: 'param', data: 'file' }))).toEqual([
      { field: 'file', message: expect.stringContaining('U+0009') },
    ]);
  });

  it('passes clean values and custom parameters through unchanged', () => {
    const principal = { kind: 'staff', name: 'x\u0000' };
    expect(pipe.transform(principal, { type: 'custom' })).toBe(principal);
    expect(pipe.transform(undefined, { type: 'body', metatype: SomeDto })).toBeUndefined();
    expect(pipe.transform({ limit: '5' }, { type: 'query', metatype: SomeDto })).toEqual({ limit: '5' });
  });
});
