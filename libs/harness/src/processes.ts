import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './http';

export type BrokerApp = 'api' | 'dispatcher';

/**
 * The V8 heap each broker process runs with unless NODE_OPTIONS says otherwise (the image's and
 * the start scripts' setting): the garbage collector works to it instead of growing the heap.
 */
export const BROKER_NODE_OPTIONS = '--max-old-space-size=160 --max-semi-space-size=4';

/** The built entry point of an app under `root`, as production runs it. */
export function builtEntry(root: string, app: BrokerApp): string {
  const entry = join(root, 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (npm run build)`);
  return entry;
}

/**
 * Starts a built app as a process of its own with exactly `env`. Its output goes to `logFile`
 * when given; otherwise standard error is kept and printed if the process fails on its own.
 */
export function startProcess(root: string, app: BrokerApp, given: NodeJS.ProcessEnv, logFile?: string): ChildProcess {
  const entry = builtEntry(root, app);
  const env = { NODE_OPTIONS: BROKER_NODE_OPTIONS, ...given };
  if (logFile) {
    const out = openSync(logFile, 'w');
    return spawn(process.execPath, [entry], { env, stdio: ['ignore', out, out] });
  }
  const child = spawn(process.execPath, [entry], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && signal === null) process.stderr.write(`${app} exited with ${code}: ${stderr}\n`);
  });
  return child;
}

/** Sends `signal` and waits for the process to exit; after `killAfterMs`, SIGKILL. */
export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  killAfterMs = 10_000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(timer);
}

/** Waits until GET /health answers 200; fails at once if one of `children` exits meanwhile. */
export async function waitForHealth(
  base: string,
  children: readonly ChildProcess[],
  timeoutMs = 30_000,
): Promise<void> {
  await eventually(
    async () => {
      const dead = children.find((child) => child.exitCode !== null);
      if (dead) throw new Error(`a broker process exited during start-up (code ${dead.exitCode})`);
      return (await fetch(`${base}/health`)).ok;
    },
    timeoutMs,
    200,
    `the API at ${base} healthy`,
  ).catch((error: unknown) => {
    const dead = children.find((child) => child.exitCode !== null);
    throw dead ? new Error(`a broker process exited during start-up (code ${dead.exitCode})`) : error;
  });
}
