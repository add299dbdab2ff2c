/**
 * A reason not to start that the operator can fix (a setting, a migration not run, a database role,
 * the team key's passphrase): printed as it is, without a stack trace.
 */
export class StartupError extends Error {}

/**
 * Runs a process's `main`; on failure, prints why on standard error (the message alone for a
 * StartupError, the stack for anything else) and exits with status 1.
 */
export function runProcess(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const why =
      error instanceof StartupError
        ? error.message
        : `failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    process.stderr.write(`tlp-broker ${name}: ${why}\n`);
    process.exit(1);
  });
}
