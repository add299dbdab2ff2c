import { ArgumentsHost, HttpException, HttpStatus, Logger, UnauthorizedException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { TaxiiErrorFilter } from './taxii-error.filter';
import { TaxiiError } from './taxii.types';

function answer(exception: unknown) {
  const response = {
    headers: new Map<string, string>(),
    statusCode: 0,
    body: '',
    status: vi.fn(function (this: { statusCode: number }, code: number) {
      this.statusCode = code;
      return this;
    }),
    setHeader: vi.fn(function (this: { headers: Map<string, string> }, name: string, value: string) {
      this.headers.set(name, value);
      return this;
    }),
    end: vi.fn(function (this: { body: string }, body: string) {
      this.body = body;
    }),
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new TaxiiErrorFilter().catch(exception, host);
  return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) };
}

describe('TaxiiErrorFilter', () => {
  it('answers a TAXII error as it is, in TAXII’s media type', () => {
    const { status, headers, body } = answer(
      new TaxiiError(HttpStatus.NOT_FOUND, 'Object not found', 'No such object.'),
    );
    expect(status).toBe(404);
    expect(headers.get('Content-Type')).toBe('application/taxii+json;version=2.1');
    expect(body).toEqual({ title: 'Object not found', description: 'No such object.', http_status: '404' });
  });

  it('turns any other HTTP error into a TAXII error object with its message', () => {
    expect(answer(new UnauthorizedException('a credential with the taxii scope is required'))).toMatchObject({
      status: 401,
      body: { title: 'Unauthorized', description: 'a credential with the taxii scope is required', http_status: '401' },
    });
  });

  it('answers an unexpected error 500 without its internals, and logs it with its stack', () => {
    const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const error = new Error('connection to 10.0.0.5:5432 refused');
    expect(answer(error)).toEqual({
      status: 500,
      headers: expect.any(Map),
      body: { title: 'Internal server error', description: 'The request could not be served.', http_status: '500' },
    });
    expect(logged).toHaveBeenCalledWith('TAXII request failed: connection to 10.0.0.5:5432 refused', error.stack);
    logged.mockClear();
    answer(new TaxiiError(HttpStatus.BAD_REQUEST, 'Invalid query parameter', 'limit: …'));
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
  });

  it('keeps Retry-After on a 429', () => {
    const { status, headers } = answer(
      new HttpException({ message: 'too many requests', retryAfter: 17 }, HttpStatus.TOO_MANY_REQUESTS),
    );
    expect(status).toBe(429);
    expect(headers.get('Retry-After')).toBe('17');
  });
});
