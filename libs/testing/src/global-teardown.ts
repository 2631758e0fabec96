import { rm } from 'node:fs/promises';
import { Cluster, Redis } from 'ioredis';
import { parseClusterNodes } from '@keyward/config';
import { dropDatabase, withClient } from './postgres-admin';
import { takeRunState } from './run-state';
import { runDatabasePrefix } from './test-env';

/** Jest global teardown: drops every database of this run, then stops what the set-up started. */
export default async function globalTeardown(): Promise<void> {
  const state = takeRunState();
  if (!state) return;
  try {
    if (state.pgAdminUrl) await dropRunDatabases(state.pgAdminUrl, runDatabasePrefix(state.runId));
    if (state.sharedRedisUrl) await deleteRunKeys(state.sharedRedisUrl, `kwtest:${state.runId}:*`);
    // on a cluster every test prefix is a hash tag: {kwtest:<run>:<n>}
    if (state.sharedRedisClusterNodes) await deleteRunKeysOnCluster(state.sharedRedisClusterNodes, `{kwtest:${state.runId}:*`);
  } finally {
    for (const stop of state.stoppers.reverse()) await stop();
    for (const dir of state.tempDirs) await rm(dir, { recursive: true, force: true });
  }
}

async function dropRunDatabases(adminUrl: string, prefix: string): Promise<void> {
  const { rows } = await withClient(adminUrl, (client) =>
    client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]),
  );
  for (const { datname } of rows) await dropDatabase(adminUrl, datname);
}

/** On every master: one UNLINK per key (keys of different prefixes are in different slots). */
async function deleteRunKeysOnCluster(nodes: string, pattern: string): Promise<void> {
  const { nodes: seeds, username, password, tls } = parseClusterNodes(nodes);
  const cluster = new Cluster(seeds, { lazyConnect: true, redisOptions: { username, password, tls: tls ? {} : undefined, maxRetriesPerRequest: 1 } });
  await cluster.connect();
  try {
    for (const node of cluster.nodes('master')) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        await Promise.all(keys.map((key) => node.unlink(key)));
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    await cluster.quit();
  }
}

async function deleteRunKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
