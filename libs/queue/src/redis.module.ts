import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
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
      useFactory: (config: KeywardConfig) =>
        new Redis({ ...redisOptionsFromUrl(config.redisUrl), maxRetriesPerRequest: 2, connectionName: 'keyward' }),
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}
