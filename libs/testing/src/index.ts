export { type TestDatabase, createTestDatabase } from './test-database';
export { TEST_PEPPER, testConfig } from './test-config';
export { type TestEnvironment, testEnvironment, testRedisPrefix } from './test-env';
export { assertTestDatabaseName, databaseUrl } from './postgres-admin';
