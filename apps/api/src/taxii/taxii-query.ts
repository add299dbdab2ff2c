import { HttpStatus } from '@nestjs/common';
import { forbiddenCharacter, lineBreak } from '../common/text-rules';
import { parseTaxiiQuery, TaxiiError, TaxiiQuery } from './taxii.service';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;
/** The `next` token the broker hands out: `<ms since the epoch>.<feed sequence>.<part>`, base64url. */
const NEXT_TOKEN = /^[A-Za-z0-9_-]{1,120}$/;
const MAX_SEQ = 2n ** 63n - 1n;

function bad(parameter: string, why: string): TaxiiError {
  return new TaxiiError(HttpStatus.BAD_REQUEST, 'Invalid query parameter', `${parameter}: ${why}`);
}

/** A real instant between 1970 and 9999: "2026-02-31" or "24:00:00", which Date would quietly move, are refused. */
function checkTimestamp(parameter: string, value: string): void {
  const parts = TIMESTAMP.exec(value);
  if (!parts) return; // parseTaxiiQuery refuses it with its own message
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const same =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  if (!same) throw bad(parameter, `${value} is not a date and time that exists`);
  if (year < 1970) throw bad(parameter, 'a timestamp from 1970 on is required');
}

/**
 * TAXII's query parameters, checked before parseTaxiiQuery reads them: text that no output could
 * carry, timestamps that do not exist, and `next` tokens the broker never handed out are a 400
 * TAXII error naming the parameter, never a 500. `limit` above the page size is served as the
 * page size, as TAXII 2.1 lets a server do.
 */
export function readTaxiiQuery(raw: Record<string, unknown>): TaxiiQuery {
  for (const [name, value] of Object.entries(raw)) {
    for (const text of Array.isArray(value) ? value : [value]) {
      if (typeof text !== 'string') continue;
      const problem = forbiddenCharacter(text) ?? lineBreak(text);
      if (problem) throw bad(name, problem);
    }
  }
  const single = (name: string): string | undefined =>
    typeof raw[name] === 'string' ? (raw[name] as string) : undefined;
  const addedAfter = single('added_after');
  if (addedAfter !== undefined) checkTimestamp('added_after', addedAfter);
  const nested =
    typeof raw.match === 'object' && raw.match !== null ? (raw.match as Record<string, unknown>).version : undefined;
  const version = raw['match[version]'] ?? nested;
  for (const text of Array.isArray(version) ? version : [version]) {
    if (typeof text !== 'string') continue;
    for (const value of text.split(',').map((part) => part.trim())) checkTimestamp('match[version]', value);
  }
  const next = single('next');
  if (next !== undefined) {
    const parts = NEXT_TOKEN.test(next)
      ? /^(\d{1,16})\.(\d{1,19})\.(\d{1,6})$/.exec(Buffer.from(next, 'base64url').toString())
      : null;
    if (!parts || Number(parts[1]) > 8.64e15 || BigInt(parts[2]) > MAX_SEQ)
      throw bad('next', 'use the value of `next` from the previous page');
  }
  return parseTaxiiQuery(raw);
}
