import { createParamDecorator, ExecutionContext, HttpStatus } from '@nestjs/common';
import type { Request } from 'express';
import { forbiddenCharacter, lineBreak } from '../common/text-rules';
import { TaxiiError, TaxiiQuery } from './taxii.types';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1_000;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;
/** What a `next` token the broker hands out looks like (see TaxiiNextTokens): base64url text and its MAC. */
const NEXT_TOKEN = /^[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{22}$/;

type RawQuery = Record<string, unknown>;

export function invalidQueryParameter(parameter: string, why: string): TaxiiError {
  return new TaxiiError(HttpStatus.BAD_REQUEST, 'Invalid query parameter', `${parameter}: ${why}`);
}

/**
 * The request's query as Express parsed it, kept from the global pipes: readTaxiiQuery answers its
 * faults as TAXII errors.
 */
export const RawTaxiiQuery = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RawQuery =>
    context.switchToHttp().getRequest<Request>().query as RawQuery,
);

/**
 * TAXII's query parameters, checked before parseTaxiiQuery reads them: text that no output could
 * carry, timestamps that do not exist, and `next` tokens the broker never handed out are a 400
 * TAXII error naming the parameter, never a 500. `limit` above the page size is served as the
 * page size, as TAXII 2.1 lets a server do.
 */
export function readTaxiiQuery(raw: RawQuery): TaxiiQuery {
  checkText(raw);
  const addedAfter = typeof raw.added_after === 'string' ? raw.added_after : undefined;
  if (addedAfter !== undefined) checkTimestamp('added_after', addedAfter);
  const version = raw['match[version]'] ?? nestedMatch(raw, 'version');
  for (const text of Array.isArray(version) ? version : [version]) {
    if (typeof text !== 'string') continue;
    for (const value of text.split(',').map((part) => part.trim())) checkTimestamp('match[version]', value);
  }
  if (typeof raw.next === 'string') checkNextToken(raw.next);
  return parseTaxiiQuery(raw);
}

/** Reads TAXII's query parameters (`added_after`, `limit`, `next`, `match[…]`); bad ones are a 400 TAXII error. */
export function parseTaxiiQuery(raw: RawQuery): TaxiiQuery {
  const addedAfterRaw = single(raw, 'added_after');
  const limit = parseLimit(single(raw, 'limit'));
  const next = single(raw, 'next');
  const versions = (match(raw, 'version') ?? ['last']).map((value) =>
    value === 'first' || value === 'last' || value === 'all' ? value : timestamp('match[version]', value),
  );
  return {
    addedAfter: addedAfterRaw === undefined ? undefined : microseconds('added_after', addedAfterRaw),
    limit,
    next,
    types: match(raw, 'type'),
    ids: match(raw, 'id'),
    versions,
    specVersions: match(raw, 'spec_version'),
  };
}

/** Text no output could carry, in any parameter. */
function checkText(raw: RawQuery): void {
  for (const [name, value] of Object.entries(raw)) {
    for (const text of Array.isArray(value) ? value : [value]) {
      if (typeof text !== 'string') continue;
      const problem = forbiddenCharacter(text) ?? lineBreak(text);
      if (problem) throw invalidQueryParameter(name, problem);
    }
  }
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
  if (!same) throw invalidQueryParameter(parameter, `${value} is not a date and time that exists`);
  if (year < 1970) throw invalidQueryParameter(parameter, 'a timestamp from 1970 on is required');
}

/** Only something shaped like a token the broker hands out; TaxiiNextTokens checks that it did, for this collection. */
function checkNextToken(next: string): void {
  if (!NEXT_TOKEN.test(next)) throw invalidQueryParameter('next', 'use the value of `next` from the previous page');
}

/** `match[name]` as Express's extended query parser nests it (`match: {name: …}`). */
function nestedMatch(raw: RawQuery, name: string): unknown {
  return typeof raw.match === 'object' && raw.match !== null ? (raw.match as RawQuery)[name] : undefined;
}

function single(raw: RawQuery, name: string): string | undefined {
  const value = raw[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidQueryParameter(name, 'give it once');
  return value;
}

/** A `match[…]` filter's values: repeated or comma-separated, blanks dropped; given empty, a 400. */
function match(raw: RawQuery, name: string): string[] | undefined {
  const value = raw[`match[${name}]`] ?? nestedMatch(raw, name);
  if (value === undefined) return undefined;
  const values = (Array.isArray(value) ? value : [value])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (values.length === 0) throw invalidQueryParameter(`match[${name}]`, 'give at least one value');
  return values;
}

function parseLimit(limitRaw: string | undefined): number {
  if (limitRaw === undefined) return DEFAULT_LIMIT;
  if (!/^\d+$/.test(limitRaw) || Number(limitRaw) < 1)
    throw invalidQueryParameter('limit', 'a positive whole number is required');
  return Math.min(Number(limitRaw), MAX_LIMIT);
}

function timestamp(name: string, value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) || Number.isNaN(date.getTime()))
    throw invalidQueryParameter(name, 'an RFC 3339 timestamp in UTC is required, e.g. 2026-11-30T08:00:00.000Z');
  return date;
}

/** Dates added carry microseconds: Date would drop all but three digits and match the wrong objects. */
function microseconds(name: string, value: string): number {
  const parts = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(value);
  const seconds = parts ? Date.parse(`${parts[1]}Z`) : Number.NaN;
  if (!parts || Number.isNaN(seconds))
    throw invalidQueryParameter(name, 'an RFC 3339 timestamp in UTC is required, e.g. 2026-11-30T08:00:00.000000Z');
  // Digits beyond the sixth are dropped: an object added at that microsecond is not after it.
  return seconds * 1000 + Number((parts[2] ?? '').padEnd(6, '0').slice(0, 6));
}
