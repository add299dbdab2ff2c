import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { TAXII_MEDIA_TYPE } from '@tlp-broker/stix';
import { TaxiiError } from './taxii.types';

/**
 * Every error on a TAXII route is a TAXII error object, in TAXII's media type. One the client
 * cannot fix (anything but an HTTP error) is logged with its stack, and answered without internals.
 */
@Catch()
export class TaxiiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('TaxiiErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (!(exception instanceof HttpException))
      this.logger.error(
        `TAXII request failed: ${exception instanceof Error ? exception.message : String(exception)}`,
        exception instanceof Error ? exception.stack : undefined,
      );
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
