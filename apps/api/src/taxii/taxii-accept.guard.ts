import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { TAXII_MEDIA_TYPE, TaxiiError } from './taxii.types';

/**
 * TAXII's content negotiation: a client must accept TAXII's media type (2.1); `*\/*`,
 * `application/*` and no Accept header are taken as yes. Anything else is a 406 TAXII error.
 */
@Injectable()
export class TaxiiAcceptGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const accept = context.switchToHttp().getRequest<Request>().get('accept');
    if (!accept || acceptsTaxii(accept)) return true;
    throw new TaxiiError(
      HttpStatus.NOT_ACCEPTABLE,
      'Not acceptable',
      `This server answers in ${TAXII_MEDIA_TYPE}; the request accepts only ${accept}.`,
    );
  }
}

/** Whether an Accept header lets the server answer in TAXII 2.1's media type. */
export function acceptsTaxii(accept: string): boolean {
  return accept
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .some(
      (part) =>
        part.startsWith('*/*') ||
        part.startsWith('application/*') ||
        (part.startsWith('application/taxii+json') && !/version=(?!2\.1)/.test(part)),
    );
}
