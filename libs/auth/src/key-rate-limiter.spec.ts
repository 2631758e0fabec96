import { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { loadConfig } from '@keyward/config';
import { silentRedis } from '@keyward/testing';
import { KeyRateLimiter } from './rate-limits';

describe('KeyRateLimiter with a Redis that stopped answering (paused, partitioned)', () => {
  it('counts in memory after one block take timed out, instead of every request waiting for Redis; keeps the limit per instance', async () => {
    const server = await silentRedis();
    const port = (server.address() as AddressInfo).port;
    const config = loadConfig({
      DATABASE_URL: 'postgres://x@127.0.0.1/x_test',
      REDIS_URL: `redis://127.0.0.1:${port}`,
      KEYWARD_PEPPER: 'p'.repeat(32),
    });
    const shared = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    shared.on('error', () => undefined);
    const limiter = new KeyRateLimiter(config, shared);
    try {
      await limiter.onModuleInit();
      const scripts = () => server.commandsSeen().filter((c) => c === 'EVALSHA' || c === 'EVAL').length;

      // the first request asks Redis for a block, the take times out, and the in-memory insurance answers
      expect(await limiter.consume('k1', { limit: 3, windowSeconds: 60 })).toMatchObject({ allowed: true, remaining: 2 });
      const afterFirst = scripts();
      expect(afterFirst).toBeGreaterThan(0);
      // the next ones do not ask Redis again for a while, and the limit still holds (in memory)
      const next = [];
      for (let i = 0; i < 3; i++) next.push(await limiter.consume('k1', { limit: 3, windowSeconds: 60 }));
      expect(next.map((d) => d.allowed)).toEqual([true, true, false]);
      expect(scripts()).toBe(afterFirst);
    } finally {
      await limiter.onApplicationShutdown();
      shared.disconnect();
      await new Promise((r) => server.close(r));
    }
  });
});
