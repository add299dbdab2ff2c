import { TAXII_MEDIA_TYPE } from '@tlp-broker/stix';

/** An HTTP answer as the local server writes it. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

/** What the routes answer in: TAXII's media type and error objects, or JSON (the MISP feed, health). */
export type AnswerKind = 'taxii' | 'json';

export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * A request the server will not serve, with the reason the client is told. On TAXII routes it is
 * a TAXII error object; elsewhere the same fields in plain JSON.
 */
export class LocalHttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(description);
    this.name = 'LocalHttpError';
  }
}

export const notFound = (description: string) => new LocalHttpError(404, 'Not found', description);

/** A TAXII resource in exactly TAXII's media type (no charset parameter). */
export function taxiiAnswer(body: unknown, headers: Readonly<Record<string, string>> = {}): Answer {
  return { status: 200, headers: { ...headers, 'Content-Type': TAXII_MEDIA_TYPE }, body: JSON.stringify(body) };
}

export function jsonAnswer(body: unknown): Answer {
  return { status: 200, headers: { 'Content-Type': JSON_TYPE }, body: JSON.stringify(body) };
}

/** An error as the route's kind answers it: `{title, description, http_status}` either way. */
export function errorAnswer(error: LocalHttpError, kind: AnswerKind): Answer {
  return {
    status: error.status,
    headers: { ...error.headers, 'Content-Type': kind === 'taxii' ? TAXII_MEDIA_TYPE : JSON_TYPE },
    body: JSON.stringify({ title: error.title, description: error.description, http_status: String(error.status) }),
  };
}
