import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { TAXII_MEDIA_TYPE, TaxiiError } from './taxii.types';

/** Every error on a TAXII route is a TAXII error object, in TAXII's media type. */
@Catch()
export class TaxiiErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const status = exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    const body = exception instanceof HttpException ? exception.getResponse() : null;
    const error = exception instanceof TaxiiError ? body : taxiiErrorObject(status, body);
    if (status === HttpStatus.TOO_MANY_REQUESTS && typeof body === 'object' && body !== null && 'retryAfter' in body) {
      response.setHeader('Retry-After', String((body as { retryAfter: number }).retryAfter));
    }
    response.status(status).setHeader('Content-Type', TAXII_MEDIA_TYPE);
    response.end(JSON.stringify(error));
  }
}

/** Any other error (a 401 from the credential check, a 500…) as a TAXII error object, without internals. */
function taxiiErrorObject(status: number, body: unknown): { title: string; description: string; http_status: string } {
  return {
    title:
      HttpStatus[status]
        ?.toString()
        .replace(/_/g, ' ')
        .toLowerCase()
        .replace(/^\w/, (c) => c.toUpperCase()) ?? 'Error',
    description:
      typeof body === 'object' && body !== null && 'message' in body
        ? String((body as { message: unknown }).message)
        : 'The request could not be served.',
    http_status: String(status),
  };
}
