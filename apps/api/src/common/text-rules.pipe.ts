import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { invalidField, invalidFields } from './errors';
import { findForbiddenText, lineBreak } from './text-rules';

/**
 * The text rules for every body, query and route parameter, before the DTO is built and validated:
 * no string anywhere may hold a character that PostgreSQL, XML or a mail header cannot carry
 * (see text-rules.ts), and query values and parameters, which are never multi-line, hold no line
 * break either. Per-field rules (single-line titles, names, addresses) are the DTOs' `@SingleLine()`.
 */
@Injectable()
export class TextRulesPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom' || value === undefined) return value;
    if (
      metadata.type === 'body' &&
      metadata.metatype !== undefined &&
      isDto(metadata.metatype) &&
      (typeof value !== 'object' || value === null || Array.isArray(value))
    ) {
      throw invalidField('body', 'must be a JSON object');
    }
    const root = metadata.type === 'body' ? '' : (metadata.data ?? '');
    const problem = findForbiddenText(value, root, metadata.type === 'body' ? 'body' : 'query');
    if (problem) throw invalidFields([problem]);
    if (metadata.type !== 'body') {
      const broken = firstLineBreak(value, root);
      if (broken) throw invalidField(broken.field || 'query', broken.message);
    }
    return value;
  }
}

function isDto(type: unknown): boolean {
  return typeof type === 'function' && ![String, Number, Boolean, Object, Array].includes(type as never);
}

/** Query values and parameters: strings, or arrays of them for a repeated parameter. */
function firstLineBreak(value: unknown, root: string): { field: string; message: string } | null {
  if (typeof value === 'string') {
    const message = lineBreak(value);
    return message ? { field: root, message } : null;
  }
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, entry] of Object.entries(value)) {
    for (const text of Array.isArray(entry) ? entry : [entry]) {
      const message = typeof text === 'string' ? lineBreak(text) : null;
      if (message) return { field: root ? `${root}.${key}` : key, message };
    }
  }
  return null;
}
