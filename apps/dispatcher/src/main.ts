import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@tlp-broker/config';
import { TeamKeyUnlockError } from '@tlp-broker/crypto';
import { DatabaseRoleError, PendingMigrationsError } from '@tlp-broker/persistence';
import { createDispatcher } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  await createDispatcher(config);
  new Logger('dispatcher').log('dispatcher running');
}

main().catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof PendingMigrationsError ||
    error instanceof DatabaseRoleError ||
    error instanceof TeamKeyUnlockError
  ) {
    process.stderr.write(`tlp-broker dispatcher: ${error.message}\n`);
  } else {
    process.stderr.write(
      `tlp-broker dispatcher: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
