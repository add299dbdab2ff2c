import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger, LevelWithSilent } from 'pino';
import { pinoHttp } from 'pino-http';
import { acceptCorrelationId, Metrics, runWithCorrelation } from '@tlp-broker/observability';

/** What express leaves on a request once a route took it: its pattern, and the path it is mounted under. */
interface RoutedRequest extends IncomingMessage {
  route?: { path?: unknown };
  baseUrl?: string;
}

/** Asked every few seconds by probes and Prometheus: logged at debug level when they succeed. */
const ROUTINE_ROUTES: ReadonlySet<string> = new Set(['/health', '/health/live', '/health/ready', '/metrics']);

/**
 * The route a request was answered by, as its pattern (`/items/:id`, `/taxii2/:apiRoot/collections/:id/objects/`),
 * never the path asked for: metrics labels and log lines hold no ids. A request taken by a mounted
 * app without a route of its own (the console's files, the queue dashboard's) is `<mount>/*`; one
 * no route took, `unmatched`.
 */
export function routeLabel(request: IncomingMessage): string {
  const { route, baseUrl } = request as RoutedRequest;
  if (route?.path !== undefined) return `${baseUrl ?? ''}${String(route.path)}`;
  return baseUrl ? `${baseUrl}/*` : 'unmatched';
}

/** One line per request: method, route, status, duration and correlation id; never a header, cookie or body. */
function requestLogger(logger: Logger) {
  const summary = (request: IncomingMessage, response: ServerResponse, durationMs?: number) => ({
    correlationId: String(request.id),
    method: request.method,
    route: routeLabel(request),
    status: response.statusCode,
    ...(durationMs === undefined ? {} : { durationMs }),
  });
  return pinoHttp({
    logger,
    genReqId: (request) => request.id,
    // Nothing of the request or response is written but what `summary` picks.
    wrapSerializers: false,
    serializers: { req: () => undefined, res: () => undefined },
    quietResLogger: true,
    customLogLevel: (request, response, error): LevelWithSilent => {
      if (error || response.statusCode >= 500) return 'error';
      return response.statusCode < 400 && ROUTINE_ROUTES.has(routeLabel(request)) ? 'debug' : 'info';
    },
    customSuccessMessage: (request, response) => `${request.method} ${routeLabel(request)} ${response.statusCode}`,
    customSuccessObject: (request, response, value: { responseTime?: number }) =>
      summary(request, response, value.responseTime),
    customErrorMessage: (request, response) => `${request.method} ${routeLabel(request)} ${response.statusCode}`,
    customErrorObject: (request, response, _error, value: { responseTime?: number }) =>
      summary(request, response, value.responseTime),
  });
}

/**
 * Registered before anything else: gives the request its correlation id (the caller's
 * `X-Request-Id` when it is a safe token, else a new one), answers it in `X-Request-Id`, runs the
 * rest of the request under it (so every log line written meanwhile carries it), logs the request
 * once answered, and times it into `tlpb_http_request_duration_seconds`.
 */
export function requestObservability(logger: Logger, metrics: Metrics): RequestHandler {
  const logRequest = requestLogger(logger);
  return (request: Request, response: Response, next: NextFunction) => {
    const id = acceptCorrelationId(request.headers['x-request-id']);
    request.id = id;
    response.setHeader('X-Request-Id', id);
    const start = process.hrtime.bigint();
    response.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.observeHttpRequest(request.method, routeLabel(request), response.statusCode, seconds);
    });
    runWithCorrelation(id, () => logRequest(request, response, next));
  };
}
