import { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { builtEntry as harnessEntry, BrokerApp, startProcess as harnessStart, stopProcess } from '@tlp-broker/harness';

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
