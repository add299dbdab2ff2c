import { plainToInstance } from 'class-transformer';
import { IsInt, IsOptional, IsString, validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { IsTimestamp, QueryInteger, requireSomeField, SingleLine } from './validators';

class Titled {
  @IsString()
  @SingleLine()
  title!: string;

  @IsOptional()
  @SingleLine({ each: true })
  names?: string[];
}

class Paged {
  @IsOptional()
  @QueryInteger()
  @IsInt({ message: 'limit must be a whole number' })
  limit?: number;
}

class Timed {
  @IsTimestamp()
  at!: string;
}

const problems = <T extends object>(type: new () => T, plain: object) =>
  validateSync(plainToInstance(type, plain) as object).flatMap((error) => Object.values(error.constraints ?? {}));

describe('@SingleLine', () => {
  it.each([
    ['a line feed', 'Phishing\nwave', 'U+000A'],
    ['a carriage return', 'Phishing\rBcc: x', 'U+000D'],
    ['a tab', 'Phishing\twave', 'U+0009'],
    ['a line separator', 'Phishing\u2028wave', 'U+2028'],
    ['a paragraph separator', 'Phishing\u2029wave', 'U+2029'],
    ['NUL', 'Phishing\u0000wave', 'U+0000'],
    ['a C1 control', 'Phishing\u0085wave', 'U+0085'],
    ['a lone surrogate', 'Phishing\ud800wave', 'U+D800'],
  ])('refuses %s, naming the field and the character', (_name, title, point) => {
    const [message] = problems(Titled, { title });
    expect(message).toMatch(/^title /);
    expect(message).toContain(point);
  });

  it('accepts a single line of any script', () => {
    expect(problems(Titled, { title: 'Rançongiciel « LockBit » — 東京 \u{1f600}' })).toEqual([]);
  });

  it('checks each entry of an array', () => {
    expect(problems(Titled, { title: 'ok', names: ['a', 'b\nc'] })).toEqual([expect.stringContaining('U+000A')]);
  });
});

describe('@QueryInteger', () => {
  it.each(['1e3', '0x10', ' 5', '', '5.0', '+5', '99999999999999999999', 'Infinity'])(
    'leaves %j to fail as not a whole number',
    (limit) => {
      expect(problems(Paged, { limit })).toEqual(['limit must be a whole number']);
    },
  );

  it('reads plain decimal digits', () => {
    expect(plainToInstance(Paged, { limit: '42' }).limit).toBe(42);
    expect(plainToInstance(Paged, { limit: '-1' }).limit).toBe(-1);
  });
});

describe('@IsTimestamp', () => {
  it.each(['2026-12-01T08:00:00Z', '2026-12-01T08:00:00.123+02:00', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z'])(
    'accepts %s',
    (at) => {
      expect(problems(Timed, { at })).toEqual([]);
    },
  );

  it.each([
    '2026-12-01T08:00:00',
    '2026-12-01',
    'yesterday',
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '+275760-09-13T00:00:00Z',
    '2026-12-01 08:00:00Z',
  ])('refuses %s, saying what is expected', (at) => {
    expect(problems(Timed, { at })).toEqual([
      expect.stringMatching(/^at must be an ISO 8601 date and time with its time zone/),
    ]);
  });
});

describe('requireSomeField', () => {
  it('refuses a change naming nothing to change, naming the body', () => {
    expect(() => requireSomeField({}, ['status', 'communities'])).toThrow(
      expect.objectContaining({
        response: expect.objectContaining({
          details: [{ field: 'body', message: 'nothing to change: give at least one of status, communities' }],
        }),
      }),
    );
    expect(() => requireSomeField({ communities: [] }, ['status', 'communities'])).not.toThrow();
  });
});
