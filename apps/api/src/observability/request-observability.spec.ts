import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentCorrelationId, Metrics } from '@tlp-broker/observability';
import { requestObservability } from './request-observability';

describe('requestObservability', () => {
  const lines: Record<string, unknown>[] = [];
  const metrics = new Metrics({ processMetrics: false });
  let base: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const logger = pino(
      {
        level: 'debug',
        mixin: () => (currentCorrelationId() ? { correlationId: currentCorrelationId() } : {}),
      },
      { write: (line: string) => void lines.push(JSON.parse(line)) },
    );
    const app = express();
    app.use(requestObservability(logger, metrics));
    app.use(express.json());
    app.post('/items/:id', (request, response) => {
      logger.info({ context: 'ItemsController' }, 'publishing');
      response.json({ id: request.params.id, correlationId: currentCorrelationId() });
    });
    app.get('/health/live', (_request, response) => void response.json({ status: 'ok' }));
    const files = express();
    files.get('/:name', (_request, response) => void response.send('file'));
    app.use('/console', files);
    app.use((_request, response) => void response.status(404).json({ statusCode: 404 }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });

  afterAll(() => close());

  /** The request lines logged so far (those with a route). */
  const requestLines = () => lines.filter((line) => 'route' in line);

  it('runs the request under the caller’s X-Request-Id and answers it', async () => {
    const response = await fetch(`${base}/items/item-42?secret=query`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'proxy-request-0042',
        authorization: 'Bearer tlpb_secret_key',
        cookie: 'tlpb_session=secret-session',
      },
      body: JSON.stringify({ body: 'secret content' }),
    });
    expect(response.headers.get('x-request-id')).toBe('proxy-request-0042');
    expect(await response.json()).toEqual({ id: 'item-42', correlationId: 'proxy-request-0042' });
  });

  it('logs each request once, with its route pattern, status, duration and correlation id — nothing else of it', async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const handlerLine = lines.find((line) => line.msg === 'publishing');
    expect(handlerLine).toMatchObject({ correlationId: 'proxy-request-0042', context: 'ItemsController' });
    const [line] = requestLines();
    expect(line).toMatchObject({
      level: 30,
      msg: 'POST /items/:id 200',
      correlationId: 'proxy-request-0042',
      method: 'POST',
      route: '/items/:id',
      status: 200,
      durationMs: expect.any(Number),
    });
    const written = JSON.stringify(lines);
    for (const secret of ['item-42', 'secret=query', 'tlpb_secret_key', 'secret-session', 'secret content'])
      expect(written).not.toContain(secret);
  });

  it('names what no route took `unmatched`, and what a mounted app served `<mount>/*`', async () => {
    lines.length = 0;
    await fetch(`${base}/console/app.js`);
    await fetch(`${base}/wp-admin/setup.php`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(requestLines().map((line) => [line.route, line.status])).toEqual([
      ['/console/:name', 200],
      ['unmatched', 404],
    ]);
    const text = await metrics.render();
    expect(text).toMatch(
      /^tlpb_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1$/m,
    );
    expect(text).toMatch(
      /^tlpb_http_request_duration_seconds_count\{method="POST",route="\/items\/:id",status="200"\} 1$/m,
    );
  });

  it('gives a request without a usable X-Request-Id a new one, and logs probes at debug level', async () => {
    lines.length = 0;
    const response = await fetch(`${base}/health/live`, { headers: { 'x-request-id': 'short' } });
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(requestLines()).toEqual([expect.objectContaining({ level: 20, route: '/health/live', correlationId: id })]);
  });
});
