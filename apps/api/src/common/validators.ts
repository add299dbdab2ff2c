import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, isISO8601, Max, Min, registerDecorator, ValidationOptions } from 'class-validator';
import { parsePapLabel, parseTlpLabel } from '@tlp-broker/tlp';
import { invalidField } from './errors';
import { forbiddenCharacter, lineBreak } from './text-rules';

/** Accepts TLP 2.0, TLP 1.0 and ISTLP 1.1 spellings; the service stores the TLP 2.0 form. */
export function IsTlpLabel(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTlpLabel',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => parseTlpLabel(value).ok,
        defaultMessage: (args) => {
          const result = parseTlpLabel(args?.value);
          return result.ok ? '' : result.error;
        },
      },
    });
}

export function IsPapLabel(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPapLabel',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => parsePapLabel(value).ok,
        defaultMessage: (args) => {
          const result = parsePapLabel(args?.value);
          return result.ok ? '' : result.error;
        },
      },
    });
}

/**
 * A one-line field (a title, a name, an address, a URL, a reason): no line break, tab or U+2028/
 * U+2029 — it becomes an e-mail header, an XML element or a log line where a break would split
 * it. Multi-line fields (an item's body and summary, notices, descriptions) do without it. The
 * characters no field may hold are refused for every field by TextRulesPipe; this checks them
 * too, so the rule holds wherever the DTO is validated.
 */
export function SingleLine(options?: ValidationOptions): PropertyDecorator {
  const problem = (value: unknown): string | null => {
    const texts = Array.isArray(value) ? value : [value];
    for (const text of texts) {
      if (typeof text !== 'string') continue;
      const found = forbiddenCharacter(text) ?? lineBreak(text);
      if (found) return found;
    }
    return null;
  };
  return (target, propertyName) =>
    registerDecorator({
      name: 'singleLine',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => problem(value) === null,
        defaultMessage: (args) =>
          `${args?.property ?? String(propertyName)} ${problem(args?.value) ?? 'must be a single line'}`,
      },
    });
}

/**
 * A whole number in a query string, written as plain decimal digits: "1e3", "0x10", " 5" and ""
 * stay strings (and fail `@IsInt`), where `Number()` would have read 1000, 16, 5 and 0.
 */
export const QueryInteger = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value,
  );

/** An optional `limit` query parameter: a whole number from 1 to `max`, `fallback` when absent. */
export function PageLimit(max: number, fallback: number, description?: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ default: fallback, minimum: 1, maximum: max, ...(description ? { description } : {}) }),
    IsOptional(),
    QueryInteger(),
    IsInt({ message: 'limit must be a whole number' }),
    Min(1),
    Max(max),
  );
}

/**
 * A date and time in ISO 8601 with its time zone (Z or ±hh:mm), between the years 1970 and 9999:
 * what JavaScript, PostgreSQL and partners' tools all read the same way.
 */
export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  const valid = (value: unknown): boolean => {
    if (
      typeof value !== 'string' ||
      !isISO8601(value, { strict: true, strictSeparator: true }) ||
      !/(Z|[+-]\d{2}:\d{2})$/.test(value)
    )
      return false;
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return false;
    const time = Date.parse(value);
    return !Number.isNaN(time) && time >= 0 && time < Date.UTC(10_000, 0, 1);
  };
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTimestamp',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: valid,
        defaultMessage: (args) =>
          `${args?.property ?? String(propertyName)} must be an ISO 8601 date and time with its time zone, between 1970 and 9999, e.g. 2026-12-01T08:00:00Z`,
      },
    });
}

/** A change request that names nothing to change is a mistake (a body sent as the wrong media type, a misspelt field), not a success. */
export function requireSomeField(dto: object, fields: readonly string[]): void {
  if (fields.some((field) => (dto as Record<string, unknown>)[field] !== undefined)) return;
  throw invalidField('body', `nothing to change: give at least one of ${fields.join(', ')}`);
}
