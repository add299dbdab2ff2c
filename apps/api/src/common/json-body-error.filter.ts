import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Request, Response } from 'express';
import { BodyError } from './json-body';

const BODY_ERRORS: Record<string, { status: number; error: string; message: string }> = {
  'entity.parse.failed': { status: 400, error: 'Bad Request', message: 'not valid JSON (a JSON object is expected)' },
  'entity.too.large': { status: 413, error: 'Payload Too Large', message: 'larger than 2 MB' },
  'entity.too.deep': { status: 400, error: 'Bad Request', message: 'nested too deep' },
  'request.size.invalid': { status: 400, error: 'Bad Request', message: 'shorter or longer than its Content-Length' },
  'request.aborted': { status: 400, error: 'Bad Request', message: 'the request was aborted while its body was read' },
  'encoding.unsupported': { status: 415, error: 'Unsupported Media Type', message: 'unsupported content encoding' },
  'charset.unsupported': {
    status: 415,
    error: 'Unsupported Media Type',
    message: 'unsupported charset: JSON is UTF-8',
  },
  'content-type.unsupported': {
    status: 415,
    error: 'Unsupported Media Type',
    message: 'send the body as application/json',
  },
};

/** TAXII's media type; kept here rather than imported so that this filter depends on no feature module. */
const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';

/**
 * Errors of the request body itself are answered in the same shape as field errors, naming
 * `body` — or, on a TAXII route, as a TAXII error object, the only error shape TAXII clients read.
 */
@Catch()
export class JsonBodyErrorFilter extends BaseExceptionFilter implements ExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const cause =
      (exception as { cause?: { type?: unknown } } | null)?.cause ?? (exception as { type?: unknown } | null);
    const known = typeof cause?.type === 'string' ? BODY_ERRORS[cause.type] : undefined;
    if (known) {
      const message = cause instanceof BodyError ? cause.message : known.message;
      const http = host.switchToHttp();
      const response = http.getResponse<Response>();
      if (http.getRequest<Request>().path.startsWith('/taxii2')) {
        response.status(known.status).setHeader('Content-Type', TAXII_MEDIA_TYPE);
        response.end(
          JSON.stringify({ title: known.error, description: `body: ${message}`, http_status: String(known.status) }),
        );
        return;
      }
      response.status(known.status).json({
        statusCode: known.status,
        error: known.error,
        message: `body: ${message}`,
        details: [{ field: 'body', message }],
      });
      return;
    }
    super.catch(exception, host);
  }
}
