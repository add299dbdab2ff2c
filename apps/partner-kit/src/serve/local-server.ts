import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { acceptsTaxii, TAXII_MEDIA_TYPE } from '@tlp-broker/stix';
import type { LocalCollectionSource } from '../collection';
import { Answer, AnswerKind, errorAnswer, jsonAnswer, LocalHttpError, notFound } from './local-answers';
import { mispEvent, mispHashes, mispManifest } from './local-misp';
import {
  apiRoot,
  collection,
  collections,
  discovery,
  LocalTaxii,
  manifest,
  object,
  objects,
  versions,
} from './local-taxii';

export interface LocalServerOptions {
  /** Where to listen: the CLI's default is 127.0.0.1. */
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /** The local credential: a Bearer token, or the password of HTTP Basic with any user name. */
  readonly token: string;
  readonly collection: { readonly id: string; readonly title: string };
  readonly source: LocalCollectionSource;
  readonly mispDirectory: string;
  /** TLP:RED records and events are served only when true. */
  readonly includeRed: boolean;
  /** The discovery title; 'tlp-broker-partner' by default. */
  readonly title?: string;
  /** A certificate and its key (PEM): served over HTTPS, for tools on other machines of the partner's network. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface LocalServer {
  /** `http(s)://<host>:<port>`, without a trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

interface LocalRequest {
  /** The URL the client reached the server at, for the links discovery hands out. */
  readonly base: string;
  readonly query: Readonly<Record<string, unknown>>;
}

interface Route {
  readonly path: RegExp;
  readonly kind: AnswerKind;
  /** A collection's objects, which a TAXII client may try to add to or delete from. */
  readonly objects?: boolean;
  readonly get: (params: readonly string[], request: LocalRequest) => Answer | Promise<Answer>;
}

interface Served {
  readonly routes: readonly Route[];
  readonly authorised: (authorization: string | undefined) => boolean;
  url: string;
  scheme: 'http' | 'https';
}

const COLLECTION = '^/taxii2/api/collections/([^/]+)';
const CHALLENGE = 'Basic realm="tlp-broker-partner", charset="UTF-8"';
/** Every answer: nothing of the partner's collection is kept by a cache on the way. */
const COMMON_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

/**
 * The partner's local, read-only server over node:http: the decrypted collection over TAXII 2.1
 * (for OpenCTI) and the MISP feed directory `pull` writes (for MISP), every route behind the local
 * token but `/health`. TLP:RED is left out of both unless `includeRed`.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  if (options.token === '') throw new Error('the local server needs a token: every route but /health asks for it');
  const served: Served = {
    routes: routes(options),
    authorised: credentialCheck(options.token),
    url: '',
    scheme: 'http',
  };
  const listener: RequestListener = (request, response) => {
    respond(request, served).then(
      (answer) => send(response, answer),
      (error: unknown) => send(response, failure(error, 'json', request)),
    );
  };
  const server: Server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
  await listen(server, options);
  const { port } = server.address() as AddressInfo;
  served.scheme = options.tls ? 'https' : 'http';
  served.url = `${served.scheme}://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  let closing: Promise<void> | undefined;
  // An arrow function: callers may hand `close` on unbound.
  const close = () =>
    (closing ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    }));
  return { url: served.url, close };
}

function routes(options: LocalServerOptions): readonly Route[] {
  const taxii: LocalTaxii = {
    title: options.title ?? 'tlp-broker-partner',
    collection: options.collection,
    source: options.source,
    includeRed: options.includeRed,
  };
  const feed = { directory: options.mispDirectory, includeRed: options.includeRed };
  const at = (path: string) => new RegExp(`${path}$`);
  return [
    { path: /^\/taxii2$/, kind: 'taxii', get: (_, request) => discovery(taxii, request.base) },
    { path: /^\/taxii2\/api$/, kind: 'taxii', get: () => apiRoot(taxii) },
    { path: /^\/taxii2\/api\/collections$/, kind: 'taxii', get: () => collections(taxii) },
    { path: at(COLLECTION), kind: 'taxii', get: ([id]) => collection(taxii, id) },
    { path: at(`${COLLECTION}/manifest`), kind: 'taxii', get: ([id], r) => manifest(taxii, id, r.query) },
    { path: at(`${COLLECTION}/objects`), kind: 'taxii', objects: true, get: ([id], r) => objects(taxii, id, r.query) },
    {
      path: at(`${COLLECTION}/objects/([^/]+)`),
      kind: 'taxii',
      objects: true,
      get: ([id, objectId], request) => object(taxii, id, objectId, request.query),
    },
    {
      path: at(`${COLLECTION}/objects/([^/]+)/versions`),
      kind: 'taxii',
      get: ([id, objectId], request) => versions(taxii, id, objectId, request.query),
    },
    { path: /^\/misp\/manifest\.json$/, kind: 'json', get: () => mispManifest(feed) },
    { path: /^\/misp\/hashes\.csv$/, kind: 'json', get: () => mispHashes(feed) },
    { path: /^\/misp\/([^/]+)$/, kind: 'json', get: ([file]) => mispEvent(feed, file) },
  ];
}

/**
 * The answer to a request: `/health` to anyone; anything else to the local token only, then the
 * route (404), the method (405), and on TAXII routes the Accept header (406). The path is matched
 * as sent, never resolved (`..` and `%2F` name nothing here).
 */
async function respond(request: IncomingMessage, served: Served): Promise<Answer> {
  request.resume();
  const [target, search = ''] = splitOnce(request.url ?? '/', '?');
  const path = target.length > 1 ? target.replace(/\/$/, '') : target;
  if (path === '/health') return request.method === 'GET' ? jsonAnswer({ status: 'ok' }) : notAllowedAnswer('json');
  const found = match(served.routes, path);
  const kind = found?.route.kind ?? (path.startsWith('/taxii2') ? 'taxii' : 'json');
  try {
    if (!served.authorised(request.headers.authorization)) throw unauthorised();
    if (!found) throw notFound('There is nothing at this address.');
    if (request.method !== 'GET') throw notAllowed(found.route);
    if (kind === 'taxii') checkAccept(request.headers.accept);
    const query = rawQuery(new URLSearchParams(search));
    return await found.route.get(found.params, { base: baseOf(request, served), query });
  } catch (error) {
    return failure(error, kind, request);
  }
}

function match(table: readonly Route[], path: string): { route: Route; params: string[] } | undefined {
  for (const route of table) {
    const parts = route.path.exec(path);
    if (!parts) continue;
    try {
      return { route, params: parts.slice(1).map((part) => decodeURIComponent(part)) };
    } catch {
      return undefined; // malformed percent-encoding names nothing
    }
  }
  return undefined;
}

/**
 * The local token, as `Authorization: Bearer <token>` or HTTP Basic with any user name and the
 * token as password (what OpenCTI's and MISP's settings offer), compared in constant time.
 */
function credentialCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = sha256(token);
  return (authorization) => {
    const given = presented(authorization);
    return given !== undefined && timingSafeEqual(sha256(given), expected);
  };
}

function presented(authorization: string | undefined): string | undefined {
  const [scheme, value, extra] = (authorization ?? '').trim().split(/\s+/);
  if (!value || extra !== undefined) return undefined;
  if (/^bearer$/i.test(scheme)) return value;
  if (!/^basic$/i.test(scheme)) return undefined;
  const pair = Buffer.from(value, 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  return colon < 0 ? undefined : pair.slice(colon + 1);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

const unauthorised = () =>
  new LocalHttpError(
    401,
    'Unauthorized',
    'Send the local token: Authorization: Bearer <token>, or Basic with any user name and the token as password.',
    { 'WWW-Authenticate': CHALLENGE },
  );

function notAllowed(route: Route): LocalHttpError {
  return route.objects
    ? new LocalHttpError(405, 'Read-only collection', 'Objects cannot be added to or deleted from this collection.', {
        Allow: 'GET',
      })
    : new LocalHttpError(405, 'Method not allowed', 'Only GET is served here.', { Allow: 'GET' });
}

const notAllowedAnswer = (kind: AnswerKind) =>
  errorAnswer(new LocalHttpError(405, 'Method not allowed', 'Only GET is served here.', { Allow: 'GET' }), kind);

/** TAXII's content negotiation, as the broker's: TAXII 2.1's media type, `*\/*`, `application/*`, or no Accept header. */
function checkAccept(accept: string | undefined): void {
  if (accept && !acceptsTaxii(accept))
    throw new LocalHttpError(
      406,
      'Not acceptable',
      `This server answers in ${TAXII_MEDIA_TYPE}; the request accepts only ${accept}.`,
    );
}

/** The query as parseTaxiiQuery reads it: a parameter given once as text, repeated as a list. */
function rawQuery(params: URLSearchParams): Record<string, string | string[]> {
  // No prototype: a parameter named `__proto__` is a parameter like any other.
  const raw = Object.create(null) as Record<string, string | string[]>;
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    raw[name] = values.length === 1 ? values[0] : values;
  }
  return raw;
}

/** The address the client used (its Host header, when it is a plain host and port), else the listening one. */
function baseOf(request: IncomingMessage, served: Served): string {
  const host = request.headers.host;
  const plain = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
  return host && plain.test(host) ? `${served.scheme}://${host}` : served.url;
}

/** An error the client can act on as it is; anything else logged here and answered without internals. */
function failure(error: unknown, kind: AnswerKind, request: IncomingMessage): Answer {
  if (error instanceof LocalHttpError) return errorAnswer(error, kind);
  console.error(
    `tlp-broker-partner serve: ${request.method} ${request.url?.split('?')[0]} failed:`,
    error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
  return errorAnswer(new LocalHttpError(500, 'Internal server error', 'The request could not be served.'), kind);
}

function send(response: ServerResponse, answer: Answer): void {
  response.writeHead(answer.status, { ...answer.headers, ...COMMON_HEADERS });
  response.end(answer.body);
}

function splitOnce(text: string, separator: string): [string, string?] {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

function listen(server: Server, options: LocalServerOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
