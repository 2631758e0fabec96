import { createDatabase, databaseUrl, dropDatabase } from './postgres-admin';
import { nextTestId, runDatabasePrefix, testEnvironment } from './test-env';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database of its own: a copy of the run's template. The global teardown drops
 * whatever the tests leave behind; `drop()` does it sooner. A `name` that lacks "test" is refused.
 */
export async function createTestDatabase(options: { name?: string } = {}): Promise<TestDatabase> {
  const env = testEnvironment();
  const name = options.name ?? `${runDatabasePrefix(env.runId)}${nextTestId()}`;
  await createDatabase(env.pgAdminUrl, name, env.templateDatabase);
  return {
    name,
    url: databaseUrl(env.pgAdminUrl, name),
    drop: () => dropDatabase(env.pgAdminUrl, name),
  };
}
