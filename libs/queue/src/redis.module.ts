import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { redisOptionsFromUrl } from './redis';

export const REDIS = Symbol('REDIS');

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One shared ioredis connection for commands (pub/sub uses duplicates of it). */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [KEYWARD_CONFIG],
      useFactory: (config: KeywardConfig) => {
        // commands fail at once while Redis is away (no offline queue): the request path falls back
        // (database lookups, in-memory rate limits) instead of waiting for a reconnect
        const redis = new Redis({
          ...redisOptionsFromUrl(config.redisUrl),
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectionName: 'keyward',
        });
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
