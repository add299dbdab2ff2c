import { json } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** No request the API serves nests deeper than a handful of levels; 32 leaves room and bounds the work. */
export const MAX_JSON_DEPTH = 32;

/** An error of the request body itself, answered by JsonBodyErrorFilter naming `body`. */
export class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether UTF-8 JSON text nests objects and arrays deeper than `max`, read byte by byte before it
 * is parsed: one pass, no recursion, no allocation. Brackets inside strings do not count (UTF-8
 * never puts an ASCII byte inside a multi-byte character, so a quote byte is always a quote).
 * Malformed text is left to the parser to refuse.
 */
export function jsonDepthExceeds(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/** application/json, or a structured syntax suffix such as application/merge-patch+json. */
function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(mediaType);
}

/** A body that is really there: chunked, or a Content-Length above zero. */
function hasBody(request: Request): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = request.headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * The only body the API reads: JSON in UTF-8, at most `limit` bytes, nested at most
 * MAX_JSON_DEPTH levels. A body of any other media type is refused with 415 rather than read as
 * an empty one (which a DTO of optional fields would take for "use the defaults"), and nesting is
 * refused before anything recursive (class-transformer, class-validator) walks the value.
 */
export function jsonBody(limit: string): RequestHandler {
  const parse = json({
    limit,
    strict: true,
    // The media type was checked below; the parser reads every body that gets this far.
    type: () => true,
    verify: (_request, _response, buffer) => {
      if (jsonDepthExceeds(buffer, MAX_JSON_DEPTH))
        throw new BodyError(400, 'entity.too.deep', `nested deeper than ${MAX_JSON_DEPTH} levels`);
    },
  });
  return (request: Request, response: Response, next: NextFunction) => {
    if (!hasBody(request)) {
      next();
      return;
    }
    const header = request.headers['content-type'];
    const [mediaType, ...parameters] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
    if (!isJsonMediaType(mediaType)) {
      next(
        new BodyError(
          415,
          'content-type.unsupported',
          header
            ? `Content-Type ${mediaType || header} is not accepted: send application/json`
            : 'Content-Type is missing: send application/json',
        ),
      );
      return;
    }
    const charset = parameters
      .find((parameter) => parameter.startsWith('charset='))
      ?.slice('charset='.length)
      .replace(/^"|"$/g, '');
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      next(new BodyError(415, 'charset.unsupported', `charset ${charset} is not accepted: JSON is UTF-8`));
      return;
    }
    parse(request, response, next);
  };
}
