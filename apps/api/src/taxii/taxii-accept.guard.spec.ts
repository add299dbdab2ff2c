import { ExecutionContext, HttpStatus } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { TaxiiAcceptGuard } from './taxii-accept.guard';
import { TaxiiError } from './taxii.types';

const context = (accept: string | undefined) =>
  ({
    switchToHttp: () => ({ getRequest: () => ({ get: (name: string) => (name === 'accept' ? accept : undefined) }) }),
  }) as unknown as ExecutionContext;

describe('TaxiiAcceptGuard', () => {
  const guard = new TaxiiAcceptGuard();

  it("lets through a client that accepts TAXII 2.1's media type, anything, or says nothing", () => {
    for (const accept of [
      undefined,
      'application/taxii+json;version=2.1',
      'application/taxii+json',
      'text/html, application/taxii+json; version=2.1',
      '*/*',
      'application/*',
    ])
      expect(guard.canActivate(context(accept)), String(accept)).toBe(true);
  });

  it('answers 406 as a TAXII error to a client that accepts only something else', () => {
    for (const accept of ['application/json', 'application/taxii+json;version=2.0', 'text/*']) {
      let error: unknown;
      try {
        guard.canActivate(context(accept));
      } catch (caught) {
        error = caught;
      }
      expect(error, accept).toBeInstanceOf(TaxiiError);
      expect((error as TaxiiError).getStatus()).toBe(HttpStatus.NOT_ACCEPTABLE);
      expect((error as TaxiiError).getResponse()).toEqual({
        title: 'Not acceptable',
        description: `This server answers in application/taxii+json;version=2.1; the request accepts only ${accept}.`,
        http_status: '406',
      });
    }
  });
});
