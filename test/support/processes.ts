import { ChildProcess } from 'node:child_process';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import {
  builtEntry as harnessEntry,
  BrokerApp,
  startProcess as harnessStart,
  stopProcess,
  waitForHealth,
} from '@tlp-broker/harness';

const ROOT = join(__dirname, '..', '..');

export { stopProcess };

/** The built entry point of an app, as production runs it. */
export function builtEntry(app: BrokerApp): string {
  return harnessEntry(ROOT, app);
}

/** Starts a built app as its own process with the given settings on top of this process's environment. */
export function startProcess(app: BrokerApp, env: Readonly<Record<string, string>>): ChildProcess {
  return harnessStart(ROOT, app, { ...process.env, ...env });
}

/** A built API process listening on 127.0.0.1, and its address. */
export interface ApiProcess {
  readonly child: ChildProcess;
  readonly url: string;
}

/**
 * Starts a built API process on a free port of 127.0.0.1 and waits until GET /health answers 200
 * (at most `timeoutMs`: start-up takes seconds on a quiet machine, far longer on two busy cores).
 */
export async function startApiProcess(env: Readonly<Record<string, string>>, timeoutMs = 120_000): Promise<ApiProcess> {
  const port = await freePort();
  const child = startProcess('api', { ...env, HOST: '127.0.0.1', PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, [child], timeoutMs);
  } catch (error) {
    await stopProcess(child, 'SIGKILL');
    throw error;
  }
  return { child, url };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
