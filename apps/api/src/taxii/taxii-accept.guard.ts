import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { acceptsTaxii, TAXII_MEDIA_TYPE } from '@tlp-broker/stix';
import { TaxiiError } from './taxii.types';

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
