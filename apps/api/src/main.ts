import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@tlp-broker/config';
import { TeamKeyUnlockError } from '@tlp-broker/crypto';
import { DatabaseRoleError, PendingMigrationsError } from '@tlp-broker/persistence';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.http.port, config.http.host);
  new Logger('api').log(`listening on ${await app.getUrl()} (OpenAPI documentation at /docs)`);
}

main().catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof PendingMigrationsError ||
    error instanceof DatabaseRoleError ||
    error instanceof TeamKeyUnlockError
  ) {
    process.stderr.write(`tlp-broker api: ${error.message}\n`);
  } else {
    process.stderr.write(
      `tlp-broker api: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
