import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built command line (`tlp-broker …`), as an operator runs it. */
export const BUILT_CLI = join(__dirname, '..', '..', 'dist', 'apps', 'cli', 'src', 'main.js');

/**
 * Runs the built command line with only the given settings (and PATH) in its environment: what it
 * needs must come from there; `input`, when given, is its standard input. Resolves with its exit
 * status and output, whatever the status.
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: build first (npm run build; npm test does it)`);
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BUILT_CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
