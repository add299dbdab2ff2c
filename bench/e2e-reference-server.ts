/**
 * Worker thread of the end-to-end benchmark (loaded from the compiled dist/bench/e2e-reference-server.js):
 * a bare node:http server answering each path with the status, headers and bytes the broker gave
 * for it once. What the same load generator gets from it is the reference for figure 3: the cost
 * of HTTP and of moving the bytes, on this machine, at that moment, with nothing computed. It runs
 * in a thread of its own, so that it does not share an event loop with the load generator (the
 * broker's API does not either).
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

export interface ReferenceRoute {
  readonly path: string;
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
}

export type ReferenceMessage = { readonly type: 'listening'; readonly port: number };

const port = parentPort;
if (!port) throw new Error('e2e-reference-server runs as a worker thread of e2e.bench.js, not on its own.');

const routes = new Map(
  (workerData as { routes: ReferenceRoute[] }).routes.map((route) => [
    route.path,
    {
      status: route.status,
      headers: { ...Object.fromEntries(route.headers), 'content-length': String(route.body.byteLength) },
      body: Buffer.from(route.body),
    },
  ]),
);

const server = createServer({ keepAliveTimeout: 60_000 }, (request: IncomingMessage, response: ServerResponse) => {
  const route = routes.get(request.url ?? '');
  request.resume();
  if (!route) {
    response.writeHead(404, { 'content-length': '0' }).end();
    return;
  }
  response.writeHead(route.status, route.headers);
  response.end(route.body);
});

server.listen(0, '127.0.0.1', () => {
  port.postMessage({ type: 'listening', port: (server.address() as AddressInfo).port } satisfies ReferenceMessage);
});
