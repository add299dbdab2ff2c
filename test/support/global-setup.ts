import type { TestProject } from 'vitest/node';
import { createDatabaseRoles, migrateDatabase } from '@tlp-broker/persistence';
import { dropDatabase, roleDatabaseUrl, TEST_ADMIN_URL, TEST_APP_ROLE, TEST_OWNER_ROLE, uniqueName } from './databases';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/**
 * One migrated template per run; each test file copies it into a database of its own. It is set up
 * as `tlp-broker db create-roles` and `npm run migrate` set up production: owned and migrated by
 * the owner role, with the application role's privileges granted, so that a test whose broker
 * needs a privilege the application role lacks fails here as it would in production.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = uniqueName('tlpb_test_template');
  const urls = {
    migrationUrl: roleDatabaseUrl(TEST_OWNER_ROLE, template),
    appUrl: roleDatabaseUrl(TEST_APP_ROLE, template),
  };
  await createDatabaseRoles({ superuserUrl: TEST_ADMIN_URL, ...urls });
  await migrateDatabase(urls);
  project.provide('templateDatabase', template);
  return () => dropDatabase(template);
}
