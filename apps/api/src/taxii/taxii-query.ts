import { createParamDecorator, ExecutionContext, HttpStatus } from '@nestjs/common';
import type { Request } from 'express';
import { checkTimestampsExist, parseTaxiiQuery, TaxiiQuery, TaxiiQueryError } from '@tlp-broker/stix';
import { forbiddenCharacter, lineBreak } from '../common/text-rules';
import { TaxiiError } from './taxii.types';

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
 * TAXII's query parameters (read by parseTaxiiQuery), checked first for what the broker refuses of
 * its own: text that no output could carry, and `next` tokens the broker never handed out. Every
 * fault is a 400 TAXII error naming the parameter, never a 500.
 */
export function readTaxiiQuery(raw: RawQuery): TaxiiQuery {
  try {
    checkText(raw);
    checkTimestampsExist(raw);
    if (typeof raw.next === 'string') checkNextToken(raw.next);
    return parseTaxiiQuery(raw);
  } catch (error) {
    if (error instanceof TaxiiQueryError) throw invalidQueryParameter(error.parameter, error.why);
    throw error;
  }
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

/** Only something shaped like a token the broker hands out; TaxiiNextTokens checks that it did, for this collection. */
function checkNextToken(next: string): void {
  if (!NEXT_TOKEN.test(next)) throw invalidQueryParameter('next', 'use the value of `next` from the previous page');
}
