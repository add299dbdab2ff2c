import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';

const BODY_ERRORS: Record<string, { status: number; error: string; message: string }> = {
  'entity.parse.failed': { status: 400, error: 'Bad Request', message: 'not valid JSON' },
  'entity.too.large': { status: 413, error: 'Payload Too Large', message: 'larger than 2 MB' },
  'encoding.unsupported': { status: 415, error: 'Unsupported Media Type', message: 'unsupported content encoding' },
};

/** Errors of the request body itself are answered in the same shape as field errors, naming `body`. */
@Catch()
export class JsonBodyErrorFilter extends BaseExceptionFilter implements ExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const cause = (exception as { cause?: { type?: unknown } } | null)?.cause ?? (exception as { type?: unknown } | null);
    const known = typeof cause?.type === 'string' ? BODY_ERRORS[cause.type] : undefined;
    if (known) {
      host.switchToHttp().getResponse<Response>().status(known.status).json({
        statusCode: known.status,
        error: known.error,
        message: `body: ${known.message}`,
        details: [{ field: 'body', message: known.message }],
      });
      return;
    }
    super.catch(exception, host);
  }
}
