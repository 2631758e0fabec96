import globalSetup, { tempDir } from './global-setup';
import globalTeardown from './global-teardown';
import { startRedisCluster } from './redis-cluster';
import { peekRunState } from './run-state';
import { TEST_ENV_VARS } from './test-env';

/**
 * Global set-up of the Jest project `redis-cluster`: the run's Postgres and Redis as usual
 * (once, whichever project's set-up comes first), plus a 3-master Redis Cluster started from
 * redis-server on free ports, stopped by the global teardown. TEST_REDIS_CLUSTER_NODES names an
 * existing cluster instead (a test prefix of its own keeps the run's keys apart).
 */
export default async function clusterGlobalSetup(): Promise<void> {
  await globalSetup();
  const state = peekRunState()!;
  if (process.env[TEST_ENV_VARS.redisClusterNodes]) return;
  let nodes = process.env.TEST_REDIS_CLUSTER_NODES;
  if (nodes) state.sharedRedisClusterNodes = nodes;
  try {
    if (!nodes) {
      const cluster = await startRedisCluster({ dataDir: await tempDir(state, 'redis-cluster') });
      state.stoppers.push(cluster.stop);
      nodes = cluster.nodesVariable;
    }
  } catch (err) {
    await globalTeardown(); // Jest does not run it when the set-up fails
    throw new Error(`${(err as Error).message} For the Redis Cluster tests, TEST_REDIS_CLUSTER_NODES names an existing cluster.`);
  }
  process.env[TEST_ENV_VARS.redisClusterNodes] = nodes;
}
