export { type TestDatabase, createTestDatabase } from './test-database';
export { TEST_AUDIT_SIGNING_KEY, TEST_PEPPER, TEST_SECRETS_KEY, testConfig } from './test-config';
export { type TestEnvironment, testEnvironment, testRedisPrefix } from './test-env';
export { assertTestDatabaseName, databaseUrl } from './postgres-admin';
export * from './silent-redis';
export * from './keys-test-app';
export * from './stored-events';
