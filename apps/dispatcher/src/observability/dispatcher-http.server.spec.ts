import { createServer, Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import { Metrics, ReadinessReport } from '@tlp-broker/observability';
import { DispatcherHttpServer } from './dispatcher-http.server';
import type { DispatcherReadiness } from './dispatcher-readiness';

const TOKEN = 'a'.repeat(40);

const READY: ReadinessReport = {
  status: 'ok',
  info: { postgres: { status: 'up' }, redis: { status: 'up' } },
  error: {},
  details: { postgres: { status: 'up' }, redis: { status: 'up' } },
};
const SMTP_DOWN: ReadinessReport = {
  status: 'error',
  info: { postgres: { status: 'up' } },
  error: { smtp: { status: 'down', message: 'Greeting never received' } },
  details: { postgres: { status: 'up' }, smtp: { status: 'down', message: 'Greeting never received' } },
};

describe('the dispatcher’s HTTP server', () => {
  const started: DispatcherHttpServer[] = [];
  let blocker: Server | undefined;

  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.onModuleDestroy()));
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = undefined;
  });

  async function start(options: { token?: string; host?: string; port?: number; report?: ReadinessReport } = {}) {
    const config = {
      observability: {
        metricsToken: options.token ?? null,
        dispatcherHttp: { host: options.host ?? '127.0.0.1', port: options.port ?? 0 },
      },
    } as AppConfig;
    const readiness = { check: async () => options.report ?? READY } as unknown as DispatcherReadiness;
    const server = new DispatcherHttpServer(config, new Metrics({ processMetrics: false }), readiness);
    await server.onModuleInit();
    started.push(server);
    const base = server.url.replace('0.0.0.0', '127.0.0.1');
    const get = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, init);
    return { server, get };
  }

  it('answers the probes: alive, ready, and 503 naming the part that is not', async () => {
    const { get } = await start();
    const live = await get('/health/live');
    expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await get('/health/ready');
    expect([ready.status, await ready.json()]).toEqual([200, READY]);
    const { get: failing } = await start({ report: SMTP_DOWN });
    const down = await failing('/health/ready');
    expect([down.status, await down.json()]).toEqual([503, SMTP_DOWN]);
  });

  it('serves the metrics on loopback without a token when none is set', async () => {
    const { get } = await start();
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toMatch(/^# TYPE tlpb_send_seconds histogram$/m);
  });

  it('asks for the token when one is set, wherever it listens', async () => {
    const { get } = await start({ token: TOKEN });
    const refused = await get('/metrics');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="tlp-broker metrics"');
    expect((await get('/metrics', { headers: { authorization: `Bearer ${'b'.repeat(40)}` } })).status).toBe(401);
    expect((await get('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('refuses the metrics on an address other machines reach until a token is set', async () => {
    const { get } = await start({ host: '0.0.0.0' });
    const refused = await get('/metrics');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/METRICS_TOKEN/);
    expect((await get('/health/live')).status).toBe(200);
  });

  it('answers nothing else: 404 for other paths, 405 for other methods', async () => {
    const { get } = await start();
    expect((await get('/items')).status).toBe(404);
    const post = await get('/metrics', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await get('/health/live', { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('stops the start-up, naming the settings, when its port is taken', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    await expect(start({ port })).rejects.toThrow(
      new RegExp(
        `cannot serve its metrics on 127\\.0\\.0\\.1:${port} \\(DISPATCHER_HTTP_HOST, DISPATCHER_HTTP_PORT\\): EADDRINUSE`,
      ),
    );
  });
});
