import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppConfig, InjectConfig, StartupError } from '@tlp-broker/config';
import { bearerTokenMatches, Metrics } from '@tlp-broker/observability';
import { DispatcherReadiness } from './dispatcher-readiness';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function answer(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  body: string,
  type = 'application/json; charset=utf-8',
): void {
  response.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

const json = (value: unknown) => JSON.stringify(value);

/**
 * The dispatcher's own small HTTP server (DISPATCHER_HTTP_HOST, DISPATCHER_HTTP_PORT; port 0: any
 * free port, logged): GET /metrics for Prometheus, /health/live and /health/ready for probes.
 * Nothing else: the dispatcher takes no requests. /metrics asks `Authorization: Bearer
 * <METRICS_TOKEN>` when the token is set; without it, it answers only when the server listens on
 * a loopback address (where only the machine itself reaches it).
 */
@Injectable()
export class DispatcherHttpServer implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DispatcherHttpServer.name);
  private readonly server: Server;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly readiness: DispatcherReadiness,
  ) {
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        this.logger.error(
          `${request.method} ${request.url}: ${error instanceof Error ? error.message : String(error)}`,
        );
        if (!response.headersSent) answer(request, response, 500, json({ statusCode: 500, message: 'internal error' }));
        else response.destroy();
      });
    });
  }

  /** Where it listens (once started): `http://127.0.0.1:9464`. */
  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  /** Listens before the workers start: a port already taken stops the start-up before any job is taken. */
  async onModuleInit(): Promise<void> {
    const { host, port } = this.config.observability.dispatcherHttp;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new StartupError(
            `the dispatcher cannot serve its metrics on ${host}:${port} (DISPATCHER_HTTP_HOST, DISPATCHER_HTTP_PORT): ${error.code ?? error.message}`,
          ),
        ),
      );
      this.server.listen(port, host, () => resolve());
    });
    this.logger.log(`metrics and health checks on ${this.url} (GET /metrics, /health/live, /health/ready)`);
    if (this.config.observability.metricsToken === null && !isLoopback(host))
      this.logger.warn(
        `GET /metrics is refused on ${host}, which is not a loopback address, until METRICS_TOKEN is set`,
      );
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return answer(request, response, 405, json({ statusCode: 405, message: 'only GET is answered here' }));
    }
    const path = new URL(request.url ?? '/', 'http://dispatcher').pathname;
    if (path === '/health/live') return answer(request, response, 200, json({ status: 'ok' }));
    if (path === '/health/ready') {
      const report = await this.readiness.check();
      return answer(request, response, report.status === 'ok' ? 200 : 503, json(report));
    }
    if (path === '/metrics') return this.scrape(request, response);
    answer(request, response, 404, json({ statusCode: 404, message: 'GET /metrics, /health/live or /health/ready' }));
  }

  private async scrape(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const token = this.config.observability.metricsToken;
    if (token === null && !isLoopback(this.config.observability.dispatcherHttp.host)) {
      const message = 'set METRICS_TOKEN to read the metrics from another machine';
      return answer(request, response, 403, json({ statusCode: 403, message }));
    }
    if (token !== null && !bearerTokenMatches(request.headers.authorization, token)) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="tlp-broker metrics"');
      return answer(
        request,
        response,
        401,
        json({ statusCode: 401, message: 'Authorization: Bearer <METRICS_TOKEN>' }),
      );
    }
    answer(request, response, 200, await this.metrics.render(), this.metrics.contentType);
  }
}
