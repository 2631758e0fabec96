import { randomBytes } from 'node:crypto';

/** What the Jest global set-up (global-setup.ts) hands to the test files, through process.env. */
export interface TestEnvironment {
  /** A Postgres server URL for admin work: creating and dropping databases. */
  pgAdminUrl: string;
  /** The migrated database every test database is copied from. */
  templateDatabase: string;
  redisUrl: string;
  /**
   * REDIS_CLUSTER_NODES of the run's Redis Cluster, in the test files of the Jest project
   * `redis-cluster` (jest.config.js): testConfig() then names the cluster instead of redisUrl.
   */
  redisClusterNodes: string | null;
  runId: string;
}

export const TEST_ENV_VARS = {
  pgAdminUrl: 'KEYWARD_TEST_PG_ADMIN_URL',
  templateDatabase: 'KEYWARD_TEST_TEMPLATE_DB',
  redisUrl: 'KEYWARD_TEST_REDIS_URL',
  redisClusterNodes: 'KEYWARD_TEST_REDIS_CLUSTER_NODES',
  runId: 'KEYWARD_TEST_RUN_ID',
} as const satisfies Record<keyof TestEnvironment, string>;

/** Set (to `cluster`) by the set-up file of the Jest project that runs test files on a Redis Cluster. */
export const REDIS_CLUSTER_MODE = 'KEYWARD_TEST_REDIS_MODE';

export function testEnvironment(): TestEnvironment {
  const read = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run the tests through Jest (jest.config.js sets up Postgres and Redis).`);
    return value;
  };
  return {
    pgAdminUrl: read(TEST_ENV_VARS.pgAdminUrl),
    templateDatabase: read(TEST_ENV_VARS.templateDatabase),
    redisUrl: read(TEST_ENV_VARS.redisUrl),
    redisClusterNodes: process.env[REDIS_CLUSTER_MODE] === 'cluster' ? read(TEST_ENV_VARS.redisClusterNodes) : null,
    runId: read(TEST_ENV_VARS.runId),
  };
}

/** The prefix of every database a test run creates; the global teardown drops them all. */
export const runDatabasePrefix = (runId: string) => `keyward_test_${runId}_`;

// Jest loads this module afresh for every test file, so a bare counter would repeat from one
// file to the next; the random part keeps them apart.
const fileToken = randomBytes(3).toString('hex');
let counter = 0;

/** Unique within the test run. */
export function nextTestId(): string {
  counter += 1;
  return `${fileToken}${counter}`;
}

/** A Redis key prefix of its own for each caller: `kwtest:<runid>:<n>`. */
export function testRedisPrefix(): string {
  return `kwtest:${testEnvironment().runId}:${nextTestId()}`;
}
