import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUSY_EXIT, withPullLock } from './pull-lock';

describe('the pull lock', () => {
  let home: string;
  beforeEach(async () => (home = await mkdtemp(join(tmpdir(), 'tlpb-kit-lock-'))));
  afterEach(() => rm(home, { recursive: true, force: true }));

  it('lets one pull run at a time, and is released when the pull ends, even in failure', async () => {
    const inside = withPullLock(home, async () => {
      expect((await readFile(join(home, 'pull.lock'), 'utf8')).trim()).toBe(String(process.pid));
      await expect(withPullLock(home, async () => 'second')).rejects.toMatchObject({
        exitCode: BUSY_EXIT,
        message: `another pull is running (process ${process.pid})`,
      });
      return 'first';
    });
    expect(await inside).toBe('first');
    await expect(withPullLock(home, async () => Promise.reject(new Error('broker down')))).rejects.toThrow(
      'broker down',
    );
    await expect(stat(join(home, 'pull.lock'))).rejects.toThrow();
  });

  it('takes over a lock left by a process that is gone (a pull killed by the machine going down)', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await writeFile(join(home, 'pull.lock'), gone.stdout);
    expect(await withPullLock(home, async () => 'ran')).toBe('ran');
  });
});
