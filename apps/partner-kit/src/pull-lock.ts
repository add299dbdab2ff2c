import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KitError } from './settings';

/** Exit status when another pull holds the lock: cron runs that overlap are not failures. */
export const BUSY_EXIT = 4;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `work` holding the home's pull lock (a file naming the holder's pid), so that two pulls —
 * cron's and serve's, or two overlapping cron runs — never apply entries at once. A lock left by a
 * process that is gone is taken over.
 */
export async function withPullLock<T>(home: string, work: () => Promise<T>): Promise<T> {
  const path = join(home, 'pull.lock');
  for (let attempt = 0; ; attempt += 1) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (attempt > 0 || (holder > 0 && alive(holder)))
        throw new KitError(`another pull is running (process ${holder || 'starting'})`, BUSY_EXIT);
      await rm(path, { force: true });
    }
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}
