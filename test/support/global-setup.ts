import type { TestProject } from 'vitest/node';
import { createDataSource } from '@tlp-broker/persistence';
import { createDatabase, dropDatabase, uniqueName } from './databases';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/** One migrated template per run; each test file copies it into a database of its own. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = uniqueName('tlpb_test_template');
  const url = await createDatabase(template);
  const dataSource = await createDataSource(url).initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
  project.provide('templateDatabase', template);
  return () => dropDatabase(template);
}
