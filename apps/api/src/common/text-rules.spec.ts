import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findForbiddenText, forbiddenCharacter, lineBreak } from './text-rules';

/** Every character no field may hold: C0 but TAB/LF/CR, DEL, C1, lone surrogates, U+FFFE/U+FFFF. */
const FORBIDDEN_CHARACTERS = [
  ...Array.from({ length: 0x20 }, (_, code) => code).filter((code) => code !== 0x09 && code !== 0x0a && code !== 0x0d),
  ...Array.from({ length: 0xa0 - 0x7f }, (_, offset) => 0x7f + offset),
  0xfffe,
  0xffff,
].map((code) => String.fromCharCode(code));

describe('forbiddenCharacter', () => {
  it.each(
    FORBIDDEN_CHARACTERS.map((char) => [`U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, char]),
  )('refuses %s, naming it', (point, char) => {
    expect(forbiddenCharacter(`Ransomware${char}wave`)).toContain(point);
  });

  it('refuses unpaired surrogates, high or low, and accepts pairs', () => {
    expect(forbiddenCharacter('a\ud800b')).toMatch(/unpaired surrogate \(U\+D800\)/);
    expect(forbiddenCharacter('a\udc00')).toMatch(/unpaired surrogate \(U\+DC00\)/);
    expect(forbiddenCharacter('\ud800')).toMatch(/unpaired/);
    expect(forbiddenCharacter('emoji \ud83d\ude00 ok')).toBeNull();
  });

  it('accepts TAB, LF, CR, line and paragraph separators and any other text', () => {
    expect(forbiddenCharacter('line one\r\nline two\ttabbed\u2028\u2029')).toBeNull();
    expect(forbiddenCharacter('Rançongiciel « LockBit » — 東京 ₿ \u00a0')).toBeNull();
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        (text) =>
          forbiddenCharacter(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g, '')) ===
          null,
      ),
    );
  });
});

describe('lineBreak', () => {
  it.each([
    ['LF', '\n', 'U+000A'],
    ['CR', '\r', 'U+000D'],
    ['TAB', '\t', 'U+0009'],
    ['LINE SEPARATOR', '\u2028', 'U+2028'],
    ['PARAGRAPH SEPARATOR', '\u2029', 'U+2029'],
  ])('refuses %s in a single-line field', (_name, char, point) => {
    expect(lineBreak(`title${char}Bcc: x`)).toContain(point);
  });

  it('accepts one line', () => {
    expect(lineBreak('One line, with spaces and « quotes »')).toBeNull();
  });
});

describe('findForbiddenText', () => {
  it('names the field as validation errors do, in nested objects and arrays', () => {
    const body = {
      title: 'ok',
      indicators: [
        { type: 'ipv4', value: '203.0.113.7' },
        { type: 'domain', value: 'evil\u0000.example' },
      ],
    };
    expect(findForbiddenText(body, '')).toEqual({
      field: 'indicators.1.value',
      message: expect.stringContaining('U+0000'),
    });
    expect(findForbiddenText({ audience: { communities: ['eu-lea', 'x\u0085'] } }, '')).toMatchObject({
      field: 'audience.communities.1',
    });
  });

  it('checks property names too', () => {
    expect(findForbiddenText({ provenance: { 'orig\u0000inator': 'x' } }, '')).toEqual({
      field: 'provenance',
      message: expect.stringMatching(/^a property name contains/),
    });
  });

  it('names a query parameter or route parameter by its name', () => {
    expect(findForbiddenText({ since: '2026\u0007' }, '', 'query')).toMatchObject({ field: 'since' });
    expect(findForbiddenText('abc\u007f', 'collection', 'query')).toMatchObject({ field: 'collection' });
    expect(findForbiddenText('abc\u007f', '', 'query')).toMatchObject({ field: 'query' });
  });

  it('accepts clean values of every kind', () => {
    expect(findForbiddenText({ a: 1, b: true, c: null, d: ['x', { e: 'multi\nline' }] }, '')).toBeNull();
  });

  it('walks a value nested 100,000 levels deep without recursion', () => {
    let deep: unknown = 'bottom\u0001';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const problem = findForbiddenText({ x: deep }, '');
    expect(problem?.message).toContain('U+0001');
  });
});
