import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ChannelError,
  OutgoingWebhook,
  ResolvedAddress,
  WebhookSender,
  WebhookSettings,
  verifyWebhookSignature,
} from '@tlp-broker/channels';
import { rejection } from './support/errors';
import { selfSignedCertificate, TestCertificate } from './support/tls';

/**
 * The webhook channel against real HTTP(S) servers on 127.0.0.1: what a partner's endpoint
 * receives and can check, how its answers become retry decisions, and which addresses are
 * refused before any connection is opened.
 */

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

type Handler = (request: Seen, response: ServerResponse) => void;

class TestEndpoint {
  readonly seen: Seen[] = [];
  handler: Handler = (_request, response) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  port = 0;
  private readonly hanging = new Set<ServerResponse>();

  constructor(private readonly server: Server) {
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const seen = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks),
        };
        this.seen.push(seen);
        this.hanging.add(response);
        response.on('close', () => this.hanging.delete(response));
        this.handler(seen, response);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  reset(): void {
    this.seen.length = 0;
    this.handler = (_request, response) => response.writeHead(200).end();
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const SECRET = 'whsec-partner-7-0123456789abcdef';
const PAYLOAD = {
  item: { id: '6c1e2f30-9a4b-4d2c-8e7f-112233445566', version: 3, type: 'advisory', tlp: 'TLP:AMBER' },
  message: '-----BEGIN PGP MESSAGE-----\n\nwV4DAAAAAAAAAAASAQdA…\n-----END PGP MESSAGE-----\n',
};

let endpoint: TestEndpoint;
let other: TestEndpoint;

function sender(change: Partial<WebhookSettings> = {}): WebhookSender {
  return new WebhookSender({ allowList: ['127.0.0.1'], timeoutMs: 2_000, userAgent: 'tlp-broker/test', ...change });
}

function hook(url: string, change: Partial<OutgoingWebhook> = {}): OutgoingWebhook {
  return {
    url,
    secret: SECRET,
    deliveryId: 'd-2001',
    idempotencyKey: 'delivery-6c1e2f30-3-partner7-webhook',
    payload: PAYLOAD,
    ...change,
  };
}

const failure = (work: Promise<unknown>) => rejection(work, ChannelError);

/** A resolver that answers from a table and counts its calls, instead of the system's. */
function resolver(table: Record<string, string[]>): {
  resolve: (name: string) => Promise<ResolvedAddress[]>;
  calls: string[];
} {
  const calls: string[] = [];
  return {
    calls,
    resolve: async (name) => {
      calls.push(name);
      const answers = table[name];
      if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  };
}

beforeAll(async () => {
  endpoint = await new TestEndpoint(createHttpServer()).start();
  other = await new TestEndpoint(createHttpServer()).start();
});

afterAll(async () => {
  await endpoint.stop();
  await other.stop();
});

afterEach(() => {
  endpoint.reset();
  other.reset();
  vi.restoreAllMocks();
});

describe('WebhookSender → HTTP server on 127.0.0.1 (allow-listed)', () => {
  it('POSTs the payload with a signature the partner can check, the idempotency key and the delivery id', async () => {
    const now = Date.now();
    const result = await sender().send(hook(`http://127.0.0.1:${endpoint.port}/hooks/tlpb?tenant=7`));
    expect(result).toEqual({ status: 200 });

    expect(endpoint.seen).toHaveLength(1);
    const [request] = endpoint.seen;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hooks/tlpb?tenant=7');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe('tlp-broker/test');
    expect(request.headers['idempotency-key']).toBe('delivery-6c1e2f30-3-partner7-webhook');
    expect(request.headers['x-tlpb-delivery']).toBe('d-2001');
    expect(JSON.parse(request.body.toString('utf8'))).toEqual(PAYLOAD);

    // What the partner does: HMAC-SHA256 over "<timestamp>.<body bytes>", and a replay window.
    const timestamp = request.headers['x-tlpb-timestamp'] as string;
    const signature = request.headers['x-tlpb-signature'] as string;
    expect(Math.abs(Number(timestamp) - now / 1000)).toBeLessThan(5);
    expect(
      verifyWebhookSignature({
        secret: SECRET,
        timestamp,
        signature,
        body: request.body,
        nowSeconds: Math.floor(Date.now() / 1000),
      }),
    ).toEqual({ ok: true });
    expect(
      verifyWebhookSignature({
        secret: 'another-partner-secret-0000',
        timestamp,
        signature,
        body: request.body,
        nowSeconds: Math.floor(Date.now() / 1000),
      }),
    ).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('sends the same Idempotency-Key on a retry', async () => {
    endpoint.handler = (_request, response) => response.writeHead(endpoint.seen.length === 1 ? 500 : 202).end();
    const webhook = sender();
    expect(await failure(webhook.send(hook(`http://127.0.0.1:${endpoint.port}/`)))).toMatchObject({
      code: 'deferred',
      permanent: false,
      status: 500,
    });
    expect(await webhook.send(hook(`http://127.0.0.1:${endpoint.port}/`))).toEqual({ status: 202 });
    expect(endpoint.seen.map((s) => s.headers['idempotency-key'])).toEqual([
      'delivery-6c1e2f30-3-partner7-webhook',
      'delivery-6c1e2f30-3-partner7-webhook',
    ]);
  });

  it('reads 500 as temporary and 200 as delivered', async () => {
    endpoint.handler = (_request, response) => response.writeHead(500).end('database down');
    const error = await failure(sender().send(hook(`http://127.0.0.1:${endpoint.port}/`)));
    expect(error).toMatchObject({ channel: 'webhook', code: 'deferred', permanent: false, status: 500 });
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toBe(`webhook 127.0.0.1:${endpoint.port} answered HTTP 500`);

    endpoint.handler = (_request, response) => response.writeHead(200).end();
    expect(await sender().send(hook(`http://127.0.0.1:${endpoint.port}/`))).toEqual({ status: 200 });
  });

  it('honours Retry-After on 429 and 503', async () => {
    endpoint.handler = (_request, response) => response.writeHead(429, { 'retry-after': '7' }).end();
    expect(await failure(sender().send(hook(`http://127.0.0.1:${endpoint.port}/`)))).toMatchObject({
      code: 'deferred',
      status: 429,
      retryAfterMs: 7_000,
    });
    const now = Date.parse('2025-06-03T10:00:00Z');
    endpoint.handler = (_request, response) =>
      response.writeHead(503, { 'retry-after': 'Tue, 03 Jun 2025 10:02:00 GMT' }).end();
    expect(await failure(sender({ now: () => now }).send(hook(`http://127.0.0.1:${endpoint.port}/`)))).toMatchObject({
      code: 'deferred',
      status: 503,
      retryAfterMs: 120_000,
    });
  });

  it('reads 404 as permanent, without the URL path in the message', async () => {
    endpoint.handler = (_request, response) => response.writeHead(404).end();
    const error = await failure(sender().send(hook(`http://127.0.0.1:${endpoint.port}/hooks/token-s3cr3t`)));
    expect(error).toMatchObject({ code: 'rejected', permanent: true, status: 404 });
    expect(error.message).not.toContain('token-s3cr3t');
    expect(error.message).not.toContain(SECRET);
  });

  it('reads 408 as temporary', async () => {
    endpoint.handler = (_request, response) => response.writeHead(408).end();
    expect(await failure(sender().send(hook(`http://127.0.0.1:${endpoint.port}/`)))).toMatchObject({
      code: 'deferred',
      permanent: false,
      status: 408,
    });
  });

  it('does not follow a redirect, and reads it as permanent', async () => {
    endpoint.handler = (_request, response) =>
      response.writeHead(302, { location: `http://127.0.0.1:${other.port}/landing` }).end();
    const error = await failure(sender().send(hook(`http://127.0.0.1:${endpoint.port}/`)));
    expect(error).toMatchObject({ code: 'rejected', permanent: true, status: 302 });
    expect(endpoint.seen).toHaveLength(1);
    expect(other.seen).toHaveLength(0);
  });

  it('gives up on a server that never answers, as a temporary timeout within the configured time', async () => {
    endpoint.handler = () => undefined;
    const started = Date.now();
    const error = await failure(sender({ timeoutMs: 400 }).send(hook(`http://127.0.0.1:${endpoint.port}/`)));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ code: 'timeout', permanent: false });
    expect(error.message).toBe(`webhook 127.0.0.1:${endpoint.port} did not answer within 400 ms`);
    expect(endpoint.seen).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('reads a refused connection as temporary', async () => {
    const closed = createHttpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(sender().send(hook(`http://127.0.0.1:${port}/`)));
    expect(error).toMatchObject({ code: 'network', permanent: false });
    expect(error.message).toBe(`webhook 127.0.0.1:${port}: connection failed (ECONNREFUSED)`);
  });
});

describe('WebhookSender refuses targets before any connection', () => {
  /** Fails the test if anything opens a TCP connection while `work` runs. */
  async function refusedWithoutConnecting(work: () => Promise<unknown>): Promise<ChannelError> {
    const connect = vi.spyOn(Socket.prototype, 'connect').mockImplementation(() => {
      throw new Error('a connection was opened');
    });
    try {
      const error = await failure(work());
      expect(connect).not.toHaveBeenCalled();
      expect(error).toMatchObject({ channel: 'webhook', code: 'refused-target', permanent: true, field: 'url' });
      return error;
    } finally {
      connect.mockRestore();
    }
  }

  it.each([
    [
      'plain http to a loopback address',
      (port: number) => `http://127.0.0.1:${port}/`,
      /plain http is allowed only for allow-listed hosts/,
    ],
    [
      'https to 127.0.0.1',
      (port: number) => `https://127.0.0.1:${port}/`,
      /the address is loopback and not allow-listed/,
    ],
    ['https to 127.1 (another spelling)', (port: number) => `https://127.1:${port}/`, /loopback/],
    ['https to 2130706433 (a number)', (port: number) => `https://2130706433:${port}/`, /loopback/],
    ['https to [::1]', (port: number) => `https://[::1]:${port}/`, /loopback/],
    ['https to [::ffff:127.0.0.1]', (port: number) => `https://[::ffff:127.0.0.1]:${port}/`, /loopback/],
    ['https to 0.0.0.0', (port: number) => `https://0.0.0.0:${port}/`, /unspecified/],
    ['https to 10.0.0.8', () => 'https://10.0.0.8/hook', /private/],
    ['https to 192.168.1.1', () => 'https://192.168.1.1/hook', /private/],
    ['https to 172.20.0.1', () => 'https://172.20.0.1/hook', /private/],
    ['https to the cloud metadata address', () => 'https://169.254.169.254/latest/meta-data', /link-local/],
    ['https to [fd00::1]', () => 'https://[fd00::1]/hook', /unique-local/],
    ['https to [fe80::1]', () => 'https://[fe80::1]/hook', /link-local/],
  ])('%s with nothing allow-listed', async (_name, url, reason) => {
    const error = await refusedWithoutConnecting(() => sender({ allowList: [] }).send(hook(url(endpoint.port))));
    expect(error.message).toMatch(reason);
    expect(endpoint.seen).toHaveLength(0);
  });

  it('https to localhost, which the system resolver answers with loopback', async () => {
    const error = await refusedWithoutConnecting(() =>
      sender({ allowList: [] }).send(hook(`https://localhost:${endpoint.port}/`)),
    );
    expect(error.message).toMatch(/the name resolves to (127\.0\.0\.1|::1), which is loopback and not allow-listed/);
    expect(endpoint.seen).toHaveLength(0);
  });

  it('plain http to a public name, before resolving it', async () => {
    const dns = resolver({ 'hooks.partner.example': ['127.0.0.1'] });
    const error = await refusedWithoutConnecting(() =>
      sender({ allowList: ['127.0.0.1'], resolve: dns.resolve }).send(hook('http://hooks.partner.example/tlpb')),
    );
    expect(error.message).toBe(
      'webhook hooks.partner.example refused: plain http is allowed only for allow-listed hosts',
    );
    expect(dns.calls).toEqual([]);
  });

  it('a name with one private or loopback address among its answers, even when another is allowed', async () => {
    const dns = resolver({ 'mixed.partner.test': ['127.0.0.1', '::1'], 'private.partner.test': ['10.9.8.7'] });
    const webhook = sender({ allowList: ['127.0.0.1'], resolve: dns.resolve });
    expect(
      (await refusedWithoutConnecting(() => webhook.send(hook(`https://mixed.partner.test:${endpoint.port}/`))))
        .message,
    ).toBe(
      `webhook mixed.partner.test:${endpoint.port} refused: the name resolves to ::1, which is loopback and not allow-listed`,
    );
    expect((await refusedWithoutConnecting(() => webhook.send(hook('https://private.partner.test/')))).message).toMatch(
      /resolves to 10\.9\.8\.7, which is private/,
    );
    expect(endpoint.seen).toHaveLength(0);
  });

  it('schemes other than http(s), and credentials in the URL', async () => {
    for (const url of ['ftp://127.0.0.1/', 'file:///etc/passwd', `https://user:pass@127.0.0.1:${endpoint.port}/`]) {
      await refusedWithoutConnecting(() => sender().send(hook(url)));
    }
  });

  it('input that cannot go into a header or a body', async () => {
    const url = `http://127.0.0.1:${endpoint.port}/`;
    const cases: [Partial<OutgoingWebhook>, string][] = [
      [{ idempotencyKey: 'key\r\nX-Injected: 1' }, 'idempotencyKey'],
      [{ deliveryId: 'd 1' }, 'deliveryId'],
      [{ secret: 'short' }, 'secret'],
      [{ payload: { n: 1n } as object }, 'payload'],
      [{ url: 'not a url' }, 'url'],
    ];
    for (const [change, field] of cases) {
      expect(await failure(sender().send(hook(url, change)))).toMatchObject({
        code: 'invalid-input',
        permanent: true,
        field,
      });
    }
    expect(endpoint.seen).toHaveLength(0);
  });
});

describe('WebhookSender connects to the address it vetted', () => {
  let certificate: TestCertificate;
  let secure: TestEndpoint;

  beforeAll(async () => {
    certificate = selfSignedCertificate('hook.test', ['hook.test']);
    secure = await new TestEndpoint(createHttpsServer({ key: certificate.key, cert: certificate.cert })).start();
  });

  afterEach(() => {
    secure.reset();
  });

  afterAll(async () => {
    await secure.stop();
  });

  it('resolves once and connects to that answer: a name the system cannot resolve still reaches the vetted address', async () => {
    // The system resolver knows no "hook.test": only the pinned answer can reach the server.
    const dns = resolver({ 'hook.test': ['127.0.0.1'] });
    const result = await sender({ allowList: ['hook.test'], resolve: dns.resolve }).send(
      hook(`http://hook.test:${endpoint.port}/pinned`),
    );
    expect(result).toEqual({ status: 200 });
    expect(dns.calls).toEqual(['hook.test']);
    expect(endpoint.seen.map((s) => [s.url, s.headers.host])).toEqual([['/pinned', `hook.test:${endpoint.port}`]]);
  });

  it('over https, checks the certificate against the name, not the address', async () => {
    const dns = resolver({ 'hook.test': ['127.0.0.1'], 'other.test': ['127.0.0.1'] });
    const webhook = sender({ allowList: ['127.0.0.1'], resolve: dns.resolve, ca: certificate.cert });
    expect(await webhook.send(hook(`https://hook.test:${secure.port}/tls`))).toEqual({ status: 200 });
    expect(secure.seen).toHaveLength(1);

    const error = await failure(webhook.send(hook(`https://other.test:${secure.port}/tls`)));
    expect(error).toMatchObject({ code: 'network', permanent: false });
    expect(error.message).toBe(`webhook other.test:${secure.port}: TLS failed (ERR_TLS_CERT_ALTNAME_INVALID)`);
    expect(secure.seen).toHaveLength(1);
  });

  it('over https, refuses a certificate no trusted CA issued', async () => {
    const dns = resolver({ 'hook.test': ['127.0.0.1'] });
    const error = await failure(
      sender({ allowList: ['127.0.0.1'], resolve: dns.resolve }).send(hook(`https://hook.test:${secure.port}/tls`)),
    );
    expect(error).toMatchObject({ code: 'network', permanent: false });
    expect(error.message).toMatch(/TLS failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/);
    expect(secure.seen).toHaveLength(0);
  });

  it('counts a name that does not resolve as temporary', async () => {
    const dns = resolver({});
    const error = await failure(
      sender({ allowList: [], resolve: dns.resolve }).send(hook('https://gone.partner.test/')),
    );
    expect(error).toMatchObject({ code: 'network', permanent: false });
    expect(error.message).toBe('webhook gone.partner.test: the name does not resolve (ENOTFOUND)');
  });
});
