import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built entry point of an app, as production runs it. */
export function builtEntry(app: 'api' | 'dispatcher'): string {
  const entry = join(__dirname, '..', '..', 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (npm run build; npm test does it)`);
  return entry;
}

/**
 * Starts a built app as its own process with the given settings (on top of this process's
 * environment); its standard error is kept and printed if it exits with an error of its own.
 */
export function startProcess(app: 'api' | 'dispatcher', env: Readonly<Record<string, string>>): ChildProcess {
  const child = spawn(process.execPath, [builtEntry(app)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && signal === null) console.error(`${app} exited with ${code}: ${stderr}`);
  });
  return child;
}

/** Sends `signal` and waits for the process to exit. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
