import { ArgumentsHost, HttpServer, Logger, NotFoundException } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { invalidField } from './errors';
import { JsonBodyErrorFilter } from './json-body-error.filter';
import { BodyError } from './json-body';

/** An Express response that records what was answered. */
function fakeResponse() {
  const response = {
    status: vi.fn(() => response),
    json: vi.fn(() => response),
    setHeader: vi.fn(() => response),
    end: vi.fn(() => response),
  };
  return response;
}

/** The filter as bootstrap.ts installs it, on an HTTP adapter that records what Nest's base filter replies. */
function filterFor(path = '/api/v1/items') {
  const response = fakeResponse();
  const request = { path };
  const adapter = { isHeadersSent: vi.fn(() => false), reply: vi.fn(), end: vi.fn() };
  const host = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    getArgByIndex: (index: number) => [request, response][index],
  } as unknown as ArgumentsHost;
  const filter = new JsonBodyErrorFilter(adapter as unknown as HttpServer);
  return { filter, host, response, adapter };
}

/** What body-parser (via http-errors) passes on: an Error carrying its `type` and status. */
function parserError(type: string, status: number): Error {
  return Object.assign(new Error('raw body-parser message'), {
    type,
    status,
    statusCode: status,
    expose: status < 500,
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('JsonBodyErrorFilter', () => {
  it.each([
    ['entity.parse.failed', 400, 'Bad Request', 'not valid JSON (a JSON object is expected)'],
    ['entity.too.large', 413, 'Payload Too Large', 'larger than 2 MB'],
    ['entity.too.deep', 400, 'Bad Request', 'nested too deep'],
    ['request.size.invalid', 400, 'Bad Request', 'shorter or longer than its Content-Length'],
    ['request.aborted', 400, 'Bad Request', 'the request was aborted while its body was read'],
    ['encoding.unsupported', 415, 'Unsupported Media Type', 'unsupported content encoding'],
    ['charset.unsupported', 415, 'Unsupported Media Type', 'unsupported charset: JSON is UTF-8'],
    ['content-type.unsupported', 415, 'Unsupported Media Type', 'send the body as application/json'],
  ])('answers a body-parser %s error with %i naming the field body', (type, status, error, message) => {
    const { filter, host, response, adapter } = filterFor();
    filter.catch(parserError(type, status), host);
    expect(response.status).toHaveBeenCalledWith(status);
    expect(response.json).toHaveBeenCalledWith({
      statusCode: status,
      error,
      message: `body: ${message}`,
      details: [{ field: 'body', message }],
    });
    expect(adapter.reply).not.toHaveBeenCalled();
  });

  it.each([
    ['entity.too.deep', 400, 'Bad Request', 'nested deeper than 32 levels'],
    [
      'content-type.unsupported',
      415,
      'Unsupported Media Type',
      'Content-Type text/plain is not accepted: send application/json',
    ],
    ['charset.unsupported', 415, 'Unsupported Media Type', 'charset latin1 is not accepted: JSON is UTF-8'],
  ])(
    'answers a BodyError %s from the JSON body reader with its status and its own message',
    (type, status, error, message) => {
      const { filter, host, response } = filterFor();
      filter.catch(new BodyError(status, type, message), host);
      expect(response.status).toHaveBeenCalledWith(status);
      expect(response.json).toHaveBeenCalledWith({
        statusCode: status,
        error,
        message: `body: ${message}`,
        details: [{ field: 'body', message }],
      });
    },
  );

  it('reads the body error from the cause of an exception that wraps it', () => {
    const { filter, host, response } = filterFor();
    const deep = new BodyError(400, 'entity.too.deep', 'nested deeper than 32 levels');
    filter.catch(new Error('wrapped', { cause: deep }), host);
    expect(response.status).toHaveBeenCalledWith(400);
    expect(response.json).toHaveBeenCalledWith(
      expect.objectContaining({ details: [{ field: 'body', message: 'nested deeper than 32 levels' }] }),
    );
  });

  it('answers on a TAXII route with a TAXII error object in the TAXII media type', () => {
    const { filter, host, response } = filterFor('/taxii2/collections/c-1/objects/');
    filter.catch(parserError('entity.too.large', 413), host);
    expect(response.status).toHaveBeenCalledWith(413);
    expect(response.setHeader).toHaveBeenCalledWith('Content-Type', 'application/taxii+json;version=2.1');
    expect(response.json).not.toHaveBeenCalled();
    const [text] = response.end.mock.calls[0] as unknown as [string];
    expect(JSON.parse(text)).toEqual({
      title: 'Payload Too Large',
      description: 'body: larger than 2 MB',
      http_status: '413',
    });
  });

  it('passes an HTTP exception to Nest, which answers it unchanged', () => {
    const { filter, host, response, adapter } = filterFor();
    const exception = invalidField('title', 'must not be empty');
    filter.catch(exception, host);
    expect(response.json).not.toHaveBeenCalled();
    expect(adapter.reply).toHaveBeenCalledWith(response, exception.getResponse(), 400);
    expect(exception.getResponse()).toMatchObject({ details: [{ field: 'title', message: 'must not be empty' }] });
  });

  it('passes an error of an unknown type, or an error without one, to Nest as a 500 without internals', () => {
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    for (const exception of [parserError('stream.not.readable', 500), new Error('database password is hunter2')]) {
      const { filter, host, response, adapter } = filterFor();
      filter.catch(exception, host);
      expect(response.json).not.toHaveBeenCalled();
      const [to, body, status] = adapter.reply.mock.calls[0] as unknown as [unknown, { message: string }, number];
      expect(to).toBe(response);
      expect(status).toBe(500);
      expect(body).toMatchObject({ statusCode: 500 });
      expect(body.message).toMatch(/^internal server error$/i);
    }
  });

  it('leaves a not-found to Nest with its own status', () => {
    const { filter, host, adapter } = filterFor();
    filter.catch(new NotFoundException('no such item'), host);
    expect(adapter.reply).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ statusCode: 404, message: 'no such item' }),
      404,
    );
  });
});
