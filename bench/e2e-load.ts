/**
 * Figure 3: a partner's pull pages under concurrent clients — its JSON feed page, its TAXII 2.1
 * objects page and its MISP manifest — against a bare node:http server (in a worker thread of this
 * process) answering the same bytes with the same headers, under the same load generator: N
 * clients on keep-alive connections, each sending its next request as soon as the last answer has
 * been read whole, for a few seconds after a one-second warm-up.
 */
import { Agent, request as httpRequest } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BenchBroker } from './e2e-broker';
import { cpuMeter, CpuUse } from './e2e-diagnostics';
import type { Partner } from './e2e-partners';
import type { ReferenceMessage, ReferenceRoute } from './e2e-reference-server';
import { int, kb, ms, percentile, table } from './e2e-report';

const WARM_UP_MS = 1_000;

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function get(url: string, headers: Record<string, string>, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: Object.fromEntries(
            Object.entries(response.headers).map(([name, value]) => [
              name,
              Array.isArray(value) ? value.join(', ') : (value ?? ''),
            ]),
          ),
          body: Buffer.concat(chunks),
        }),
      );
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface LoadResult {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** Answers that were not 200 with the bytes expected. */
  readonly wrong: number;
}

/** `clients` loops on keep-alive connections; only requests sent after the warm-up and answered before the end count. */
export async function load(
  url: string,
  headers: Record<string, string>,
  expectedBytes: number,
  clients: number,
  durationMs: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let wrong = 0;
  const started = performance.now();
  const measureFrom = started + WARM_UP_MS;
  const end = measureFrom + durationMs;
  const client = async () => {
    while (performance.now() < end) {
      const sent = performance.now();
      const answer = await get(url, headers, agent);
      const done = performance.now();
      if (sent < measureFrom || done > end) continue;
      latencies.push(done - sent);
      if (answer.status !== 200 || answer.body.length !== expectedBytes) wrong++;
    }
  };
  try {
    await Promise.all(Array.from({ length: clients }, client));
  } finally {
    agent.destroy();
  }
  return {
    requests: latencies.length,
    perSecond: (latencies.length * 1e3) / durationMs,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    wrong,
  };
}

/** Starts the bare server in a worker thread with the routes given; resolves with its port and a stop function. */
async function startReference(routes: ReferenceRoute[]): Promise<{ port: number; stop: () => Promise<number> }> {
  const file = join(__dirname, 'e2e-reference-server.js');
  if (!existsSync(file)) throw new Error(`${file} not found: run the compiled benchmark (npm run bench:e2e)`);
  const worker = new Worker(file, { workerData: { routes } });
  const port = await new Promise<number>((resolve, reject) => {
    const exited = (code: number) => reject(new Error(`reference server exited during start-up (code ${code})`));
    worker.once('error', reject);
    worker.once('exit', exited);
    worker.once('message', (message: ReferenceMessage) => {
      // Only this function's listeners: Worker keeps listeners of its own.
      worker.off('error', reject);
      worker.off('exit', exited);
      resolve(message.port);
    });
  });
  return { port, stop: () => worker.terminate() };
}

/** Headers the reference server must not copy: they describe the connection, not the answer. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date']);

export interface PageResult {
  readonly name: string;
  readonly bytes: number;
  readonly broker: LoadResult;
  readonly reference: LoadResult;
  readonly brokerCpu: CpuUse;
  readonly referenceCpu: CpuUse;
}

export async function figureFeeds(
  broker: BenchBroker,
  partner: Partner,
  settings: { clients: number; seconds: number },
): Promise<PageResult[]> {
  const auth = { authorization: `Bearer ${partner.feedKey}` };
  const pages = [
    { name: 'JSON feed page', path: '/feed', headers: { ...auth, accept: 'application/json' } },
    {
      name: 'TAXII objects page',
      path: `/taxii2/api/collections/${partner.channelId}/objects/`,
      headers: { ...auth, accept: 'application/taxii+json;version=2.1' },
    },
    { name: 'MISP manifest', path: '/misp/manifest.json', headers: { ...auth, accept: 'application/json' } },
  ];
  const captureAgent = new Agent({ keepAlive: false });
  const captured = await Promise.all(
    pages.map((page) => get(`${broker.base}${page.path}`, page.headers, captureAgent)),
  );
  captured.forEach((answer, i) => {
    if (answer.status !== 200)
      throw new Error(`${pages[i].path}: ${answer.status} ${answer.body.toString().slice(0, 300)}`);
  });
  const routes: ReferenceRoute[] = pages.map((page, i) => ({
    path: page.path,
    status: captured[i].status,
    headers: Object.entries(captured[i].headers).filter(([name]) => !HOP_BY_HOP.has(name)),
    body: captured[i].body,
  }));
  const reference = await startReference(routes);
  try {
    const results: PageResult[] = [];
    for (const [i, page] of pages.entries()) {
      const bytes = captured[i].body.length;
      const duration = settings.seconds * 1e3;
      const pids = { api: broker.api.pid!, dispatcher: broker.dispatcher.pid! };
      let cpu = await cpuMeter(pids, broker);
      const onBroker = await load(`${broker.base}${page.path}`, page.headers, bytes, settings.clients, duration);
      const brokerCpu = await cpu();
      cpu = await cpuMeter(pids, broker);
      const onReference = await load(
        `http://127.0.0.1:${reference.port}${page.path}`,
        page.headers,
        bytes,
        settings.clients,
        duration,
      );
      const referenceCpu = await cpu();
      results.push({ name: page.name, bytes, broker: onBroker, reference: onReference, brokerCpu, referenceCpu });
    }
    return results;
  } finally {
    await reference.stop();
  }
}

export function printFeeds(results: readonly PageResult[], clients: number, secondsEach: number): void {
  const header = ['page', 'size', 'broker req/s', 'p50', 'p99', 'wrong', 'API', 'PG', 'others'];
  console.log(
    table(
      [...header, 'bare http req/s', 'p50', 'p99', 'others', 'broker ÷ bare'],
      results.map((r) => [
        r.name,
        kb(r.bytes),
        int(r.broker.perSecond),
        ms(r.broker.p50),
        ms(r.broker.p99),
        int(r.broker.wrong),
        r.brokerCpu.processes.api.toFixed(2),
        r.brokerCpu.postgres.toFixed(2),
        r.brokerCpu.rest.toFixed(2),
        int(r.reference.perSecond),
        ms(r.reference.p50),
        ms(r.reference.p99),
        r.referenceCpu.rest.toFixed(2),
        `${(r.broker.perSecond / r.reference.perSecond).toFixed(2)}×`,
      ]),
      new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
    ),
  );
  console.log(
    `\n  ${clients} clients on keep-alive connections, ${secondsEach} s per page and server after a 1 s warm-up; latency = request sent → answer read whole;` +
      ' wrong = answers that were not 200 with the bytes first captured. bare http = node:http in a worker thread answering the captured bytes and headers.',
  );
  console.log(
    "  API, PG = cores the API process and PostgreSQL's backends for the broker's database used during the run; others = cores used by " +
      'everything else but this benchmark (Redis, other work on the machine): the machine was that much less free.',
  );
}
