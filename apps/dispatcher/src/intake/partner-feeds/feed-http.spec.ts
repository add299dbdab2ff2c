import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedError, FeedHttp, FeedHttpSettings } from './feed-http';

/** A partner's server on loopback: each path answers as a feed, a broken feed or a hostile one would. */
describe('FeedHttp', () => {
  let server: http.Server;
  let base: string;
  const seen: http.IncomingHttpHeaders[] = [];

  const client = (settings: Partial<FeedHttpSettings> = {}) =>
    new FeedHttp({ allowList: ['127.0.0.1'], timeoutMs: 500, maxBytes: 1_000, userAgent: 'tlp-broker', ...settings });
  const get = (path: string, settings: Partial<FeedHttpSettings> = {}) =>
    client(settings).getJson({ url: `${base}${path}`, accept: 'application/json', authorization: 'Bearer s3cret' });

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      seen.push(request.headers);
      const send = (status: number, body: string, headers: http.OutgoingHttpHeaders = {}) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(body);
      };
      switch (request.url) {
        case '/manifest.json':
          return send(200, '{"ok":true}', { 'x-taxii-date-added-last': '2026-03-01T10:00:00.000000Z' });
        case '/big':
          // No Content-Length: the bound holds while reading.
          response.writeHead(200, { 'content-type': 'application/json' });
          response.write(`[${'"x",'.repeat(400)}`);
          return response.end('"x"]');
        case '/moved':
          return send(302, '', { location: 'http://169.254.169.254/latest/meta-data/' });
        case '/private':
          return send(401, '{"title":"Unauthorized"}');
        case '/html':
          return send(200, '<html>not json</html>');
        case '/slow':
          return setTimeout(() => send(200, '{}'), 2_000);
        default:
          return send(404, '{}');
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  it('reads a JSON answer with its headers, sending the Accept and Authorization headers', async () => {
    const answer = await get('/manifest.json');
    expect(answer.body).toEqual({ ok: true });
    expect(answer.headers['x-taxii-date-added-last']).toBe('2026-03-01T10:00:00.000000Z');
    expect(seen.at(-1)).toMatchObject({ accept: 'application/json', authorization: 'Bearer s3cret' });
  });

  it.each([
    ['/big', /larger than 1000 bytes/],
    ['/moved', /HTTP 302, a redirect, which is not followed/],
    ['/private', /refused access \(HTTP 401\): check the feed's authorization/],
    ['/nowhere', /HTTP 404: check the feed's URL/],
    ['/html', /not JSON/],
    ['/slow', /did not answer within 500 ms/],
  ])('refuses what %s answers, saying why without the path or the credential', async (path, reason) => {
    const failure = await get(path).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FeedError);
    expect((failure as Error).message).toMatch(reason);
    expect((failure as Error).message).not.toContain(path);
    expect((failure as Error).message).not.toContain('s3cret');
  });

  it('calls no address that the allow-list does not open, before any connection', async () => {
    const before = seen.length;
    await expect(get('/manifest.json', { allowList: [] })).rejects.toThrow(/must use https/);
    const https = client({ allowList: [] });
    await expect(
      https.getJson({ url: 'https://127.0.0.1:1/manifest.json', accept: 'application/json', authorization: null }),
    ).rejects.toThrow(/127\.0\.0\.1 is a loopback address/);
    const resolvingToPrivate = client({
      allowList: [],
      resolve: () => Promise.resolve([{ address: '10.0.0.8', family: 4 }]),
    });
    await expect(
      resolvingToPrivate.getJson({
        url: 'https://feeds.partner.example/',
        accept: 'application/json',
        authorization: null,
      }),
    ).rejects.toThrow(/10\.0\.0\.8 is private and not in WEBHOOK_ALLOW_LIST/);
    expect(seen.length).toBe(before);
  });

  it('connects to the address it vetted, not to one a second lookup would give', async () => {
    const pinned = client({
      allowList: ['127.0.0.1', 'feeds.partner.example'],
      resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
    });
    const port = new URL(base).port;
    const answer = await pinned.getJson({
      url: `http://feeds.partner.example:${port}/manifest.json`,
      accept: 'application/json',
      authorization: null,
    });
    expect(answer.body).toEqual({ ok: true });
    expect(seen.at(-1)?.host).toBe(`feeds.partner.example:${port}`);
    expect(seen.at(-1)?.authorization).toBeUndefined();
  });
});
