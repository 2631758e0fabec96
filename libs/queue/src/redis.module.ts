import { getQueueToken } from '@nestjs/bullmq';
import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { ConnectionOptions, Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { QueueName } from './queue.names';
import { RedisClient, bullConnection, createRedisClient } from './redis';

export const REDIS = Symbol('REDIS');
/** BullMQ's `connection` for the queues of QueueModule: options (one server) or one shared Cluster. */
export const BULL_CONNECTION = Symbol('BULL_CONNECTION');

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One shared connection for commands (pub/sub and the rate limiter use duplicates of it): a Redis, or a Cluster. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [KEYWARD_CONFIG],
      useFactory: (config: KeywardConfig) => {
        // commands fail at once while Redis is away (no offline queue): the request path falls back
        // (database lookups, in-memory rate limits) instead of waiting for a reconnect
        const redis = createRedisClient(config.redis, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectionName: 'keyward' });
        const logger = new Logger('Redis');
        let lastWarning = 0;
        redis.on('error', (err: Error) => {
          if (Date.now() - lastWarning < 10_000) return;
          lastWarning = Date.now();
          logger.warn(`Redis unavailable: ${err.message}`);
        });
        return redis;
      },
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}

/**
 * Closes the Cluster BullMQ's queues share: BullMQ leaves a client it was handed open (workers
 * duplicate it into connections of their own, which they close). The queues are closed first
 * (closing twice is harmless): a queue still listening when its connection ends re-emits the
 * connection's errors, and nobody listens to a queue's errors during shutdown.
 */
@Injectable()
class BullConnectionCloser implements OnApplicationShutdown {
  constructor(
    @Inject(BULL_CONNECTION) private readonly connection: ConnectionOptions,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    const cluster = this.connection;
    if (!(cluster instanceof Cluster)) return; // options: each queue opened and closes its own
    const queues = Object.values(QueueName).flatMap((name) => {
      try {
        return [this.moduleRef.get<Queue>(getQueueToken(name), { strict: false })];
      } catch {
        return []; // not registered in this application
      }
    });
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
    await cluster.quit().catch(() => cluster.disconnect());
  }
}

@Module({
  providers: [{ provide: BULL_CONNECTION, inject: [KEYWARD_CONFIG], useFactory: (config: KeywardConfig) => bullConnection(config) }, BullConnectionCloser],
  exports: [BULL_CONNECTION],
})
export class BullConnectionModule {}
