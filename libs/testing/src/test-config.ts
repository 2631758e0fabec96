import { KeywardConfig, loadConfig } from '@keyward/config';
import { databaseUrl } from './postgres-admin';
import { runDatabasePrefix, testEnvironment, testRedisPrefix } from './test-env';

/** The pepper of every test: fixed, so hashes computed in a test are stable. */
export const TEST_PEPPER = 'keyward-test-pepper-not-a-secret-0123456789';

/** The Ed25519 seed (base64) that signs audit checkpoints in tests. Not a secret. */
export const TEST_AUDIT_SIGNING_KEY = Buffer.alloc(32, 7).toString('base64');

/** SECRETS_ENCRYPTION_KEY of every test (64 hex characters): fixed, not a secret. */
export const TEST_SECRETS_KEY = '7e57'.repeat(16);

/**
 * Configuration for a test, through the same validation as production. Pass
 * `DATABASE_URL: (await createTestDatabase()).url` when the test uses Postgres; without it the
 * URL names a database that does not exist, so a forgotten override fails loudly.
 * Every call gets a Redis prefix of its own (a hash tag on a Redis Cluster: see keyPrefix()).
 */
export function testConfig(overrides: NodeJS.ProcessEnv = {}): KeywardConfig {
  const env = testEnvironment();
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl(env.pgAdminUrl, `${runDatabasePrefix(env.runId)}none`),
    // the run's Redis Cluster in the redis-cluster project, its Redis server otherwise; a test that
    // names its own Redis (REDIS_URL or REDIS_CLUSTER_NODES) gets only that one
    ...(overrides.REDIS_URL || overrides.REDIS_CLUSTER_NODES
      ? {}
      : env.redisClusterNodes
        ? { REDIS_CLUSTER_NODES: env.redisClusterNodes }
        : { REDIS_URL: env.redisUrl }),
    REDIS_PREFIX: testRedisPrefix(),
    KEYWARD_PEPPER: TEST_PEPPER,
    AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_KEY,
    SECRETS_ENCRYPTION_KEY: TEST_SECRETS_KEY,
    LOG_LEVEL: 'warn',
    // the web console is served from dist/console unless a run points at another build
    ...(process.env.CONSOLE_DIR ? { CONSOLE_DIR: process.env.CONSOLE_DIR } : {}),
    ...overrides,
  });
}
