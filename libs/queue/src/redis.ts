import { ConnectionOptions, Queue, QueueOptions } from 'bullmq';
import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import type { KeywardConfig, RedisTarget } from '@keyward/config';

/**
 * A Redis connection of Keyward: one server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES).
 * Both answer the same commands; every key Keyward names starts with config.redisPrefix, which on
 * a Cluster is one hash tag ({keyward}), so commands and scripts over several keys stay in one slot.
 */
export type RedisClient = Redis | Cluster;

/** What Keyward tunes per connection; the rest comes from the configuration. */
export interface RedisClientOptions {
  connectionName?: string;
  /** null: retry until Redis answers (BullMQ's blocking connections need it). */
  maxRetriesPerRequest?: number | null;
  enableOfflineQueue?: boolean;
  enableAutoPipelining?: boolean;
  commandTimeout?: number;
  lazyConnect?: boolean;
}

/** ioredis options from a redis:// or rediss:// URL, as BullMQ needs them (no request retry limit). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isFinite(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
  };
}

/** A new connection to the configured Redis: a `Redis` for REDIS_URL, a `Cluster` for REDIS_CLUSTER_NODES. */
export function createRedisClient(target: RedisTarget, options: RedisClientOptions = {}): RedisClient {
  if (target.kind === 'single') return new Redis({ ...redisOptionsFromUrl(target.url), ...options });
  const { enableOfflineQueue, enableAutoPipelining, lazyConnect, ...perNode } = options;
  return new Cluster(
    target.nodes.map((n) => ({ host: n.host, port: n.port })),
    {
      enableOfflineQueue,
      enableAutoPipelining,
      lazyConnect,
      enableReadyCheck: true,
      redisOptions: {
        username: target.username,
        password: target.password,
        tls: target.tls ? {} : undefined,
        ...perNode,
      },
    } satisfies ClusterOptions,
  );
}

/** Another connection to the same Redis as `client`, with these options changed (Redis and Cluster alike). */
export function duplicateRedis(client: RedisClient, options: RedisClientOptions = {}): RedisClient {
  if (!(client instanceof Cluster)) return client.duplicate(options);
  const { enableOfflineQueue, enableAutoPipelining, lazyConnect, ...perNode } = options;
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return client.duplicate([], {
    ...defined({ enableOfflineQueue, enableAutoPipelining, lazyConnect }),
    redisOptions: { ...client.options.redisOptions, ...defined(perNode) },
  });
}

/**
 * BullMQ's `connection` for a Queue or Worker. For one server: options, and BullMQ opens (and
 * closes) its own connections. For a Cluster: a Cluster instance, since BullMQ builds only
 * single-server clients from options; BullMQ does not close an instance it was given, so the
 * caller closes it after the Queue or Worker (see QueueModule's SharedBullConnection).
 */
export function bullConnection(config: KeywardConfig, options: RedisClientOptions = {}): ConnectionOptions {
  if (config.redis.kind === 'single') return { ...redisOptionsFromUrl(config.redis.url), ...options } as ConnectionOptions;
  return createRedisClient(config.redis, { maxRetriesPerRequest: null, ...options });
}

/** BullMQ's key prefix: every queue's keys start with it (on a Cluster, inside Keyward's hash tag). */
export function bullPrefix(config: KeywardConfig): string {
  return `${config.redisPrefix}:bull`;
}

/**
 * A BullMQ Queue with a connection of its own, closed with the queue (also the Cluster BullMQ
 * would leave open): for queues made outside QueueModule (the usage buffer, tests).
 */
export function openQueue(config: KeywardConfig, name: string, options: Omit<QueueOptions, 'connection' | 'prefix'> & { redis?: RedisClientOptions } = {}): Queue {
  const { redis, ...queueOptions } = options;
  return new QueueWithOwnConnection(name, bullConnection(config, redis), bullPrefix(config), queueOptions);
}

class QueueWithOwnConnection extends Queue {
  constructor(
    name: string,
    private readonly own: ConnectionOptions,
    prefix: string,
    options: Omit<QueueOptions, 'connection' | 'prefix'>,
  ) {
    super(name, { ...options, connection: own, prefix });
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      const own = this.own;
      if (own instanceof Cluster) await own.quit().catch(() => own.disconnect());
    }
  }
}
