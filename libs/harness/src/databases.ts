import { withClient } from '@tlp-broker/persistence';

/** The same server and database, another role (no password: local trust authentication). */
export function withRole(databaseUrl: string, role: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = '';
  return url.toString();
}

/**
 * Drops a database the demonstration or a test made, through `adminUrl` (a superuser's connection
 * to another database). Refuses any name `allowed` does not match: these helpers drop data.
 */
export async function dropDatabase(adminUrl: string, name: string, allowed: RegExp): Promise<void> {
  if (!allowed.test(name))
    throw new Error(`refusing to drop "${name}": not a database of the demonstration or the tests`);
  await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
