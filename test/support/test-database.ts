import { DataSource } from 'typeorm';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDataSource } from '@tlp-broker/persistence';
import { createDatabase, dropDatabase, roleDatabaseUrl, TEST_APP_ROLE, uniqueName } from './databases';

/** A migrated database of its own for one test file: real PostgreSQL, nothing else running. */
export interface TestDatabase {
  /** Connected as the application role, as the API and the dispatcher are. */
  readonly dataSource: DataSource;
  /** Connected as the superuser, for what a test must arrange that the application may not do. */
  readonly superuser: DataSource;
  close(): Promise<void>;
}

/** Copies the migrated template (see global-setup) into a fresh database. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const name = uniqueName('tlpb_test');
  const superuserUrl = await createDatabase(name, inject('templateDatabase'));
  const dataSource = await createDataSource(roleDatabaseUrl(TEST_APP_ROLE, name)).initialize();
  const superuser = await createDataSource(superuserUrl).initialize();
  return {
    dataSource,
    superuser,
    async close() {
      await dataSource.destroy();
      await superuser.destroy();
      await dropDatabase(name);
    },
  };
}

/**
 * A test database for the test file (or describe block) this is called in: opened before its
 * tests and dropped after them. What it answers is read when a hook or test runs, once the
 * database is open.
 */
export function useTestDatabase(): Omit<TestDatabase, 'close'> {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });
  const open = (): TestDatabase => {
    if (!db) throw new Error('the test database is opened in beforeAll: use it in a hook or a test');
    return db;
  };
  return {
    get dataSource() {
      return open().dataSource;
    },
    get superuser() {
      return open().superuser;
    },
  };
}
