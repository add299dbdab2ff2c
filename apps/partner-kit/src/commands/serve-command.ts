import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { openForPull } from '../context';
import { collectionFile, outPaths } from '../local-store';
import { withPullLock } from '../pull-lock';
import { startLocalServer } from '../serve/local-server';
import { KitError, readSettings } from '../settings';
import { Output } from './output';
import { runPull, summaryLines } from './pull-command';

export interface ServeOptions {
  host?: string;
  port?: string;
  includeRed?: boolean;
  pullEvery: string;
  tlsCert?: string;
  tlsKey?: string;
  json?: boolean;
}

const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/**
 * Serves the decrypted collection over TAXII 2.1 and as a MISP feed, on the partner's network, and
 * pulls again every `pullEvery` seconds (0: never), so one long-running command keeps OpenCTI and
 * MISP fed.
 */
export async function serve(home: string, options: ServeOptions): Promise<void> {
  const output = new Output(options.json ?? false);
  // What the kit holds is served even while the broker cannot be reached: each pull opens the kit
  // afresh (the team keys, the state another pull may have moved on) and only warns when it fails.
  const settings = await readSettings(home);
  const includeRed = options.includeRed ?? settings.includeRed;
  const host = options.host ?? settings.serve.host;
  const tls = await tlsOf(options);
  if (!isLoopback(host) && !tls)
    output.warn(
      `serving on ${host} over plain HTTP: decrypted intelligence crosses your network in the clear (give --tls-cert and --tls-key)`,
    );
  if (includeRed) output.warn("TLP:RED is served: only to the named recipients' own tools");
  const pullOnce = async () => {
    try {
      const summary = await withPullLock(home, async () => runPull(await openForPull(home), includeRed, output));
      for (const line of summaryLines(summary, settings.out)) output.line(line);
    } catch (error) {
      output.warn(`pull failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await pullOnce();
  const server = await startLocalServer({
    host,
    port: options.port === undefined ? settings.serve.port : Number(options.port),
    token: settings.serve.token,
    collection: {
      id: settings.serve.collectionId,
      title: `${new URL(settings.broker).host} (decrypted by tlp-broker-partner)`,
    },
    source: collectionFile(settings.out),
    mispDirectory: outPaths(settings.out).misp,
    includeRed,
    ...(tls ? { tls } : {}),
  });
  output.line(
    `TAXII 2.1: ${server.url}/taxii2/ (API root ${server.url}/taxii2/api/, collection ${settings.serve.collectionId})`,
  );
  output.line(`MISP feed: ${server.url}/misp/`);
  output.line(`Credential: Bearer token (or Basic password) in ${home}/serve-token`);
  output.result({
    url: server.url,
    taxii: `${server.url}/taxii2/`,
    misp: `${server.url}/misp/`,
    collection: settings.serve.collectionId,
  });
  await keepPulling(Number(options.pullEvery), pullOnce, server.close);
}

/** The certificate and key to serve HTTPS with, both or neither. */
async function tlsOf(options: ServeOptions): Promise<{ cert: string; key: string } | null> {
  if (!options.tlsCert && !options.tlsKey) return null;
  if (!options.tlsCert || !options.tlsKey) throw new KitError('give --tls-cert and --tls-key together');
  const read = (file: string) =>
    readFile(file, 'utf8').catch(() => {
      throw new KitError(`cannot read ${file}`);
    });
  return { cert: await read(options.tlsCert), key: await read(options.tlsKey) };
}

/** Pulls on a timer (never two at once) until SIGINT or SIGTERM, then closes the server. */
function keepPulling(seconds: number, pullOnce: () => Promise<void>, close: () => Promise<void>): Promise<void> {
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= pullOnce().finally(() => (running = null));
  };
  const timer = seconds > 0 ? setInterval(tick, seconds * 1000) : null;
  return new Promise((resolve) => {
    const stop = () => {
      if (timer) clearInterval(timer);
      void Promise.resolve(running).then(close).then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
