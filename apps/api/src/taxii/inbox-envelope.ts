import { HttpStatus } from '@nestjs/common';
import { stixSchemaErrors, TAXII_MEDIA_TYPE } from '@tlp-broker/stix';
import { findForbiddenText } from '../common/text-rules';
import { TaxiiError } from './taxii.types';

/** What the inbox reads of a POST: its headers and the body the JSON parser produced. */
export interface InboxRequest {
  readonly contentType: string | undefined;
  readonly contentLength: string | undefined;
  readonly body: unknown;
}

export type StixRecord = Record<string, unknown> & { readonly type: string; readonly id: string };

/** One object's outcome in a TAXII status resource. */
export interface StatusDetail {
  readonly id: string;
  readonly version: string;
  readonly message?: string;
}

const MAX_MESSAGE = 1_000;

/**
 * The objects of a POST to an inbox, once TAXII's rules for adding objects hold: the envelope in
 * TAXII 2.1's media type (415 otherwise: TAXII 2.1 takes no bare STIX bundle), no larger than the
 * API root's `max_content_length` (413), a JSON object with a non-empty `objects` list whose
 * entries each have a string `type` and `id` (400 naming what is wrong).
 */
export function envelopeObjects(request: InboxRequest, maxBytes: number): { objects: StixRecord[]; bytes: number } {
  checkMediaType(request.contentType);
  const declared = request.contentLength === undefined ? NaN : Number(request.contentLength);
  const bytes = Number.isSafeInteger(declared) ? declared : Buffer.byteLength(JSON.stringify(request.body ?? null));
  if (bytes > maxBytes)
    throw new TaxiiError(
      HttpStatus.PAYLOAD_TOO_LARGE,
      'Content too large',
      `The envelope has ${bytes} bytes; this API root takes at most ${maxBytes} (max_content_length).`,
    );
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('the body must be a TAXII envelope: a JSON object with an "objects" list');
  const objects = (body as { objects?: unknown }).objects;
  if (!Array.isArray(objects) || objects.length === 0)
    throw invalid('objects: a list of one or more STIX 2.1 objects is required');
  objects.forEach((object: unknown, index) => {
    const fields = typeof object === 'object' && object !== null ? (object as Record<string, unknown>) : null;
    if (!fields || Array.isArray(object) || typeof fields.type !== 'string' || typeof fields.id !== 'string')
      throw invalid(`objects[${index}]: a STIX object (a JSON object with a string "type" and "id") is required`);
  });
  return { objects: objects as StixRecord[], bytes };
}

/**
 * Each object checked against its type's STIX 2.1 schema: the valid ones are taken, the others
 * listed with the reason. A bundle inside the envelope, text no stored value can carry, and a
 * second copy of the same object version are failures too.
 */
export function sortObjects(
  objects: readonly StixRecord[],
  requestTime: Date,
): { taken: StixRecord[]; successes: StatusDetail[]; failures: StatusDetail[] } {
  const taken: StixRecord[] = [];
  const successes: StatusDetail[] = [];
  const failures: StatusDetail[] = [];
  const seen = new Set<string>();
  for (const object of objects) {
    const detail = { id: object.id, version: versionOf(object, requestTime) };
    const problems = objectProblems(object, seen.has(`${detail.id} ${detail.version}`));
    if (problems.length > 0) {
      failures.push({ ...detail, message: problems.join('; ').slice(0, MAX_MESSAGE) });
      continue;
    }
    seen.add(`${detail.id} ${detail.version}`);
    taken.push(object);
    successes.push(detail);
  }
  return { taken, successes, failures };
}

function objectProblems(object: StixRecord, repeated: boolean): string[] {
  if (object.type === 'bundle') return ['a bundle is not an object to add: post the objects it holds'];
  const forbidden = findForbiddenText(object, '', 'object');
  if (forbidden) return [`${forbidden.field} ${forbidden.message}`];
  const problems = stixSchemaErrors(object);
  if (problems.length === 0 && repeated) return ['the same object version appears earlier in this envelope'];
  return problems;
}

/** An object's version as TAXII names it: `modified`, else `created`, else (an observable) when it was received. */
function versionOf(object: StixRecord, requestTime: Date): string {
  for (const property of ['modified', 'created'] as const) {
    const value = object[property];
    if (typeof value === 'string' && value.length <= 40) return value;
  }
  return requestTime.toISOString();
}

function checkMediaType(contentType: string | undefined): void {
  const [mediaType, ...parameters] = (contentType ?? '').split(';').map((part) => part.trim().toLowerCase());
  const version = parameters.find((parameter) => parameter.startsWith('version='))?.slice('version='.length);
  if (mediaType === 'application/taxii+json' && (version === undefined || version === '2.1')) return;
  const bundle =
    mediaType === 'application/stix+json' ? ' TAXII 2.1 takes objects in an envelope, not a STIX bundle.' : '';
  throw new TaxiiError(
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    'Unsupported media type',
    `Post the envelope as ${TAXII_MEDIA_TYPE}; the request is ${contentType ?? 'without a Content-Type'}.${bundle}`,
  );
}

function invalid(description: string): TaxiiError {
  return new TaxiiError(HttpStatus.BAD_REQUEST, 'Invalid envelope', description);
}
