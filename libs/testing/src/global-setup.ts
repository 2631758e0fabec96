import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '@keyward/database';
import { RedisServerNotFoundError, startEmbeddedPostgres, startRedisServer } from '@keyward/embedded';
import { createDatabase, databaseUrl } from './postgres-admin';
import { RunState, peekRunState, saveRunState } from './run-state';
import { runDatabasePrefix, TEST_ENV_VARS } from './test-env';
import globalTeardown from './global-teardown';

/**
 * Jest global set-up: one Postgres and one Redis for the whole run (TEST_DATABASE_URL and
 * TEST_REDIS_URL name existing servers; otherwise throw-away ones are started), and a migrated
 * template database that createTestDatabase() copies.
 */
export default async function globalSetup(): Promise<void> {
  // once per run: the Redis Cluster project's set-up may have run it already (cluster-global-setup.ts)
  if (peekRunState()) return;
  const state: RunState = { runId: randomBytes(4).toString('hex'), stoppers: [], tempDirs: [] };
  saveRunState(state);
  try {
    state.pgAdminUrl = process.env.TEST_DATABASE_URL || (await startPostgres(state));
    const redisUrl = process.env.TEST_REDIS_URL || (await startRedis(state));
    if (process.env.TEST_REDIS_URL) state.sharedRedisUrl = redisUrl;

    const template = `${runDatabasePrefix(state.runId)}tpl`;
    await createDatabase(state.pgAdminUrl, template);
    const dataSource = new DataSource(dataSourceOptions(databaseUrl(state.pgAdminUrl, template)));
    await dataSource.initialize();
    try {
      await runMigrations(dataSource);
    } finally {
      await dataSource.destroy(); // a template must have no open connections
    }

    process.env[TEST_ENV_VARS.pgAdminUrl] = state.pgAdminUrl;
    process.env[TEST_ENV_VARS.templateDatabase] = template;
    process.env[TEST_ENV_VARS.redisUrl] = redisUrl;
    process.env[TEST_ENV_VARS.runId] = state.runId;
  } catch (err) {
    await globalTeardown(); // Jest does not run it when the set-up fails
    throw err;
  }
}

export async function tempDir(state: RunState, name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `keyward-test-${name}-`));
  state.tempDirs.push(dir);
  return dir;
}

async function startPostgres(state: RunState): Promise<string> {
  const postgres = await startEmbeddedPostgres({
    dataDir: path.join(await tempDir(state, 'postgres'), 'data'),
    persistent: false,
    database: 'postgres',
  });
  state.stoppers.push(postgres.stop);
  return postgres.url;
}

async function startRedis(state: RunState): Promise<string> {
  try {
    const redis = await startRedisServer({ dataDir: await tempDir(state, 'redis') });
    state.stoppers.push(redis.stop);
    return redis.url;
  } catch (err) {
    if (err instanceof RedisServerNotFoundError) {
      throw new Error(`${err.message} For the tests, TEST_REDIS_URL names the Redis to use.`);
    }
    throw err;
  }
}
