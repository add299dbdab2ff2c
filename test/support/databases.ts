import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { dropDatabase as dropHarnessDatabase } from '@tlp-broker/harness';
import { withClient, withDatabase } from '@tlp-broker/persistence';

/** The PostgreSQL server tests use; its own databases are created and dropped per test file. */
export const TEST_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const TEST_DB = /^tlpb_test_[a-z0-9_]+$/;

export function databaseUrl(name: string): string {
  return withDatabase(TEST_ADMIN_URL, name);
}

/**
 * The two roles the broker runs with in tests, as in production: the owner migrates the template
 * (so owns every table), the application role is what the API and dispatcher connect as. Roles
 * belong to the whole PostgreSQL server: every run shares them, and creates them if missing.
 */
export const TEST_OWNER_ROLE = 'tlpb_test_owner';
export const TEST_APP_ROLE = 'tlpb_test_app';
const TEST_ROLE_PASSWORD = 'tlpb-test-role';

/** `name` reached as one of the test roles (`databaseUrl` is the superuser's). */
export function roleDatabaseUrl(role: typeof TEST_OWNER_ROLE | typeof TEST_APP_ROLE, name: string): string {
  const url = new URL(databaseUrl(name));
  url.username = role;
  url.password = TEST_ROLE_PASSWORD;
  return url.toString();
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  return withClient(TEST_ADMIN_URL, work);
}

function assertTestDatabase(name: string): void {
  // Helpers that drop data refuse to touch anything but a test database.
  if (!TEST_DB.test(name)) throw new Error(`refusing to create or drop "${name}": not a test database name`);
}

export async function createDatabase(name: string, template?: string): Promise<string> {
  assertTestDatabase(name);
  if (template) assertTestDatabase(template);
  await admin(async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
        return;
      } catch (error) {
        // Two files copying the template at the same moment: one waits for the other.
        if (attempt < 20 && /being accessed by other users/.test(String(error))) {
          await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
          continue;
        }
        throw error;
      }
    }
  });
  return databaseUrl(name);
}

export function dropDatabase(name: string): Promise<void> {
  return dropHarnessDatabase(TEST_ADMIN_URL, name, TEST_DB);
}
