import Redis, { Cluster } from 'ioredis';
import { loadConfig } from '@keyward/config';
import { bullConnection, bullPrefix, createRedisClient, duplicateRedis } from './redis';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/keyward', KEYWARD_PEPPER: 'x'.repeat(32) };
const cluster = loadConfig({ ...base, REDIS_CLUSTER_NODES: 'redis://kw:pw@10.0.0.1:7000,10.0.0.2:7001' });
const single = loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6390/2' });

/** Clients made here never connect (lazyConnect) and are dropped after each test. */
const made: Array<Redis | Cluster> = [];
const keep = <T extends Redis | Cluster>(client: T): T => (made.push(client), client);
afterEach(() => made.splice(0).forEach((c) => c.disconnect()));

describe('Redis clients for REDIS_URL and REDIS_CLUSTER_NODES', () => {
  it('makes a Redis for one server and a Cluster for a cluster, with the per-node options inside redisOptions', () => {
    const one = keep(createRedisClient(single.redis, { lazyConnect: true, connectionName: 'keyward' }));
    expect(one).toBeInstanceOf(Redis);
    expect(one.options).toMatchObject({ host: '127.0.0.1', port: 6390, db: 2, connectionName: 'keyward' });

    const many = keep(createRedisClient(cluster.redis, { lazyConnect: true, connectionName: 'keyward', maxRetriesPerRequest: 1, enableOfflineQueue: false }));
    expect(many).toBeInstanceOf(Cluster);
    expect(many.options).toMatchObject({
      lazyConnect: true,
      enableOfflineQueue: false,
      redisOptions: { username: 'kw', password: 'pw', connectionName: 'keyward', maxRetriesPerRequest: 1 },
    });
  });

  it('duplicates a Cluster onto the same seed nodes, changing only the options given (Cluster.duplicate takes nodes first)', () => {
    const shared = keep(createRedisClient(cluster.redis, { lazyConnect: true, connectionName: 'keyward', maxRetriesPerRequest: 1 })) as Cluster;
    const counts = keep(duplicateRedis(shared, { connectionName: 'keyward-rate-limits', enableAutoPipelining: true, commandTimeout: 500 })) as Cluster;
    expect(counts).toBeInstanceOf(Cluster);
    expect(counts).not.toBe(shared);
    expect((counts as unknown as { startupNodes: unknown }).startupNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
    expect(counts.options).toMatchObject({
      lazyConnect: true,
      enableAutoPipelining: true,
      redisOptions: { username: 'kw', password: 'pw', connectionName: 'keyward-rate-limits', commandTimeout: 500, maxRetriesPerRequest: 1 },
    });
    // the original is unchanged
    expect(shared.options.redisOptions).toMatchObject({ connectionName: 'keyward' });
    expect(shared.options.enableAutoPipelining).toBeFalsy();
  });

  it('duplicates a Redis with its own duplicate()', () => {
    const shared = keep(createRedisClient(single.redis, { lazyConnect: true }));
    const sub = keep(duplicateRedis(shared, { connectionName: 'keyward-projection-sub', maxRetriesPerRequest: null }));
    expect(sub).toBeInstanceOf(Redis);
    expect(sub.options).toMatchObject({ port: 6390, connectionName: 'keyward-projection-sub', maxRetriesPerRequest: null });
  });

  it("gives BullMQ options for one server and a Cluster (retrying forever, as its workers need) for a cluster; the prefix carries the tag", () => {
    expect(bullConnection(single)).toMatchObject({ host: '127.0.0.1', port: 6390, maxRetriesPerRequest: null });
    expect(bullPrefix(single)).toBe('keyward:bull');
    const connection = keep(bullConnection(cluster, { lazyConnect: true }) as Cluster);
    expect(connection).toBeInstanceOf(Cluster);
    expect(connection.options.redisOptions).toMatchObject({ maxRetriesPerRequest: null });
    expect(bullPrefix(cluster)).toBe('{keyward}:bull');
  });
});
